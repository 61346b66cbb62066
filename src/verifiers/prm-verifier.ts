import { z } from "zod";
import { defineVerifier } from "../extension/define-verifier.js";
import { createProcessRewardModel, stepAggregations } from "./process-reward-model.js";

/** `prm:model=mull-tiny-prm,aggregation=min`: a PRM in the bundled format, embedded or behind `mull serve`. */
export const prmVerifier = defineVerifier({
  name: "prm",
  kind: "process",
  description: "A process reward model in mull's format, local (GGUF) or served by `mull serve` (top log-probabilities)",
  positional: "model",
  options: z.strictObject({
    model: z.string().min(1).default("mull-tiny-prm").describe("The PRM: a bundled name, a .gguf path, or URL[#model] of `mull serve`"),
    aggregation: z.enum(stepAggregations).default("last").describe("How step scores become one score"),
    cacheSize: z.number().int().min(0).max(1_000_000).default(10_000).describe("Scored prefixes a per-run session remembers (0 turns it off)"),
  }),
  create: (options, services) =>
    createProcessRewardModel({
      // Two sequences: siblings of a search are scored concurrently.
      model: services.model(options.model, { sequences: 2 }),
      aggregation: options.aggregation,
      cacheSize: options.cacheSize,
    }),
});
