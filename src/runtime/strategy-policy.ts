/**
 * What a caller lets a strategy spec reach, applied generically from the options' schema: a request may not
 * name a file the server would read (its contents could leak through a parse error), and an operator may set
 * options a strategy runs with wherever a spec leaves them out (a tuned profile).
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { StrategyDefinition } from "../extension/define-strategy.js";
import { optionsOfKind } from "../extension/option-schema.js";

export type StrategyPolicy = {
  /** The verifier strategies that score with one use. Defaults to the runtime's ({@link defaults.verifier}). */
  verifier?: string;
  /**
   * Whether file options (marked `kind: "file"` in a schema) may be named: `true`; `false` (a request's spec and
   * options); or `"spec"` (the spec is the operator's, a route's; the options on top are a request's). Defaults to `true`.
   */
  files?: boolean | "spec";
  /** Options by strategy name, used where the spec and options leave them out (an operator's tuned profile). Defaults to none. */
  optionDefaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

/** The options a strategy is built with under a policy: the operator's defaults under them, file options refused where a request named them. */
export function applyStrategyPolicy(options: {
  definition: StrategyDefinition;
  /** Options from the spec string. */
  fromSpec: Record<string, unknown>;
  /** Options given beside the spec (a request's `mull` object). */
  given: Record<string, unknown>;
  policy: StrategyPolicy;
}): Record<string, unknown> {
  const { definition, fromSpec, given, policy } = options;
  const files = policy.files ?? true;
  if (files !== true) {
    const named = { ...given, ...(files === false ? fromSpec : {}) };
    const file = optionsOfKind(definition.options, "file").find((key) => key in named);
    if (file !== undefined) {
      const documents = optionsOfKind(definition.options, "document");
      throw new InvalidArgumentError({
        parameter: `mull.${file}`,
        message: `${definition.name}:${file} names a file, which is the server's to choose (a route or strategy defaults in its config), not a request's${documents.length > 0 ? `; a request may send the document itself as mull.${documents[0]}` : ""}`,
      });
    }
  }
  return { ...(policy.optionDefaults?.[definition.name] ?? {}), ...fromSpec, ...given };
}
