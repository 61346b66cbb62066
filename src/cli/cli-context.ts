import type { Mull } from "../runtime/create-mull.js";

/** Where a command writes, what it runs on, and what stops it; in-process callers (tests) pass their own. */
export type CliContext = {
  mull: Mull;
  /** One line of a command's result (stdout). */
  out(line: string): void;
  /** Progress and diagnostics (stderr). */
  err(text: string): void;
  /** Whether progress may redraw a line (stderr is a terminal). */
  isTTY: boolean;
  /** Interrupts long commands (Ctrl-C); closes `mull serve`. */
  signal: AbortSignal;
  /** The whole of standard input (`mull sandbox run` reads its code there). */
  readInput(): Promise<string>;
};
