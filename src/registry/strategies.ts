/** The composition root's strategy table: names, the same in the library, the CLI and the server. */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Strategy } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { createAdaptiveConsistency, createEsc, createLeaderThreshold } from "../strategies/adaptive-vote.js";
import { createBeamSearch, createLookahead } from "../strategies/beam-search.js";
import { createDvts } from "../strategies/dvts.js";
import { createMcts } from "../strategies/mcts.js";
import { createParticleFilter } from "../strategies/particle-filter.js";
import { createRebase } from "../strategies/rebase.js";
import { createRpc } from "../strategies/rpc.js";
import { createSelfConsistency } from "../strategies/self-consistency.js";
import { createSingle } from "../strategies/single.js";
import type { FinalSelection } from "../strategies/step-search.js";
import { createRepeatedSampling, createVerifiedResample } from "../strategies/verified-resample.js";
import { createBestOfN, createComplexityVote, createWeightedVote } from "../strategies/verifier-selection.js";

/** Options any strategy may take from the CLI or an HTTP request; each strategy reads what it needs. */
export type StrategySettings = {
  /** Samples (for adaptive strategies: the most samples). */
  n?: number;
  /** Stopping threshold of adaptive strategies. */
  threshold?: number;
  /** Verifier for best-of-n and weighted-vote. */
  verifier?: Verifier;
  /** weighted-vote's weights: "verifier" or "logprob". */
  weightBy?: "verifier" | "logprob";
  /** complexity-vote: how many of the most complex candidates vote. */
  k?: number;
  temperature?: number;
  waveSize?: number;
  /** Step-level search: ends one step (default: the model's, else a blank line). */
  stepDelimiter?: string;
  /** Step-level search: most steps per solution. */
  maxSteps?: number;
  /** Step-level search: how the answer is chosen among complete solutions. */
  select?: FinalSelection;
  /** beam-search, lookahead, dvts: children per kept beam (M). */
  beamWidth?: number;
  /** lookahead: rollout steps. */
  lookahead?: number;
  /** particle-filter: softmax temperature of the resampling weights. */
  softmaxTemperature?: number;
  /** particle-filter: sweeps (more than 1 is particle Gibbs). */
  sweeps?: number;
  /** rebase: balance temperature. */
  balanceTemperature?: number;
  /** mcts: next steps sampled per expansion. */
  expansionWidth?: number;
  /** mcts: UCT exploration constant. */
  explorationConstant?: number;
};

const factories: Record<string, (settings: StrategySettings) => Strategy> = {
  single: (settings) => createSingle({ ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}) }),
  "self-consistency": (settings) =>
    createSelfConsistency({
      ...(settings.n !== undefined ? { n: settings.n } : {}),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
      ...(settings.waveSize !== undefined ? { waveSize: settings.waveSize } : {}),
    }),
  "best-of-n": (settings) => {
    if (!settings.verifier)
      throw new InvalidArgumentError({ parameter: "verifier", message: "best-of-n needs a verifier (the CLI and server use the bundled PRM by default)" });
    return createBestOfN({ ...samplingOptions(settings), verifier: settings.verifier });
  },
  "weighted-vote": (settings) =>
    createWeightedVote({
      ...samplingOptions(settings),
      ...(settings.verifier ? { verifier: settings.verifier } : {}),
      ...(settings.weightBy ? { by: settings.weightBy } : {}),
    }),
  "verified-resample": (settings) => {
    if (!settings.verifier)
      throw new InvalidArgumentError({
        parameter: "verifier",
        message: "verified-resample needs a verifier (the CLI and server use the bundled PRM by default)",
      });
    return createVerifiedResample({
      verifier: settings.verifier,
      ...(settings.n !== undefined ? { maxSamples: settings.n } : {}),
      ...(settings.threshold !== undefined ? { threshold: settings.threshold } : {}),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    });
  },
  "repeated-sampling": (settings) =>
    createRepeatedSampling({
      ...(settings.verifier ? { verifier: settings.verifier } : {}),
      ...(settings.n !== undefined ? { n: settings.n } : {}),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    }),
  rpc: (settings) => createRpc(samplingOptions(settings)),
  "complexity-vote": (settings) => createComplexityVote({ ...samplingOptions(settings), ...(settings.k !== undefined ? { k: settings.k } : {}) }),
  "beam-search": (settings) => createBeamSearch({ ...searchOptions("beam-search", settings), ...pick(settings, ["beamWidth"]) }),
  dvts: (settings) => createDvts({ ...searchOptions("dvts", settings), ...pick(settings, ["beamWidth"]) }),
  lookahead: (settings) => createLookahead({ ...searchOptions("lookahead", settings), ...pick(settings, ["beamWidth", "lookahead"]) }),
  "particle-filter": (settings) => createParticleFilter({ ...searchOptions("particle-filter", settings), ...pick(settings, ["softmaxTemperature", "sweeps"]) }),
  rebase: (settings) => createRebase({ ...searchOptions("rebase", settings), ...pick(settings, ["balanceTemperature"]) }),
  mcts: (settings) => createMcts({ ...searchOptions("mcts", settings), ...pick(settings, ["expansionWidth", "explorationConstant"]) }),
  "adaptive-consistency": (settings) => createAdaptiveConsistency(adaptiveOptions(settings)),
  esc: (settings) => createEsc(adaptiveOptions(settings)),
  "leader-threshold": (settings) => createLeaderThreshold(adaptiveOptions(settings)),
};

