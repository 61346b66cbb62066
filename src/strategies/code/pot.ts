import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";
import { defaultPotTemplate, executePrograms, potPrompt, programPromptProblem } from "./program-of-thought.js";

export const potOptions = {
  template: z.string().default(defaultPotTemplate).describe("The instruction around the problem; {problem} is replaced"),
  codeTimeoutMs: z.number().int().min(1).max(600_000).default(5000).describe("Wall-time limit of each program"),
};

/** Program-of-thought (Chen et al., 2022): n programs, each run in the sandbox; the majority of what they print. */
export const pot = defineStrategy({
  name: "pot",
  description: "Program-of-thought: the model writes Python programs, run in the sandbox; votes on what they print (Chen et al., 2022)",
  options: z.strictObject({ ...samplingOptions, n: samplingOptions.n.default(1), ...potOptions }),
  needsSandbox: true,
  checkProblem: programPromptProblem,
  async run(context) {
    const { n, temperature, template, codeTimeoutMs } = context.options;
    const drawn = await context.sample({
      n,
      temperature,
      waveSize: context.waveSize(n, context.options.waveSize),
      call: { prompt: potPrompt(context.call.prompt, template, "pot") },
    });
    const candidates = await executePrograms(context as RunContext<unknown>, drawn, codeTimeoutMs);
    const { answer, votes, confidence } = majorityVote(candidates);
    context.trace("vote", { answer, votes });
    return { chosen: firstWithAnswer(candidates, answer), answer, confidence, candidates, votes };
  },
});

export type PotOptions = NonNullable<Parameters<typeof pot.create>[0]>;

export const createPot = (options: PotOptions = {}) => pot.create(options);
