/**
 * One definition per backend: which model specs it takes, its settings (one zod schema: the source of their
 * names, types, bounds, defaults and docs, read from a spec's `?key=value` query, a config's fields or an object
 * given to `mull.model`, and listed by `mull backends <name>`), and how to build a model. A runtime tries each
 * registered backend in order; the first whose `matches` accepts the spec builds the model.
 */
import type { z } from "zod";
import type { LanguageModel } from "../core/language-model.js";
import { type OptionsSchema, parseOptions } from "./option-schema.js";

/** A model a runtime owns: disposed with the runtime. */
export type OwnedModel = LanguageModel & { dispose?: () => Promise<void> };

export type BackendDefinition<Schema extends OptionsSchema = OptionsSchema> = {
  readonly name: string;
  /** The spec forms it takes, for `--help` and errors (e.g. "a .gguf path or a bundled model name"). */
  readonly specHelp: string;
  /** Its settings, beside the spec's model part. */
  readonly options: Schema;
  matches(spec: string): boolean;
  /** Validates settings (a spec's query already typed by the schema), without building anything. */
  parseOptions(input: unknown): z.output<Schema>;
  /** Builds the model a spec's model part names (the spec without its `?` settings), with validated settings. */
  create(options: { spec: string; settings: z.output<Schema>; apiKey?: string | undefined; sequences?: number | undefined }): OwnedModel;
};

export function defineBackend<Schema extends OptionsSchema>(definition: Omit<BackendDefinition<Schema>, "parseOptions">): BackendDefinition<Schema> {
  return { ...definition, parseOptions: (input) => parseOptions({ owner: definition.name, schema: definition.options, input }) };
}

/**
 * A spec's model part and its settings query: `URL[,URL]#model?maxN=4`, `mull-tiny-policy?engine=llama-server`.
 * The query is what follows the first `?` after the `#` (a URL's own query, before the `#`, stays the URL's).
 */
export function splitSpecQuery(spec: string): { model: string; pairs: Record<string, string> } {
  const hash = spec.indexOf("#");
  const mark = spec.indexOf("?", hash === -1 ? 0 : hash);
  if (mark === -1) return { model: spec, pairs: {} };
  return { model: spec.slice(0, mark), pairs: Object.fromEntries(new URLSearchParams(spec.slice(mark + 1))) };
}
