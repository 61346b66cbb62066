/**
 * Mixture-of-agents (Wang et al., 2024): `proposers` samples, then `rounds` layers in which each of
 * `proposers` agents writes a new answer from all of the previous layer's (the aggregate-and-synthesize
 * prompt), then one aggregator. An architecture of generator and prompt-fuser layers (`run-architecture.ts`).
 * The agents are the run's model at the layer's temperature, or, with `models`, several models taken in turn
 * (the paper's point: proposers of different families, whose answers the aggregator fuses).
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { modelList, modelListOption, samplesOption, temperatureOption } from "../sampling-options.js";
import { type Architecture, architectureModels, parseArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

const options = z.strictObject({
  proposers: samplesOption(4, "Agents per layer (and first samples). Default: 4"),
  rounds: z.number().int().min(0).max(8).default(1).describe("Layers of agents between the first samples and the aggregator. Default: 1"),
  temperature: temperatureOption(0.7),
  aggregator: z
    .enum(["prompt", "vote"])
    .default("prompt")
    .describe("The last layer: one more synthesis at temperature 0, or a majority vote of the last layer. Default: prompt"),
  models: modelListOption(
    "Models the agents take in turn, `|`-separated specs (over HTTP: names of models the server serves); each layer's agent i is model i mod their number. Default: the run's alone",
  ),
  aggregatorModel: z.string().min(1).optional().describe("The model that aggregates (with `aggregator=prompt`). Default: the run's"),
});

const agentModels = (settings: z.output<typeof options>) => modelList(settings.models);

export function mixtureArchitecture(settings: z.output<typeof options>): Architecture {
  const models = agentModels(settings);
  const modelOf = (index: number) => {
    const model = models[index % models.length];
    return model === undefined ? {} : { model };
  };
  const agents = Array.from({ length: settings.proposers }, (_, index) => ({
    role: "fuser" as const,
    using: "prompt" as const,
    temperature: settings.temperature,
    ...modelOf(index),
  }));
  // The first layer: one generator per model, the proposers shared out among them in turn.
  const proposals = models.slice(0, settings.proposers).map((_, index) => ({
    role: "generator" as const,
    samples: Math.ceil((settings.proposers - index) / Math.min(models.length, settings.proposers)),
    temperature: settings.temperature,
    ...modelOf(index),
  }));
  const aggregatorModel = settings.aggregator === "prompt" && settings.aggregatorModel !== undefined ? { model: settings.aggregatorModel } : {};
  return parseArchitecture({
    kind: "mull-architecture",
    version: 1,
    name: "mixture-of-agents",
    layers: [
      proposals,
      ...Array.from({ length: settings.rounds }, () => agents),
      [{ role: "fuser", using: settings.aggregator, temperature: 0, ...aggregatorModel }],
    ],
    select: "first",
  });
}

export const mixtureOfAgents = defineStrategy({
  name: "mixture-of-agents",
  description: "Proposers, layers of agents that each synthesize the previous layer's answers, then an aggregator (Wang et al., 2024)",
  options,
  resolve(settings) {
    if (settings.aggregatorModel !== undefined && settings.aggregator !== "prompt")
      throw new InvalidArgumentError({
        parameter: "aggregatorModel",
        message: "mixture-of-agents: aggregatorModel needs aggregator=prompt (a vote calls no model)",
      });
    const count = agentModels(settings).length;
    if (count > settings.proposers)
      throw new InvalidArgumentError({
        parameter: "models",
        message: `mixture-of-agents: models names ${count} models but proposers=${settings.proposers}; the ones past the first ${settings.proposers} would never be called`,
      });
    return settings;
  },
  models: (settings) => architectureModels(mixtureArchitecture(settings)),
  async run(context) {
    return runArchitecture(context, mixtureArchitecture(context.options));
  },
});

export type MixtureOfAgentsOptions = Parameters<typeof mixtureOfAgents.create>[0];

export const createMixtureOfAgents = (options: MixtureOfAgentsOptions) => mixtureOfAgents.create(options);
