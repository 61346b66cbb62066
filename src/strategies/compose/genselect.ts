/**
 * GenSelect (after optillm's genselect and "GenSelect: a generative approach to best-of-N", Toshniwal et al.,
 * 2025): `n` samples, then the model itself picks the best, from one list or as a knockout of pairs. An
 * architecture of a generator and a prompt ranker (`run-architecture.ts`).
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { parseArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

export const genSelect = defineStrategy({
  name: "genselect",
  description: "Samples n solutions and has the model pick the best, in one list or a knockout of pairs (GenSelect)",
  options: z.strictObject({
    n: samplesOption(4, "Candidates. Default: 4"),
    temperature: temperatureOption(0.7),
    mode: z.enum(["list", "tournament"]).default("list").describe("All candidates in one prompt, or pairs in a knockout (n − 1 comparisons). Default: list"),
  }),
  async run(context) {
    const { n, temperature, mode } = context.options;
    const architecture = parseArchitecture({
      kind: "mull-architecture",
      version: 1,
      name: "genselect",
      layers: [[{ role: "generator", samples: n, temperature }], [{ role: "ranker", using: "prompt", mode, topK: 1 }]],
      select: "first",
    });
    return runArchitecture(context, architecture);
  },
});

export type GenSelectOptions = Parameters<typeof genSelect.create>[0];

export const createGenSelect = (options: GenSelectOptions) => genSelect.create(options);
