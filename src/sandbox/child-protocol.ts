/** What the sandbox process and its parent exchange, and the child's output accounting. */
import type { SandboxExitReason } from "../core/code-sandbox.js";

export type ChildRequest = {
  code: string;
  stdin: string;
  files: Record<string, string>;
  outputLimitBytes: number;
  /** QuickJS's own heap limit (the parent also watches the whole process). */
  memoryBytes: number;
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
    private readonly onLimit: () => void,
  ) {}

  write(stream: "stdout" | "stderr", text: string): void {
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.limit) {
      const fits = Buffer.from(text).subarray(0, Math.max(0, this.limit - this.bytes)).toString();
      if (fits) this.send({ type: "output", stream, text: fits });
      this.send({ type: "result", exitReason: "output-limit", error: `output over ${this.limit} bytes` });
      this.onLimit();
      return;
    }
    this.bytes += size;
    this.send({ type: "output", stream, text });
  }
}
