import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullInvalidArgumentError";

/** A caller passed a value mull cannot use; the message names the parameter and the problem. */
export class InvalidArgumentError extends MullError {
  readonly parameter: string;
  readonly value: unknown;

  constructor({ parameter, value, message }: { parameter: string; value?: unknown; message: string }) {
    super({ name, message: `Invalid argument for ${parameter}: ${message}` });
    this.parameter = parameter;
    this.value = value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasErrorName(error, name);
  }
}
