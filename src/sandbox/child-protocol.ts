/** What the sandbox process and its parent exchange, and the child's output accounting. */
import type { SandboxExitReason } from "../core/code-sandbox.js";

export type ChildRequest = {
  code: string;
  stdin: string;
  files: Record<string, string>;
  outputLimitBytes: number;
  /** QuickJS's own heap limit (the parent also watches the whole process). */
  memoryBytes: number;
  /**
   * A random token the child puts on its result: the code can write to the protocol descriptor too, and a
   * result without the token is not taken as the run's.
   */
  token: string;
};

/** How the code ended, as the runtime saw it. */
export type RuntimeOutcome = { exitReason: Exclude<SandboxExitReason, "timeout" | "crashed" | "output-limit">; result?: string; error?: string };

export type ChildResult = Omit<RuntimeOutcome, "exitReason"> & { exitReason: SandboxExitReason };

export type ChildRuntime = { run(request: ChildRequest, output: OutputCollector): Promise<RuntimeOutcome> };

/**
 * Passes stdout and stderr to the parent as they are written (so that a run killed at its limit still shows
 * what it printed), up to a byte limit; past it, sends what fits and calls `onLimit` (which ends the process).
 */
export class OutputCollector {
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly send: (message: object) => void,
    private readonly onLimit: (message: object) => void,
  ) {}

  write(stream: "stdout" | "stderr", text: string): void {
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.limit) {
      const fits = Buffer.from(text)
        .subarray(0, Math.max(0, this.limit - this.bytes))
        .toString();
      if (fits) this.send({ type: "output", stream, text: fits });
      this.onLimit({ exitReason: "output-limit", error: `output over ${this.limit} bytes` });
      return;
    }
    this.bytes += size;
    this.send({ type: "output", stream, text });
  }

  /** The outcome, with its result counted against the same limit (a huge last expression is output too). */
  finish(outcome: RuntimeOutcome): RuntimeOutcome | ChildResult {
    if (outcome.result === undefined || this.bytes + Buffer.byteLength(outcome.result) <= this.limit) return outcome;
    return { exitReason: "output-limit", error: `output and result over ${this.limit} bytes` };
  }
}
