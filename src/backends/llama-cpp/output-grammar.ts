/**
 * Grammar-constrained decoding for `responseFormat` on the embedded backend: llama.cpp's own JSON grammar
 * (`json_object`) or one built from the JSON schema (`json_schema`, the subset node-llama-cpp's GBNF
 * converter takes). mull samples in JavaScript from the full distribution, so the grammar is applied as a
 * filter on that distribution: a drawn token the grammar refuses is removed and the draw repeated, which
 * samples exactly the distribution renormalised over the tokens the grammar allows.
 */
import type { LlamaGrammar, LlamaGrammarEvaluationState } from "node-llama-cpp";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { ResponseFormat } from "../../core/tools.js";
import type { LoadedLlamaModel, Token } from "./load-llama-model.js";

/** One candidate's grammar state: whether a token may come next, and the token taken. */
export type OutputGrammar = { allows(token: Token): boolean; accept(token: Token): void };

type NativeSampler = {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: Token): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: Token): void;
};

/** The grammar a response format asks for, or none for free text. A schema the converter cannot take is a clear error. */
export async function grammarFor(loaded: LoadedLlamaModel, format: ResponseFormat | undefined): Promise<LlamaGrammar | undefined> {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return loaded.llama.getGrammarFor("json");
  try {
    return await loaded.llama.createGrammarForJsonSchema((format.json_schema.schema ?? {}) as Parameters<typeof loaded.llama.createGrammarForJsonSchema>[0]);
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "responseFormat",
      message: `the embedded backend cannot constrain output to this JSON schema: ${(error as Error).message.split("\n")[0]}`,
    });
  }
}

/**
 * A fresh state per candidate. The per-token check is node-llama-cpp's own (its `LlamaSampler` uses it for
 * function calling), reached through its native bindings since it is not public API; the version is pinned.
 */
export async function grammarState(loaded: LoadedLlamaModel, grammar: LlamaGrammar): Promise<OutputGrammar> {
  const { LlamaGrammarEvaluationState: State } = await import("node-llama-cpp");
  const state: LlamaGrammarEvaluationState = new State({ model: loaded.model, grammar });
  const native = (loaded.llama as unknown as { _bindings: { AddonSampler: NativeSampler } })._bindings.AddonSampler;
  const handle = (state as unknown as { _state: unknown })._state;
  return {
    allows: (token) => native.canBeNextTokenForGrammarEvaluationState(handle, token),
    accept: (token) => native.acceptGrammarEvaluationStateToken(handle, token),
  };
}
