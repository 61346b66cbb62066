import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { potOptions } from "./pot.js";
import { executePrograms, potPrompt, programPromptProblem } from "./program-of-thought.js";

/**
 * The choice by agreement: among answers that both a chain of thought and a program reached, the one with the
 * most votes of the two together; where none agree, the plain majority of all.
 */
export function agreementChoice(thoughts: Candidate[], programs: Candidate[]) {
  const all = majorityVote([...thoughts, ...programs]);
  const reachedBy = (candidates: Candidate[]) => new Set(candidates.map((candidate) => candidate.answer).filter((answer) => answer !== undefined));
  const byProgram = reachedBy(programs);
  const agreed = [...reachedBy(thoughts)].filter((answer) => byProgram.has(answer));
  if (agreed.length === 0) return { ...all, agreed: [] as string[] };
  const answer = agreed.reduce((best, item) => ((all.votes[item] ?? 0) > (all.votes[best] ?? 0) ? item : best));
  const total = Object.values(all.votes).reduce((sum, value) => sum + value, 0);
  return { answer, votes: all.votes, confidence: total === 0 ? 0 : (all.votes[answer] ?? 0) / total, agreed };
}

/**
 * Collaborative verification of chain-of-thought with program-of-thought (Liang et al., 2024): n chains of
 * thought and n programs (run in the sandbox); an answer both kinds reach is trusted over one only one reaches.
 */
export const cotPot = defineStrategy({
  name: "cot-pot",
  description: "Chain-of-thought and program-of-thought samples; answers both reach win, by their votes together (Liang et al., 2024)",
  options: z.strictObject({ n: samplesOption(4, "Samples of each kind"), temperature: temperatureOption(0.7), ...potOptions }),
  needsSandbox: true,
  checkProblem: programPromptProblem,
  async run(context) {
    const { n, temperature, template, codeTimeoutMs } = context.options;
    const [thoughts, written] = await Promise.all([
      context.sample({ n, temperature, waveSize: n }),
      context.sample({ n, temperature, waveSize: n, call: { prompt: potPrompt(context.call.prompt, template, "cot-pot") } }),
    ]);
    const programs = await executePrograms(context as RunContext<unknown>, written, codeTimeoutMs);
    const { answer, votes, confidence, agreed } = agreementChoice(thoughts, programs);
    context.trace("vote", { answer, votes });
    context.progress(`${agreed.length} answers reached by both kinds`, { agreed });
    const candidates = [...thoughts, ...programs];
    return { chosen: firstWithAnswer(candidates, answer), answer, confidence, candidates, votes };
  },
});

export type CotPotOptions = NonNullable<Parameters<typeof cotPot.create>[0]>;

export const createCotPot = (options: CotPotOptions = {}) => cotPot.create(options);