function samplingOptions(settings: StrategySettings) {
  return {
    ...(settings.n !== undefined ? { n: settings.n } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.waveSize !== undefined ? { waveSize: settings.waveSize } : {}),
  };
}

/** Step-level searches: they continue partial solutions and score them with a process reward model. */
export const searchStrategies: readonly string[] = ["beam-search", "dvts", "lookahead", "particle-filter", "rebase", "mcts"];

/** Strategies that score candidates with a verifier. */
export const verifierStrategies: readonly string[] = ["best-of-n", "weighted-vote", "verified-resample", "repeated-sampling", ...searchStrategies];

/** The settings named in `keys` that are set (exactOptionalPropertyTypes forbids passing undefined). */
function pick<K extends keyof StrategySettings>(settings: StrategySettings, keys: K[]): Pick<StrategySettings, K> {
  const picked: Partial<StrategySettings> = {};
  for (const key of keys) if (settings[key] !== undefined) picked[key] = settings[key];
  return picked as Pick<StrategySettings, K>;
}

function searchOptions(name: string, settings: StrategySettings) {
  if (!settings.verifier)
    throw new InvalidArgumentError({
      parameter: "verifier",
      message: `${name} needs a process reward model as its verifier (the CLI and server use the bundled PRM by default)`,
    });
  return { verifier: settings.verifier, ...pick(settings, ["n", "temperature", "stepDelimiter", "maxSteps", "select"]) };
}

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

/** Settings a strategy spec may name (the verifier comes from elsewhere). */
const settingKeys: readonly (keyof StrategySettings)[] = [
  "n",
  "threshold",
  "weightBy",
  "k",
  "temperature",
  "waveSize",
  "stepDelimiter",
  "maxSteps",
  "select",
  "beamWidth",
  "lookahead",
  "softmaxTemperature",
  "sweeps",
  "balanceTemperature",
  "expansionWidth",
  "explorationConstant",
];

/** Parses `self-consistency:n=8:temperature=0.7` into a name and settings. */
export function parseStrategySpec(spec: string): { name: string; settings: StrategySettings } {
  const [name = "", ...pairs] = spec.trim().split(":");
  const settings: Record<string, number | string> = {};
  for (const pair of pairs) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined)
      throw new InvalidArgumentError({ parameter: "strategies", value: spec, message: `expected name:key=value:..., got ${JSON.stringify(spec)}` });
    if (!settingKeys.includes(key as keyof StrategySettings))
      throw new InvalidArgumentError({
        parameter: "strategies",
        value: spec,
        message: `unknown setting ${JSON.stringify(key)}; known: ${settingKeys.join(", ")}`,
      });
    // Escapes let a spec name a delimiter: stepDelimiter=\n.
    settings[key] = value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value.replaceAll("\\n", "\n").replaceAll("\\t", "\t");
  }
  return { name, settings: settings as StrategySettings };
}
