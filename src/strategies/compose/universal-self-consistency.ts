/**
 * Universal self-consistency (Chen et al., 2023, "Universal Self-Consistency for Large Language Model
 * Generation"): `n` samples, then the model itself picks the one most consistent with the others. For answers a
 * vote cannot extract (free text, code, summaries) it stands in for the majority vote. An architecture of a
 * generator and a prompt ranker with the paper's selection prompt (`run-architecture.ts`); a chat model plays it.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { parseArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

/** The paper's selection prompt, ending in the line the ranker reads (`Best: <number>`). */
export const uscTemplate =
  "I have generated the following responses to the question: {problem}\n\n{candidates}\n\nEvaluate these responses. Select the most consistent response based on majority consensus. End with one line naming it: `Best: <number>`.";

export const universalSelfConsistency = defineStrategy({
  name: "usc",
  description: "Samples n responses and has the model pick the one most consistent with the others, for answers a vote cannot extract (USC, Chen et al., 2023)",
  options: z.strictObject({
    n: samplesOption(8, "Responses. Default: 8"),
    temperature: temperatureOption(0.7),
  }),
  async run(context) {
    const { n, temperature } = context.options;
    const architecture = parseArchitecture({
      kind: "mull-architecture",
      version: 1,
      name: "usc",
      layers: [[{ role: "generator", samples: n, temperature }], [{ role: "ranker", using: "prompt", mode: "list", topK: 1, template: uscTemplate }]],
      select: "first",
    });
    return runArchitecture(context, architecture);
  },
});

export type UniversalSelfConsistencyOptions = Parameters<typeof universalSelfConsistency.create>[0];

export const createUniversalSelfConsistency = (options: UniversalSelfConsistencyOptions) => universalSelfConsistency.create(options);
