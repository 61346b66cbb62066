/**
 * One definition per verifier kind: its spec name (`prm`, `judge`, `vllm-prm`, `oracle`), its options
 * schema, and how to build it. A runtime resolves `--verifier prm:model=mull-tiny-prm,aggregation=min` with it.
 */
import type { z } from "zod";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier, VerifierKind } from "../core/verifier.js";
import { type OptionsSchema, parseOptions } from "./option-schema.js";

/** What a verifier may ask of the runtime that builds it. */
export type VerifierServices = {
  /** Resolves a model spec (owned by the runtime, disposed with it). */
  model(spec: string, options?: { sequences?: number }): LanguageModel;
  /** API key for URLs, where one is configured. */
  apiKey?: string | undefined;
};

export type VerifierDefinition<Schema extends OptionsSchema = OptionsSchema> = {
  readonly name: string;
  readonly kind: VerifierKind;
  readonly description: string;
  readonly options: Schema;
  /** The option a spec's leading value sets (`oracle:countdown` sets `task`). */
  readonly positional?: string;
  /** Validates options (defaults filled in) without building anything. */
  parseOptions(input: unknown): z.output<Schema>;
  /** Builds the verifier from validated options. */
  create(options: z.output<Schema>, services: VerifierServices): Verifier;
};

export function defineVerifier<Schema extends OptionsSchema>(definition: {
  name: string;
  kind: VerifierKind;
  description: string;
  options: Schema;
  positional?: string;
  create(options: z.output<Schema>, services: VerifierServices): Verifier;
}): VerifierDefinition<Schema> {
  return {
    name: definition.name,
    kind: definition.kind,
    description: definition.description,
    options: definition.options,
    ...(definition.positional ? { positional: definition.positional } : {}),
    parseOptions: (input) => parseOptions({ owner: `verifier ${definition.name}`, schema: definition.options, input }),
    create: definition.create,
  };
}
