const marker = "mull.error";
const symbol = Symbol.for(marker);

/**
 * Base class of every error mull throws. `MullError.isInstance` works across duplicated copies of the
 * package (realm-safe), where `instanceof` does not.
 */
export class MullError extends Error {
  /** The realm-safe marker `isInstance` looks for. */
  readonly [symbol] = true;
  override readonly cause?: unknown;

  constructor({ name, message, cause }: { name: string; message: string; cause?: unknown }) {
    super(message);
    this.name = name;
    if (cause !== undefined) this.cause = cause;
  }

  /** Whether retrying the same call may succeed. Defaults to `false`. */
  get isRetryable(): boolean {
    return false;
  }

  static isInstance(error: unknown): error is MullError {
    return typeof error === "object" && error !== null && symbol in error && (error as Record<symbol, unknown>)[symbol] === true;
  }
}

/** Realm-safe check by error name, for subclasses. */
export function hasErrorName(error: unknown, name: string): boolean {
  return MullError.isInstance(error) && error.name === name;
}
