import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullCallTimeoutError";

/** A model call ran past its time limit and was cancelled. Retryable: the next attempt may be faster. */
export class CallTimeoutError extends MullError {
  readonly timeoutMs: number;

  constructor({ what, timeoutMs, cause }: { what: string; timeoutMs: number; cause?: unknown }) {
    super({ name, message: `${what} took longer than ${timeoutMs} ms and was cancelled`, cause });
    this.timeoutMs = timeoutMs;
  }

  override get isRetryable(): boolean {
    return true;
  }

  static override isInstance(error: unknown): error is CallTimeoutError {
    return hasErrorName(error, name);
  }
}
