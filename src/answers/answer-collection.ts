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

/**
 * A set, tuple, interval, matrix or bare list, or undefined for a single value. A bare list is separated by
 * commas, semicolons, "and" or "or" (`2 and 3`); braces without a backslash are a set too (`{1,2,3}`, as chat
 * models write it); `a \pm b` is the two values `a + b` and `a - b`, `\pm a` the two `a` and `-a`; a matrix may be written with `array` or in
 * parentheses' `pmatrix`.
 */
export function collectionOf(text: string): Collection | undefined {
  // `\pm 3` alone is the two values 3 and -3.
  const signs = /^\\pm\s*(.+)$/.exec(text)?.[1]?.trim();
  if (signs && !signs.includes("\\pm") && balanced(signs)) return { open: "", close: "", items: [signs, `-(${signs})`], ordered: false };
  const plusMinus = /^(.+?)\s*\\pm\s*(.+)$/.exec(text);
  if (plusMinus?.[1] && plusMinus[2] && !plusMinus[2].includes("\\pm") && balanced(plusMinus[1]) && balanced(plusMinus[2]))
    return { open: "", close: "", items: [`${plusMinus[1]}+${plusMinus[2]}`, `${plusMinus[1]}-${plusMinus[2]}`], ordered: false };
  const matrix =
    /^\\begin\{[pbvB]?matrix\}([\s\S]*)\\end\{[pbvB]?matrix\}$/.exec(text) ??
    /^(?:\(|\[)?\s*\\begin\{array\}\{[^}]*\}([\s\S]*)\\end\{array\}\s*(?:\)|\])?$/.exec(text);
  if (matrix?.[1] !== undefined) {
    const rows = matrix[1]
      .split(/\\\\/)
      .map((row) => row.trim())
      .filter((row) => row.length > 0);
    const cells = rows.map((row) => row.split("&").map((cell) => cell.trim()));
    return { open: "matrix", close: "", items: cells.map((row) => `(${row.join(",")})`), ordered: true, cells };
  }
  const set = /^\\\{([\s\S]*)\\\}$/.exec(text) ?? /^\{([^{}]*,[^{}]*)\}$/.exec(text);
  if (set?.[1] !== undefined) return { open: "{", close: "}", items: splitTopLevel(set[1], ","), ordered: false };
  const wrapped = /^([([])([\s\S]*)([)\]])$/.exec(text);
  if (wrapped?.[2] !== undefined && balanced(wrapped[2])) {
    const items = splitTopLevel(wrapped[2], ",");
    if (items.length > 1) return { open: wrapped[1] as string, close: wrapped[3] as string, items, ordered: true };
  }
  for (const separator of [",", ";", " and ", " or "]) {
    const bare = splitTopLevel(text, separator);
    if (bare.length > 1 && bare.every((item) => item !== "")) return { open: "", close: "", items: bare, ordered: false };
  }
  return undefined;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char) && --depth < 0) return false;
  }
  return depth === 0;
}
