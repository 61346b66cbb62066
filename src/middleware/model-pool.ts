import type { CallOptions } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { MullError } from "../core/errors/mull-error.js";
import type { LanguageModel } from "../core/language-model.js";
import { isAbortError } from "../internal/abort.js";
import { capabilitiesOf } from "./model-capabilities.js";
import type { ScoreTokensOptions } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

export type ModelPoolOptions = {
  /** The replicas, serving the same weights. */
  models: readonly LanguageModel[];
  /**
   * Characters of the prompt that choose a replica: calls whose prompts begin alike (the calls of one run,
   * a search's steps) go to the same replica so that its prefix cache hits, unless it is busier than the
   * least busy by more than `affinitySlack`. `0` turns affinity off. Defaults to `256`.
   */
  affinityChars?: number;
  /** How many more calls in flight the affine replica may have than the least busy one before a call goes elsewhere. Defaults to `4`. */
  affinitySlack?: number;
  /** Consecutive failures (connection errors, 5xx, timeouts: those worth retrying) that eject a replica. Defaults to `3`. */
  ejectAfterFailures?: number;
  /** How long an ejected replica gets no calls; then one call tries it, and a success brings it back. Defaults to `10000`. */
  ejectForMs?: number;
};

type Replica = { model: LanguageModel; outstanding: number; failures: number; lastFailureAt: number; ejectedUntil: number };

/**
 * Replicas of one model used as one model. A call goes to the replica its prompt's prefix hashes to
 * (prefix affinity) while that one is not much busier than the rest, else to the least busy one; a
 * replica that keeps failing is ejected for a while, then tried again. Capabilities and id are the first
 * replica's.
 */
export function createModelPool(options: ModelPoolOptions): LanguageModel {
  const { models } = options;
  const first = models[0];
  if (!first) throw new InvalidArgumentError({ parameter: "models", value: models.length, message: "a pool needs at least one model" });
  if (models.length === 1) return first;
  const setting = (name: keyof ModelPoolOptions, value: number | undefined, fallback: number, minimum: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < minimum)
      throw new InvalidArgumentError({ parameter: name, value, message: `must be an integer >= ${minimum}, got ${String(value)}` });
    return value;
  };
  const affinityChars = setting("affinityChars", options.affinityChars, 256, 0);
  const slack = setting("affinitySlack", options.affinitySlack, 4, 0);
  const ejectAfter = setting("ejectAfterFailures", options.ejectAfterFailures, 3, 1);
  const ejectForMs = setting("ejectForMs", options.ejectForMs, 10_000, 1);
  const replicas: Replica[] = models.map((model) => ({ model, outstanding: 0, failures: 0, lastFailureAt: Number.NEGATIVE_INFINITY, ejectedUntil: 0 }));

  // The replica each call last failed on: a retry (the same call again) goes elsewhere where it can.
  const failedOn = new WeakMap<object, Replica>();
  const choose = (call: { prompt?: CallOptions["prompt"]; text?: string }): Replica => {
    const now = Date.now();
    const avoid = failedOn.get(call);
    let healthy = replicas.filter((replica) => replica.ejectedUntil <= now && replica !== avoid);
    // Every replica ejected: try the one whose ejection ends first rather than fail outright.
    if (healthy.length === 0) healthy = [replicas.reduce((soonest, replica) => (replica.ejectedUntil < soonest.ejectedUntil ? replica : soonest))];
    // A replica that failed within the ejection time is passed over among equals, so that a retry goes elsewhere.
    const failedLately = (replica: Replica) => now - replica.lastFailureAt < ejectForMs;
    const rank = (replica: Replica) => replica.outstanding + (failedLately(replica) ? 0.5 : 0);
    const leastBusy = healthy.reduce((best, replica) => (rank(replica) < rank(best) ? replica : best));
    if (affinityChars === 0) return leastBusy;
    const prefix = promptPrefix(call, affinityChars);
    if (prefix === undefined) return leastBusy;
    const affine = healthy[hash(prefix) % healthy.length] as Replica;
    return !failedLately(affine) && affine.outstanding <= leastBusy.outstanding + slack ? affine : leastBusy;
  };
  const settle = (replica: Replica, error?: unknown) => {
    replica.outstanding--;
    if (error === undefined) {
      replica.failures = 0;
      replica.lastFailureAt = Number.NEGATIVE_INFINITY;
      replica.ejectedUntil = 0;
      return;
    }
    if (isAbortError(error) || !(MullError.isInstance(error) && error.isRetryable)) return;
    replica.failures++;
    replica.lastFailureAt = Date.now();
    if (replica.failures >= ejectAfter) replica.ejectedUntil = Date.now() + ejectForMs;
  };
  const routed = async <T>(call: { prompt?: CallOptions["prompt"]; text?: string }, run: (model: LanguageModel) => Promise<T>): Promise<T> => {
    const replica = choose(call);
    replica.outstanding++;
    try {
      const result = await run(replica.model);
      settle(replica);
      return result;
    } catch (error) {
      settle(replica, error);
      failedOn.set(call, replica);
      throw error;
    }
  };
  const scoring = models.every((model) => model.doScoreTokens);
  return {
    specificationVersion: "v1",
    provider: first.provider,
    modelId: first.modelId,
    ...capabilitiesOf(first),
    doGenerate: (call: CallOptions) => routed(call, (model) => model.doGenerate(call)),
    async doStream(call: CallOptions) {
      const replica = choose(call);
      replica.outstanding++;
      try {
        return observeStream(await replica.model.doStream(call), {
          onDone: (done) => settle(replica, done.state === "failed" ? done.error : undefined),
        });
      } catch (error) {
        settle(replica, error);
        failedOn.set(call, replica);
        throw error;
      }
    },
    ...(scoring ? { doScoreTokens: (call: ScoreTokensOptions) => routed(call, (model) => model.doScoreTokens!(call)) } : {}),
  };
}

/** The start of a call's prompt (raw text, or the conversation's messages as text). */
function promptPrefix(call: { prompt?: CallOptions["prompt"]; text?: string }, chars: number): string | undefined {
  const prompt = call.prompt ?? call.text;
  if (prompt === undefined) return undefined;
  const text = typeof prompt === "string" ? prompt : prompt.map((message) => `${message.role}\u0000${JSON.stringify(message.content)}`).join("\u0001");
  return text.slice(0, chars);
}

/** FNV-1a: a stable, fast string hash (not for security). */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}
