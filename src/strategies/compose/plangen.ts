/**
 * PlanGEN (Parmar et al., 2025): three agents around an inference algorithm. A constraint agent lists what a
 * correct solution must satisfy; a verification agent scores a solution against those constraints (0 to 100,
 * with feedback); a selection agent picks the algorithm per instance by a modified UCB: each algorithm's mean
 * reward so far, an exploration bonus, and a bonus for the one the model itself suggests for this problem. The
 * statistics live as long as the strategy object (a bench run, a server route). `mixture: true` is PlanGEN's
 * mixture of algorithms: while the best reward is under `threshold`, the next algorithm by UCB runs too.
 * The paper's prompts and UCB constants are not published; these are stated here and overridable in code.
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import type { ArchitectureCandidate, ComponentServices } from "./component.js";
import { fillTemplate } from "./prompt-components.js";
import { createServices } from "./run-architecture.js";

const algorithmNames = ["best-of-n", "refine", "vote"] as const;
type Algorithm = (typeof algorithmNames)[number];

const options = z.strictObject({
  algorithms: z
    .string()
    .min(1)
    .default("best-of-n|refine|vote")
    .describe(
      "The algorithms the selection agent chooses among, `|`-separated: `best-of-n` (n samples, the verification agent's best), `refine` (one sample revised on its feedback), `vote` (n samples, the majority). Default: best-of-n|refine|vote",
    ),
  n: samplesOption(4, "Samples for best-of-n and vote. Default: 4"),
  rounds: z.number().int().min(1).max(16).default(2).describe("Revisions at most for refine. Default: 2"),
  temperature: temperatureOption(0.7),
  threshold: z.number().min(0).max(100).default(90).describe("A reward (0 to 100) that ends refinement and, with mixture, the switching. Default: 90"),
  exploration: z.number().min(0).max(10).default(1).describe("The UCB exploration constant. Default: 1"),
  priorWeight: z.number().min(0).max(10).default(0.5).describe("The bonus (in mean-reward units) of the algorithm the model suggests. Default: 0.5"),
  mixture: z.boolean().default(false).describe("Run further algorithms, by UCB order, while the best reward is under threshold. Default: false"),
});

type Options = z.output<typeof options>;

export const plangenTemplates = {
  constraints:
    "List the constraints a correct solution to the problem below must satisfy: its rules, quantities, limits and the form of the answer. One per line, starting with `- `. Do not solve it.\n\nProblem:\n{problem}",
  select:
    "Problem:\n{problem}\n\nWhich approach suits this problem best?\n- best-of-n: several independent attempts, keep the one that best meets the constraints\n- refine: one careful attempt, improved through feedback\n- vote: several independent attempts, take the most common answer\nAnswer with `Choice: <best-of-n|refine|vote>`.",
  verify:
    "Problem:\n{problem}\n\nConstraints:\n{constraints}\n\nProposed solution:\n{candidate}\n\nCheck the solution against each constraint and say what is wrong, if anything. Then rate how well it satisfies all of them and solves the problem, from 0 to 100, as the last line: `Score: <number>`.",
  revise:
    "Problem:\n{problem}\n\nConstraints:\n{constraints}\n\nA previous solution:\n{candidate}\n\nFeedback on it:\n{feedback}\n\nWrite an improved, complete solution that meets every constraint, ending with the final answer in the same form.",
};

/** Per strategy object: each algorithm's runs and summed reward (0 to 1). */
const statistics = new WeakMap<object, Map<Algorithm, { runs: number; reward: number }>>();

export const plangen = defineStrategy({
  name: "plangen",
  description:
    "Constraint, verification and selection agents: the algorithm chosen per instance by UCB, solutions scored against extracted constraints (PlanGEN)",
  options,
  resolve(settings) {
    algorithmsOf(settings);
    return settings;
  },
  async run(context) {
    const services = createServices(context);
    const constraints = (await services.complete({ prompt: fillTemplate(plangenTemplates.constraints, { problem: services.problem }), temperature: 0 })).trim();
    if (!constraints) services.warn("plangen: no constraints were listed; solutions are scored on the problem alone");
    const suggested = parseChoice(await services.complete({ prompt: fillTemplate(plangenTemplates.select, { problem: services.problem }), temperature: 0 }));
    const stats = statistics.get(context.options) ?? new Map();
    statistics.set(context.options, stats);
    const order = rankByUcb(context.options, stats, suggested);
    const agents = { services, constraints: constraints || "(none listed)", context };
    let best: Scored | undefined;
    const tried: Scored[] = [];
    for (const [position, { algorithm, ucb }] of order.entries()) {
      if (context.meter.signal.aborted || (position > 0 && (!context.options.mixture || (best?.reward ?? 0) >= context.options.threshold))) break;
      const outcome = await runAlgorithm(algorithm, agents);
      const entry = stats.get(algorithm) ?? { runs: 0, reward: 0 };
      stats.set(algorithm, { runs: entry.runs + 1, reward: entry.reward + (outcome.chosen?.reward ?? 0) / 100 });
      context.trace("algorithm", { algorithm, suggested: suggested ?? null, ucb, reward: outcome.chosen?.reward ?? null });
      tried.push(...outcome.all);
      if (outcome.chosen && (best === undefined || outcome.chosen.reward > best.reward)) best = outcome.chosen;
    }
    const candidates = tried.map((item) => item.candidate);
    return { chosen: best?.candidate, confidence: (best?.reward ?? 0) / 100, candidates };
  },
});

