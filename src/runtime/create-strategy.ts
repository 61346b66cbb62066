/** Library shortcuts over the built-in strategies, for code that builds a strategy by name without a runtime. */
import type { Strategy } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { builtinStrategies } from "../registry/builtin-strategies.js";
import { createRegistry } from "./registry.js";

const registry = createRegistry("strategy", builtinStrategies);

/** Names of the built-in strategies, the same in the library, the CLI, the server and the bench. */
export const strategyNames: readonly string[] = registry.names;

/** The built-in step-level searches: they continue partial solutions one step at a time and trace a tree of steps. */
export const searchStrategies: readonly string[] = registry
  .list()
  .filter((definition) => definition.searchesSteps)
  .map((definition) => definition.name);

/** A built-in strategy by name, its options validated against its schema (defaults filled in). */
export function createStrategy(options: { name: string; options?: Record<string, unknown>; verifier?: Verifier }): Strategy {
  return registry.get(options.name).create({ ...options.options, ...(options.verifier ? { verifier: options.verifier } : {}) });
}
