import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel, ScoreTokensResult } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";

export type ScoreTokensOptions = Parameters<NonNullable<LanguageModel["doScoreTokens"]>>[0];

/**
 * A cross-cutting concern around a model's calls (retry, timeouts, limits, pooling, metering, tracing),
 * written once and applied to any model with `wrapModel`. Each hook receives the call's options and
 * `next`, the rest of the chain; it may change the options, call `next` more than once (retry), or not
 * at all. A hook left out passes the call through.
 */
export type ModelMiddleware = {
  /** Shown in errors and traces. */
  readonly name: string;
  wrapGenerate?(args: { options: CallOptions; next: (options: CallOptions) => Promise<GenerateResult>; model: LanguageModel }): Promise<GenerateResult>;
  /** Wraps opening a stream; to act on its parts, return a stream that reads the inner one. */
  wrapStream?(args: {
    options: CallOptions;
    next: (options: CallOptions) => Promise<ReadableStream<StreamPart>>;
    model: LanguageModel;
  }): Promise<ReadableStream<StreamPart>>;
  wrapScoreTokens?(args: {
    options: ScoreTokensOptions;
    next: (options: ScoreTokensOptions) => Promise<ScoreTokensResult>;
    model: LanguageModel;
  }): Promise<ScoreTokensResult>;
};