type Scored = { candidate: ArchitectureCandidate; reward: number; feedback: string };
type Agents = { services: ComponentServices; constraints: string; context: RunContext<Options> };

async function runAlgorithm(algorithm: Algorithm, agents: Agents): Promise<{ chosen: Scored | undefined; all: Scored[] }> {
  const { services, context } = agents;
  const { n, temperature, rounds, threshold } = context.options;
  if (algorithm === "refine") {
    const [first] = await services.sample({ n: 1, temperature });
    if (!first) return { chosen: undefined, all: [] };
    const all = [await verify(first, agents)];
    for (let round = 0; round < rounds && (all.at(-1)?.reward ?? 0) < threshold && !context.meter.signal.aborted; round++) {
      const last = all.at(-1) as Scored;
      const text = await services.complete({
        prompt: fillTemplate(plangenTemplates.revise, {
          problem: services.problem,
          constraints: agents.constraints,
          candidate: last.candidate.text,
          feedback: last.feedback,
        }),
        temperature,
      });
      if (!text.trim()) break;
      all.push(await verify({ text: text.trim(), answer: services.extractAnswer(text), finishReason: "stop", completionTokens: 0 }, agents));
    }
    return { chosen: highest(all), all };
  }
  const drawn = await services.sample({ n, temperature });
  if (algorithm === "vote") {
    const chosen = firstWithAnswer(drawn, majorityVote(drawn).answer) ?? drawn[0];
    const scored = chosen ? await verify(chosen, agents) : undefined;
    return { chosen: scored, all: drawn.map((candidate) => (candidate === chosen && scored ? scored : { candidate, reward: 0, feedback: "" })) };
  }
  const all = await Promise.all(drawn.map((candidate) => verify(candidate, agents)));
  return { chosen: highest(all), all };
}

/** The verification agent: feedback and a reward from 0 to 100 (0, with a warning, where no score can be read). */
async function verify(candidate: ArchitectureCandidate, agents: Agents): Promise<Scored> {
  const { services, constraints } = agents;
  const reply = await services.complete({
    prompt: fillTemplate(plangenTemplates.verify, { problem: services.problem, constraints, candidate: candidate.text }),
    temperature: 0,
  });
  const reward = parseScore(reply);
  if (reward === undefined && reply) services.warn("plangen: a verification gave no readable score; that solution counts 0");
  candidate.score = (reward ?? 0) / 100;
  candidate.critique = reply.trim();
  return { candidate, reward: reward ?? 0, feedback: reply.trim() };
}

/** The algorithms in the order the modified UCB ranks them: mean reward + exploration + the model's suggestion. */
export function rankByUcb(
  settings: Pick<Options, "algorithms" | "exploration" | "priorWeight">,
  stats: ReadonlyMap<Algorithm, { runs: number; reward: number }>,
  suggested: Algorithm | undefined,
): { algorithm: Algorithm; ucb: number }[] {
  const total = [...stats.values()].reduce((sum, entry) => sum + entry.runs, 0);
  return algorithmsOf(settings)
    .map((algorithm) => {
      const { runs, reward } = stats.get(algorithm) ?? { runs: 0, reward: 0 };
      const mean = runs === 0 ? 0.5 : reward / runs;
      const ucb = mean + settings.exploration * Math.sqrt(Math.log(total + 1) / (runs + 1)) + (algorithm === suggested ? settings.priorWeight : 0);
      return { algorithm, ucb };
    })
    .sort((a, b) => b.ucb - a.ucb);
}

function algorithmsOf(settings: Pick<Options, "algorithms">): Algorithm[] {
  const named = settings.algorithms.split("|").map((name) => name.trim());
  const unknown = named.find((name) => !(algorithmNames as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw new InvalidArgumentError({
      parameter: "algorithms",
      value: unknown,
      message: `plangen: unknown algorithm ${JSON.stringify(unknown)}; use ${algorithmNames.join(", ")}`,
    });
  return [...new Set(named as Algorithm[])];
}

/** `Score: 85`, `**Score:** 85/100`, `score - 85`: the last such number, within 0 to 100. */
export function parseScore(reply: string): number | undefined {
  const matches = [...reply.matchAll(/score\W{0,4}(\d{1,3}(?:\.\d+)?)/gi)];
  const value = Number(matches.at(-1)?.[1]);
  return matches.length > 0 && value >= 0 && value <= 100 ? value : undefined;
}

/** `Choice: refine` (or the first algorithm named), else none. */
export function parseChoice(reply: string): Algorithm | undefined {
  const line = /choice\W{0,4}([a-z-]+)/i.exec(reply)?.[1]?.toLowerCase();
  if (line && (algorithmNames as readonly string[]).includes(line)) return line as Algorithm;
  return algorithmNames
    .map((name) => ({ name, at: reply.toLowerCase().indexOf(name) }))
    .filter((item) => item.at >= 0)
    .sort((a, b) => a.at - b.at)[0]?.name;
}

const highest = (items: Scored[]) =>
  items.reduce<Scored | undefined>((best, item) => (best === undefined || item.reward > best.reward ? item : best), undefined);

export type PlangenOptions = Parameters<typeof plangen.create>[0];

export const createPlangen = (options: PlangenOptions) => plangen.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** PlanGEN ran an algorithm: the one chosen, the one the model suggested, its UCB score and the reward it reached (0 to 100). */
    algorithm: { algorithm: string; suggested: string | null; ucb: number; reward: number | null };
  }
}
