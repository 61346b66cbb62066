/**
 * Answers that are several values: a set `\\{1, 2\\}` or a bare list `1, 2` (any order), a tuple or interval
 * `(1, 2]` and a matrix (in order, brackets included: an interval's ends are part of its value).
 */
export type Collection = {
  open: string;
  close: string;
  /** The values; a matrix's are its rows, each as a tuple. */
  items: string[];
  ordered: boolean;
  /** A matrix's cells, row by row. */
  cells?: string[][];
};

/** Splits `text` at commas outside any brackets. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (depth === 0 && text.startsWith(separator, index)) {
      parts.push(text.slice(start, index));
      start = index + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

/** A set, tuple, interval, matrix or bare comma list, or undefined for a single value. */
export function collectionOf(text: string): Collection | undefined {
  const matrix = /^\\begin\{[pbvB]?matrix\}([\s\S]*)\\end\{[pbvB]?matrix\}$/.exec(text);
  if (matrix?.[1] !== undefined) {
    const rows = matrix[1]
      .split(/\\\\/)
      .map((row) => row.trim())
      .filter((row) => row.length > 0);
    const cells = rows.map((row) => row.split("&").map((cell) => cell.trim()));
    return { open: "matrix", close: "", items: cells.map((row) => `(${row.join(",")})`), ordered: true, cells };
  }
  const set = /^\\\{([\s\S]*)\\\}$/.exec(text);
  if (set?.[1] !== undefined) return { open: "{", close: "}", items: splitTopLevel(set[1], ","), ordered: false };
  const wrapped = /^([([])([\s\S]*)([)\]])$/.exec(text);
  if (wrapped?.[2] !== undefined && balanced(wrapped[2])) {
    const items = splitTopLevel(wrapped[2], ",");
    if (items.length > 1) return { open: wrapped[1] as string, close: wrapped[3] as string, items, ordered: true };
  }
  const bare = splitTopLevel(text, ",");
  return bare.length > 1 ? { open: "", close: "", items: bare, ordered: false } : undefined;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char) && --depth < 0) return false;
  }
  return depth === 0;
}
