import type { CallOptions } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import { capabilitiesOf } from "./model-capabilities.js";
import type { ScoreTokensOptions } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * Replicas of one model used as one model: each call goes to the replica with the fewest calls
 * outstanding (a stream counts until it ends), ties to the earliest listed. Capabilities and id are
 * the first replica's; the replicas are expected to serve the same weights.
 */
export function createModelPool(options: { models: readonly LanguageModel[] }): LanguageModel {
  const { models } = options;
  const first = models[0];
  if (!first) throw new InvalidArgumentError({ parameter: "models", value: models.length, message: "a pool needs at least one model" });
  if (models.length === 1) return first;
  const outstanding = models.map(() => 0);
  const claim = () => {
    let best = 0;
    for (let index = 1; index < models.length; index++) if ((outstanding[index] as number) < (outstanding[best] as number)) best = index;
    outstanding[best] = (outstanding[best] as number) + 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      outstanding[best] = (outstanding[best] as number) - 1;
    };
    return { model: models[best] as LanguageModel, release };
  };
  const routed = async <T>(call: (model: LanguageModel) => Promise<T>): Promise<T> => {
    const { model, release } = claim();
    try {
      return await call(model);
    } finally {
      release();
    }
  };
  const scoring = models.every((model) => model.doScoreTokens);
  return {
    specificationVersion: "v1",
    provider: first.provider,
    modelId: first.modelId,
    ...capabilitiesOf(first),
    doGenerate: (call: CallOptions) => routed((model) => model.doGenerate(call)),
    async doStream(call: CallOptions) {
      const { model, release } = claim();
      try {
        return observeStream(await model.doStream(call), { onDone: release });
      } catch (error) {
        release();
        throw error;
      }
    },
    ...(scoring ? { doScoreTokens: (call: ScoreTokensOptions) => routed((model) => model.doScoreTokens!(call)) } : {}),
  };
}
