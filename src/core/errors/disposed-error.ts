import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullDisposedError";

/** The object was disposed and cannot be used any more. */
export class DisposedError extends MullError {
  constructor({ what }: { what: string }) {
    super({ name, message: `${what} has been disposed` });
  }

  static override isInstance(error: unknown): error is DisposedError {
    return hasErrorName(error, name);
  }
}
