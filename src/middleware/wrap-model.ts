import type { LanguageModel } from "../core/language-model.js";
import { capabilitiesOf } from "./model-capabilities.js";
import type { ModelMiddleware } from "./model-middleware.js";

/**
 * A model with middleware around its calls; again a model, with every capability of the one it wraps
 * (prompt format, raw prompts, step delimiter, token scoring). With several middleware the first is
 * the outermost: `[retry, timeout]` times out each attempt and retries the timed-out ones.
 */
export function wrapModel(options: { model: LanguageModel; middleware: ModelMiddleware | readonly ModelMiddleware[] }): LanguageModel {
  const { model } = options;
  const chain = Array.isArray(options.middleware) ? (options.middleware as readonly ModelMiddleware[]) : [options.middleware as ModelMiddleware];
  // Fold from the innermost outwards, so that chain[0] sees the call first.
  let wrapped = model;
  for (const middleware of [...chain].reverse()) wrapped = wrapOnce(wrapped, middleware, model);
  return wrapped;
}

function wrapOnce(inner: LanguageModel, middleware: ModelMiddleware, original: LanguageModel): LanguageModel {
  const { wrapGenerate, wrapStream, wrapScoreTokens } = middleware;
  const innerScore = inner.doScoreTokens?.bind(inner);
  return {
    specificationVersion: "v1",
    provider: original.provider,
    modelId: original.modelId,
    ...capabilitiesOf(original),
    doGenerate: wrapGenerate
      ? (options) => wrapGenerate({ options, next: (changed) => inner.doGenerate(changed), model: original })
      : (options) => inner.doGenerate(options),
    doStream: wrapStream
      ? (options) => wrapStream({ options, next: (changed) => inner.doStream(changed), model: original })
      : (options) => inner.doStream(options),
    ...(innerScore ? { doScoreTokens: wrapScoreTokens ? (options) => wrapScoreTokens({ options, next: innerScore, model: original }) : innerScore } : {}),
  };
}
