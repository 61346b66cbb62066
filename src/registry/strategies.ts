/** The composition root's strategy table: names, the same in the library, the CLI and the server. */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Strategy } from "../core/strategy.js";
import { createAdaptiveConsistency, createEsc, createLeaderThreshold } from "../strategies/adaptive-vote.js";
import { createSelfConsistency } from "../strategies/self-consistency.js";
import { createSingle } from "../strategies/single.js";

/** Options any strategy may take from the CLI or an HTTP request; each strategy reads what it needs. */
export type StrategySettings = {
  /** Samples (for adaptive strategies: the most samples). */
  n?: number;
  /** Stopping threshold of adaptive strategies. */
  threshold?: number;
  temperature?: number;
  waveSize?: number;
};

const factories: Record<string, (settings: StrategySettings) => Strategy> = {
  single: (settings) => createSingle({ ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}) }),
  "self-consistency": (settings) =>
    createSelfConsistency({
      ...(settings.n !== undefined ? { n: settings.n } : {}),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
      ...(settings.waveSize !== undefined ? { waveSize: settings.waveSize } : {}),
    }),
  "adaptive-consistency": (settings) => createAdaptiveConsistency(adaptiveOptions(settings)),
  esc: (settings) => createEsc(adaptiveOptions(settings)),
  "leader-threshold": (settings) => createLeaderThreshold(adaptiveOptions(settings)),
};

function adaptiveOptions(settings: StrategySettings) {
  return {
    ...(settings.n !== undefined ? { maxSamples: settings.n } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.waveSize !== undefined ? { waveSize: settings.waveSize } : {}),
    ...(settings.threshold !== undefined ? { threshold: settings.threshold } : {}),
  };
}

export const strategyNames: readonly string[] = Object.keys(factories);

export function createStrategy(options: { name: string; settings?: StrategySettings }): Strategy {
  const factory = factories[options.name];
  if (!factory)
    throw new InvalidArgumentError({
      parameter: "strategy",
      value: options.name,
      message: `unknown strategy ${JSON.stringify(options.name)}; known: ${strategyNames.join(", ")}`,
    });
  return factory(options.settings ?? {});
}
