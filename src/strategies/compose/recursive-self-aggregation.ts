/**
 * Recursive self-aggregation, RSA (Venkatraman et al., 2025, "Recursive Self-Aggregation Unlocks Deep Thinking in
 * Large Language Models"): a population of `n` solutions, then `rounds` rounds in which each of `n` new solutions is
 * written by the model from a random `k` of the previous round's (it may combine their right steps and drop the
 * wrong ones), and a majority vote over the last population. No reward model; every call is the run's model, so a
 * chat model plays it. Subsets are drawn from the run's seed, so a seeded run repeats.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { isStopError } from "../../extension/stop-error.js";
import { toCandidate } from "../../extension/to-candidate.js";
import { lastUserText } from "../../internal/prompt-text.js";
import { createRandom } from "../../internal/seeded-random.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { listCandidates } from "./prompt-components.js";

/** The aggregation prompt: the problem, the candidate solutions (listed as every prompt role lists them), and the request for one better solution. */
export const aggregationTemplate = (problem: string, solutions: readonly Candidate[]) =>
  `Problem:\n${problem}\n\nHere are ${solutions.length} candidate solutions; some may be wrong.\n\n${listCandidates([...solutions])}\n\nCheck their reasoning, keep the correct steps and fix or drop the wrong ones, then write one complete solution of your own, ending with the final answer in the same form.`;

const options = z
  .strictObject({
    n: samplesOption(8, "The population: solutions per round. Default: 8"),
    k: z.number().int().min(1).max(16).default(3).describe("Solutions each new one is written from. Default: 3"),
    rounds: z.number().int().min(0).max(16).default(2).describe("Rounds of aggregation after the first population. Default: 2"),
    temperature: temperatureOption(0.7),
  })
  .refine((settings) => settings.k <= settings.n, { message: "k must be at most n", path: ["k"] });

type Settings = z.output<typeof options>;

/** `k` distinct indices below `n`, drawn with `random`. */
function subset(random: ReturnType<typeof createRandom>, n: number, k: number): number[] {
  const indices = Array.from({ length: n }, (_, index) => index);
  for (let index = 0; index < k; index++) {
    const other = random.integer(index, n - 1);
    [indices[index], indices[other]] = [indices[other] as number, indices[index] as number];
  }
  return indices.slice(0, k);
}

/** One round: each new solution from a random `k` of the population; a call the budget or a cancel stops gives none. */
async function aggregateRound(context: RunContext<Settings>, population: Candidate[], round: number, problem: string): Promise<Candidate[]> {
  const { n, k, temperature } = context.options;
  const written = await Promise.all(
    Array.from({ length: n }, async (_, index) => {
      const seed = seedAt(context.call.seed, round * n + index + 1, callSeedStride);
      const chosen = subset(createRandom(seed ?? round * 7919 + index), population.length, Math.min(k, population.length));
      const prompt = aggregationTemplate(
        problem,
        chosen.map((at) => population[at] as Candidate),
      );
      try {
        const result = await context.model.doGenerate({
          prompt: [{ role: "user", content: prompt }],
          n: 1,
          temperature,
          ...(context.call.maxTokens !== undefined ? { maxTokens: context.call.maxTokens } : {}),
          ...(seed !== undefined ? { seed } : {}),
        });
        context.warn(result.warnings);
        const completion = result.completions[0];
        return completion ? toCandidate(completion, context.extractAnswer, context.toolVote) : undefined;
      } catch (error) {
        if (isStopError(error)) return undefined;
        throw error;
      }
    }),
  );
  return written.filter((candidate): candidate is Candidate => candidate !== undefined);
}

export const recursiveSelfAggregation = defineStrategy({
  name: "rsa",
  description:
    "A population of n solutions, then rounds in which each new one is written from a random k of the last round's; a vote over the last (RSA, 2025)",
  options,
  async run(context) {
    const { n, rounds, temperature } = context.options;
    const problem = typeof context.call.prompt === "string" ? context.call.prompt : lastUserText(context.call.prompt);
    let population = await context.sample({ n, temperature, waveSize: context.waveSize(n, undefined) });
    const all = [...population];
    for (let round = 1; round <= rounds && population.length > 0 && !context.meter.signal.aborted; round++) {
      const next = await aggregateRound(context, population, round, problem);
      context.progress(`round ${round}: ${next.length} solutions`, { round, solutions: next.length });
      const { answer, votes } = majorityVote(next);
      context.trace("vote", { answer, votes });
      if (next.length === 0) break;
      population = next;
      all.push(...next);
    }
    const tally = majorityVote(population);
    return { chosen: firstWithAnswer(population, tally.answer), ...tally, candidates: all };
  },
});

export type RecursiveSelfAggregationOptions = NonNullable<Parameters<typeof recursiveSelfAggregation.create>[0]>;

export const createRecursiveSelfAggregation = (settings: RecursiveSelfAggregationOptions = {}) => recursiveSelfAggregation.create(settings);
