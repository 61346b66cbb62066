import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullModelLoadError";

/** A model file is missing, unreadable or not a model llama.cpp accepts. Names the file. */
export class ModelLoadError extends MullError {
  readonly path: string;

  constructor({ path, reason, cause }: { path: string; reason: string; cause?: unknown }) {
    super({ name, message: `Cannot load model ${path}: ${reason}`, cause });
    this.path = path;
  }

  static override isInstance(error: unknown): error is ModelLoadError {
    return hasErrorName(error, name);
  }
}
