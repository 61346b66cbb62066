import { z } from "zod";
import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { codeAnswer } from "../../tasks/humaneval-program.js";
import { temperatureOption } from "../sampling-options.js";
import { modelTests, problemText, selectByExecution } from "./execution-selection.js";

/** The prompts, after the paper's (Wang et al., 2024, "Planning in natural language improves LLM search for code generation"). */
export const planSearchPrompts = {
  observations:
    'You are an expert Python programmer. Here is a programming problem:\n\n{problem}\n\nDo not solve it yet. List {count} useful, non-obvious observations about the problem that could help solve it, one per line, each starting with "- ".',
  plan: "Here is a programming problem:\n\n{problem}\n\nHere are some observations about it:\n{observations}\n\nUsing these observations, describe in plain language the idea of an algorithm that solves the problem, step by step. Do not write code.",
  code: "Here is a programming problem:\n\n{problem}\n\nHere is a plan for solving it:\n{plan}\n\nImplement this plan in Python. Reply with the complete solution in one ```python code block.",
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/** The observations of a reply: its list items; a reply that is no list is one observation (and a warning). */
export function observationsOf(text: string): { observations: string[]; listed: boolean } {
  const items = text
    .split("\n")
    .map((line) => /^\s*(?:[-*•]|\d+[.)])\s+(.+)$/.exec(line)?.[1]?.trim())
    .filter((item): item is string => Boolean(item));
  if (items.length > 0) return { observations: items, listed: true };
  const whole = text.trim();
  return { observations: whole ? [whole] : [], listed: false };
}

/** Subsets of `size` (at most `limit`, in order), or the whole list when it is shorter. */
function subsets(items: string[], size: number, limit: number): string[][] {
  if (items.length <= size) return [items];
  const found: string[][] = [];
  const walk = (start: number, chosen: string[]) => {
    if (found.length >= limit) return;
    if (chosen.length === size) return void found.push(chosen);
    for (let index = start; index < items.length; index++) walk(index + 1, [...chosen, items[index] as string]);
  };
  walk(0, []);
  return found;
}

/**
 * PlanSearch (Wang et al., 2024): observations about the problem, then for each combination of them a plan in
 * natural language, then a program per plan; the program is chosen by running the candidates on the problem's
 * examples (execution-based selection). Search over ideas rather than over code gives diverse candidates.
 */
export const planSearch = defineStrategy({
  name: "plan-search",
  description: "Observations -> combinations -> plans in plain language -> programs, chosen by running them on the problem's examples (Wang et al., 2024)",
  options: z.strictObject({
    observations: z.number().int().min(1).max(20).default(4).describe("Observations asked for"),
    combinationSize: z.number().int().min(1).max(5).default(2).describe("Observations per combination"),
    plans: z.number().int().min(1).max(64).default(6).describe("Combinations planned (each gives one plan and one program)"),
    temperature: temperatureOption(0.8),
    codeTimeoutMs: z.number().int().min(1).max(600_000).default(10_000).describe("Wall-time limit of each program's run"),
    generatedTests: z.number().int().min(0).max(50).default(5).describe("Tests the model writes where the problem shows no examples (0: none)"),
  }),
  needsSandbox: true,
  async run(context) {
    const options = context.options;
    const problem = problemText(context.call.prompt);
    const ask = async (content: string): Promise<Candidate | undefined> => {
      const prompt: ChatMessage[] = [{ role: "user", content }];
      return (await context.sample({ n: 1, temperature: options.temperature, waveSize: 1, call: { prompt } }))[0];
    };
    const listed = await ask(fill(planSearchPrompts.observations, { problem, count: String(options.observations) }));
    const { observations, listed: wasList } = observationsOf(listed?.text ?? "");
    if (!wasList && observations.length > 0)
      context.warn([{ type: "other", message: "plan-search: the observations came back as no list; used as one observation" }]);
    const combinations = observations.length === 0 ? [[]] : subsets(observations, options.combinationSize, options.plans);
    context.progress(`${observations.length} observations, ${combinations.length} plans`, { observations: observations.length });
    const candidates = await Promise.all(
      combinations.map(async (combination): Promise<Candidate | undefined> => {
        const plan = await ask(fill(planSearchPrompts.plan, { problem, observations: combination.map((item) => `- ${item}`).join("\n") || "(none)" }));
        if (!plan?.text.trim()) return undefined;
        const program = await ask(fill(planSearchPrompts.code, { problem, plan: plan.text.trim() }));
        return program && { ...program, answer: codeAnswer(program.text), completionTokens: program.completionTokens + plan.completionTokens };
      }),
    );
    const drawn = candidates.filter((candidate): candidate is Candidate => candidate !== undefined);
    const selection = await selectByExecution({
      context: context as RunContext<unknown>,
      candidates: drawn,
      problem,
      codeTimeoutMs: options.codeTimeoutMs,
      generateTests: modelTests(context as RunContext<unknown>, problem, options.generatedTests),
    });
    return { ...selection, candidates: drawn };
  },
});

export type PlanSearchOptions = NonNullable<Parameters<typeof planSearch.create>[0]>;

export const createPlanSearch = (options: PlanSearchOptions = {}) => planSearch.create(options);
