import type { FinishReason } from "./finish-reason.js";
import type { ToolCall } from "./tools.js";
import type { Usage } from "./usage.js";
import type { Warning } from "./warning.js";

export type { FinishReason };

export type TokenLogprob = {
  token: string;
  /** Natural-log probability of the sampled token. */
  logprob: number;
  /** The most likely tokens at this position, where `topLogprobs` asked for them. */
  topLogprobs?: { token: string; logprob: number }[];
};

export type Completion = {
  text: string;
  finishReason: FinishReason;
  /** Tokens generated for this completion. */
  completionTokens: number;
  /**
   * What ended a `"stop"` completion, where the backend knows: the model's end-of-text token or one of
   * the call's stop sequences. Absent when the backend does not say (OpenAI itself does not).
   */
  stoppedBy?: "end-of-text" | "stop-sequence";
  /** The stop sequence that ended it, where `stoppedBy` is `"stop-sequence"` and the backend says which. */
  stopSequence?: string;
  /** Per-token log-probabilities, where asked for and the backend has them. */
  logprobs?: TokenLogprob[];
  /**
   * The model's reasoning, where the backend returns it apart from the answer (vLLM's and DeepSeek's
   * `reasoning_content`). Never part of `text` or the extracted answer; its tokens count in `completionTokens`.
   */
  reasoning?: string;
  /**
   * Of `completionTokens`, those spent thinking (inside `<think>…</think>`, or returned as `reasoning`), where the
   * backend can count them.
   */
  reasoningTokens?: number;
  /** The tools the model called, where it called any (then `finishReason` is `"tool-calls"`). */
  toolCalls?: ToolCall[];
};

/**
 * What a model adds to its result beyond the contract, by owner, as vercel/ai's `providerMetadata`: the contract
 * names no owner. Open: an owner declares its entry by augmenting this interface (a strategy wrapped around a
 * model puts its report under `mull`, declared in `runtime/strategy-model.ts`).
 */
export interface ResultMetadata {
  [owner: string]: unknown;
}

export type GenerateResult = {
  /** One per requested `n`, in order. */
  completions: Completion[];
  usage: Usage;
  warnings: Warning[];
  /** What the model adds beyond the contract, by owner (see `ResultMetadata`). */
  metadata?: ResultMetadata;
};
