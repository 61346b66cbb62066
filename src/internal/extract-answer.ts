/**
 * Default answer extraction: `#### n`, the last `\boxed{...}` (nested braces), "the answer is ...",
 * or else the last number. Returns undefined (an abstention) when nothing fits.
 */
export function extractAnswer(text: string): string | undefined {
  const hashes = [...text.matchAll(/####\s*([^\n]+)/g)].at(-1);
  if (hashes?.[1]) return normalizeAnswer(hashes[1]);
  const boxed = lastBoxed(text);
  if (boxed !== undefined) return normalizeAnswer(boxed);
  const stated = [...text.matchAll(/answer is[:\s]*\$?([^\n$]+?)\$?(?:\.\s|\.?$|\n)/gi)].at(-1);
  if (stated?.[1]) return normalizeAnswer(stated[1]);
  const numbers = [...text.matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].at(-1);
  return numbers ? normalizeAnswer(numbers[0]) : undefined;
}

function lastBoxed(text: string): string | undefined {
  const start = text.lastIndexOf("\\boxed{");
  if (start === -1) return undefined;
  let depth = 0;
  for (let index = start + "\\boxed{".length - 1; index < text.length; index++) {
    if (text[index] === "{") depth++;
    else if (text[index] === "}" && --depth === 0) return text.slice(start + "\\boxed{".length, index);
  }
  return undefined;
}

/** Trims, drops thousands separators in plain numbers and a trailing period. */
export function normalizeAnswer(answer: string): string | undefined {
  let value = answer.trim().replace(/\.$/, "").trim();
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) value = value.replace(/,/g, "");
  return value.length > 0 ? value : undefined;
}
