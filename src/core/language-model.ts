import type { CallOptions } from "./call-options.js";
import type { ModelCost } from "./compute-cost.js";
import type { GenerateResult } from "./generate-result.js";
import type { StreamPart } from "./stream-part.js";

/** Probabilities per offset (one row per offset, one column per token) and what the evaluation cost. */
export type ScoreTokensResult = {
  probabilities: number[][];
  /** Tokens of `text` evaluated, and of them reused from an evaluated prefix, where known. */
  usage: { promptTokens: number; cachedPromptTokens?: number };
};

/**
 * The one contract every backend and every strategy-wrapped model implements.
 * The `do` prefix keeps user code on `generate`/`runStrategy` rather than on raw backends.
 */
export type LanguageModel = {
  readonly specificationVersion: "v1";
  /** e.g. `llama-cpp`, `openai-compatible`, `mull-strategy`. */
  readonly provider: string;
  readonly modelId: string;
  /**
   * Wraps a bare problem in the prompt format the model was trained on
   * (for the bundled model `Q: <problem>\nA: `). Absent: the problem is sent as a user chat message.
   */
  readonly formatProblem?: (problem: string) => string;
  /** Whether raw-text continuation works (false for chat-only endpoints). Defaults to `true`. */
  readonly supportsRawPrompt?: boolean;
  /**
   * The text that ends one reasoning step in this model's solutions (`"\n"` for the bundled model),
   * used by step-level search unless the search names its own. Absent: `"\n\n"`.
   */
  readonly stepDelimiter?: string;
  /**
   * Whether a chat prompt ending in an assistant message is continued: the completion extends that message
   * (assistant prefill), as vLLM's and SGLang's `continue_final_message` and llama.cpp's server do. Step-level
   * search over a chat prompt needs it. Defaults to `false`.
   */
  readonly continuesAssistantMessage?: boolean;
  /**
   * Whether the model takes `tools` (an upstream does, and answers for itself; the embedded backend refuses
   * them). Defaults to `false`: callers refuse them by name rather than drop them.
   */
  readonly supportsTools?: boolean;
  /** Whether the model honours `responseFormat` (JSON, or JSON matching a schema). Defaults to `false`. */
  readonly supportsResponseFormat?: boolean;
  /**
   * Whether the model returns per-token log-probabilities when asked (an upstream that fixes its sampling does not).
   * Strategies ask for them only where it does. Defaults to `true`.
   */
  readonly supportsLogprobs?: boolean;
  /**
   * Whether `CallOptions.backendOptions["openai-compatible"]` (request fields mull does not map: a server's own
   * extensions) reaches the model as written. Defaults to `false`: callers refuse such fields by name.
   */
  readonly forwardsRequestFields?: boolean;
  /** Its size and price, for what its calls cost (`Compute`). Absent: unknown; budgets on FLOPs or money refuse it. */
  readonly cost?: ModelCost;
  doGenerate(options: CallOptions): Promise<GenerateResult>;
  doStream(options: CallOptions): Promise<ReadableStream<StreamPart>>;
  /**
   * Optional: for each character offset into `text`, the probability of each of `tokens` being the
   * next token after `text.slice(0, offset)`, from one evaluation of `text`. Process reward models
   * read step scores this way.
   */
  doScoreTokens?(options: { text: string; offsets: number[]; tokens: string[]; abortSignal?: AbortSignal }): Promise<ScoreTokensResult>;
};
