import { createRequire } from "node:module";
import { MissingPackageError } from "../core/errors/missing-package-error.js";

/** Whether an import failed because the package itself is not installed (not because something inside it broke). */
function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(packageName);
}

/** Imports an optional peer dependency, or fails with an error that names the package and the feature. */
export async function importOptional<Module>(packageName: string, feature: string, load: () => Promise<Module>): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPackageError({ packageName, feature, cause: error });
    throw error;
  }
}

const require = createRequire(import.meta.url);

/** Requires an optional CommonJS peer dependency synchronously (better-sqlite3), with the same error. */
export function requireOptional<Module>(packageName: string, feature: string): Module {
  try {
    return require(packageName) as Module;
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPackageError({ packageName, feature, cause: error });
    throw error;
  }
}
