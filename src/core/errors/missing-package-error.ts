import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullMissingPackageError";

/** An optional package a feature needs is not installed (node-llama-cpp, better-sqlite3, vega). Names it. */
export class MissingPackageError extends MullError {
  readonly packageName: string;

  constructor({ packageName, feature, cause }: { packageName: string; feature: string; cause?: unknown }) {
    super({ name, message: `${feature} needs the optional package ${packageName}; install it with: npm install ${packageName}`, cause });
    this.packageName = packageName;
  }

  static override isInstance(error: unknown): error is MissingPackageError {
    return hasErrorName(error, name);
  }
}
