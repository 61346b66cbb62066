/**
 * One definition per backend: which model specs it takes and how to build a model from one. A runtime
 * tries each registered backend in order; the first whose `matches` accepts the spec builds the model.
 */
import type { LanguageModel } from "../core/language-model.js";

/** A model a runtime owns: disposed with the runtime. */
export type OwnedModel = LanguageModel & { dispose?: () => Promise<void> };

export type BackendDefinition = {
  readonly name: string;
  /** The spec forms it takes, for `--help` and errors (e.g. "a .gguf path or a bundled model name"). */
  readonly specHelp: string;
  matches(spec: string): boolean;
  create(options: { spec: string; apiKey?: string | undefined; sequences?: number | undefined }): OwnedModel;
};

export function defineBackend(definition: BackendDefinition): BackendDefinition {
  return definition;
}
