/**
 * The contract for running model-written code: strategies that execute code (program-of-thought, tests,
 * tools) depend on this interface, never on a sandbox implementation (`mull/sandbox` provides one).
 */

export type SandboxLanguage = "python" | "javascript";

export const sandboxLanguages: readonly SandboxLanguage[] = ["python", "javascript"];

/**
 * Why a run ended: `ok` (the code finished), `error` (it raised or threw), `timeout` (wall time over the limit),
 * `memory` (over the memory limit), `output-limit` (printed more than allowed), `crashed` (the sandbox process
 * died for another reason, e.g. the code called exit).
 */
export type SandboxExitReason = "ok" | "error" | "timeout" | "memory" | "output-limit" | "crashed";

export type SandboxRunRequest = {
  language: SandboxLanguage;
  code: string;
  /** Text the code reads as standard input (Python's `sys.stdin`, JavaScript's `readStdin()`). Default: empty. */
  stdin?: string;
  /** Files written into the sandbox's in-memory working directory before the run, by relative path. */
  files?: Record<string, string>;
  /** Wall-time limit for the run in milliseconds. Default: the sandbox's (5,000). */
  timeoutMs?: number;
  /** Memory limit for the run in MiB. Default: the sandbox's (512). */
  memoryMb?: number;
  /** Limit on stdout plus stderr in bytes; output past it ends the run. Default: the sandbox's (65,536). */
  outputLimitBytes?: number;
  signal?: AbortSignal;
};

export type SandboxRunResult = {
  language: SandboxLanguage;
  exitReason: SandboxExitReason;
  stdout: string;
  stderr: string;
  /** The value of the last expression, as text (Python's repr, JSON for JavaScript), when there is one. */
  result?: string;
  /** The error's type and message when `exitReason` is `error` (or what the sandbox knows of a crash). */
  error?: string;
  /** Wall time of the run itself (the warm sandbox's start not included). */
  durationMs: number;
  /** Peak resident memory of the sandbox process, where the platform reports it. */
  memoryBytes?: number;
};

export interface CodeSandbox {
  run(request: SandboxRunRequest): Promise<SandboxRunResult>;
  /** Ends every sandbox process; runs after close fail. */
  close(): Promise<void>;
}
