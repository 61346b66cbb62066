/**
 * Mixture-of-agents (Wang et al., 2024): `proposers` samples, then `rounds` layers in which each of
 * `proposers` agents writes a new answer from all of the previous layer's (the aggregate-and-synthesize
 * prompt), then one aggregator. An architecture of generator and prompt-fuser layers (`run-architecture.ts`).
 * The agents are the run's model at the layer's temperature (several models per layer: not yet).
 */
import { z } from "zod";
import { defineStrategy } from "../extension/define-strategy.js";
import { type Architecture, parseArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";
import { samplesOption, temperatureOption } from "./sampling-options.js";

const options = z.strictObject({
  proposers: samplesOption(4, "Agents per layer (and first samples). Default: 4"),
  rounds: z.number().int().min(0).max(8).default(1).describe("Layers of agents between the first samples and the aggregator. Default: 1"),
  temperature: temperatureOption(0.7),
  aggregator: z
    .enum(["prompt", "vote"])
    .default("prompt")
    .describe("The last layer: one more synthesis at temperature 0, or a majority vote of the last layer. Default: prompt"),
});

export function mixtureArchitecture(settings: z.output<typeof options>): Architecture {
  const agents = Array.from({ length: settings.proposers }, () => ({ role: "fuser" as const, using: "prompt" as const, temperature: settings.temperature }));
  return parseArchitecture({
    kind: "mull-architecture",
    version: 1,
    name: "mixture-of-agents",
    layers: [
      [{ role: "generator", samples: settings.proposers, temperature: settings.temperature }],
      ...Array.from({ length: settings.rounds }, () => agents),
      [{ role: "fuser", using: settings.aggregator, temperature: 0 }],
    ],
    select: "first",
  });
}

export const mixtureOfAgents = defineStrategy({
  name: "mixture-of-agents",
  description: "Proposers, layers of agents that each synthesize the previous layer's answers, then an aggregator (Wang et al., 2024)",
  options,
  async run(context) {
    return runArchitecture(context, mixtureArchitecture(context.options));
  },
});

export type MixtureOfAgentsOptions = Parameters<typeof mixtureOfAgents.create>[0];

export const createMixtureOfAgents = (options: MixtureOfAgentsOptions) => mixtureOfAgents.create(options);
