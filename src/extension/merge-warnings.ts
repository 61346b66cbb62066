import type { Warning } from "../core/warning.js";

/** Adds warnings not already present (calls of one run often repeat the same warning). */
export function mergeWarnings(into: Warning[], more: readonly Warning[]): void {
  for (const warning of more) if (!into.some((known) => JSON.stringify(known) === JSON.stringify(warning))) into.push(warning);
}
