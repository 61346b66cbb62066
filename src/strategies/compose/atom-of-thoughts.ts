/**
 * Atom of Thoughts (Teng et al., 2025), with Divide-and-Conquer reasoning's shape: decompose the question into
 * sub-questions with their dependencies, solve the independent ones (the atoms) apart and in parallel, each by
 * a vote of `n` samples, contract them into a simpler self-contained question, and repeat; the last question is
 * answered by a vote. Each step depends only on the current question (a Markov process), so no long history is
 * carried. `decomposer=prompt` has the model decompose and contract (a chat model); `decomposer=arith` is a task
 * decomposer standing in for the bundled policy, which cannot decompose: the expression's tree is the
 * dependency graph and every atom is one operation (`arith-decomposer.ts`).
 */
import { z } from "zod";
import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { arithAtoms, contractArith, parseArithProblem, printArith } from "../../tasks/arith-decomposer.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { fillTemplate } from "./prompt-components.js";
import { createServices } from "./run-architecture.js";

const options = z.strictObject({
  decomposer: z
    .enum(["prompt", "arith"])
    .default("prompt")
    .describe("Who decomposes and contracts: the model, by prompt; or, for arith problems, the expression's tree. Default: prompt"),
  n: samplesOption(3, "Samples per atom (and for the last question), voted. Default: 3"),
  temperature: temperatureOption(0.7),
  maxRounds: z
    .number()
    .int()
    .min(1)
    .max(32)
    .default(4)
    .describe("Decompose-and-contract steps at most (prompt decomposer; the arith one goes on until the expression is a number). Default: 4"),
  atomMaxTokens: z.number().int().min(1).max(100_000).optional().describe("Most tokens per atom's sample. Default: the run's"),
});

type Options = z.output<typeof options>;

export const templates = {
  decompose:
    "Break the problem below into the sub-questions it takes to solve it, simplest first. Write one per line as `1. <sub-question>`; after a sub-question that needs the answers of earlier ones, add `(needs 1, 2)`. If the problem is a single simple step already, write only `ATOMIC`.\n\nProblem:\n{problem}",
  atom: "{question}\n\nAnswer it briefly and end with the answer after ####.",
  contract:
    "Problem:\n{problem}\n\nThese sub-questions are answered:\n{solved}\n\nRewrite the problem as one self-contained question that takes these answers as given and is simpler than the problem. Keep any instruction about the answer's form. Write only the new question.",
};

export const atomOfThoughts = defineStrategy({
  name: "atom-of-thoughts",
  description: "Decomposes into independent sub-questions, solves them apart by vote, contracts into a simpler question, repeats (Atom of Thoughts)",
  options,
  rawPrompt: (settings) => (settings.decomposer === "arith" ? "the arith decomposer reads the expression from the raw prompt" : undefined),
  async run(context) {
    return context.options.decomposer === "arith" ? runArith(context) : runPrompt(context);
  },
});

/** Draws `n` samples for a prompt of its own and votes: an atom's (or the last question's) answer. */
function atomSolver(context: RunContext<Options>) {
  let calls = 0;
  return async (prompt: string | ChatMessage[]) => {
    const seed = seedAt(context.call.seed, ++calls, callSeedStride);
    const { n, temperature, atomMaxTokens } = context.options;
    const candidates = await context.sample({
      n,
      waveSize: context.waveSize(n, undefined),
      temperature,
      call: { prompt, ...(atomMaxTokens ? { maxTokens: atomMaxTokens } : {}), ...(seed !== undefined ? { seed } : {}) },
    });
    return { candidates, ...majorityVote(candidates) };
  };
}

async function runArith(context: RunContext<Options>): Promise<RunOutcome> {
  const solve = atomSolver(context);
  let tree = parseArithProblem(context.rawPrompt());
  const steps: string[] = [];
  let [tokens, confidence] = [0, 1];
  for (let round = 0; tree.kind !== "number" && !context.meter.signal.aborted; round++) {
    const atoms = arithAtoms(tree);
    const solved = await Promise.all(atoms.map((atom) => solve(atom.prompt)));
    const values = new Map<(typeof atoms)[number]["node"], number>();
    atoms.forEach((atom, index) => {
      const { answer, confidence: share, candidates } = solved[index] as Awaited<ReturnType<typeof solve>>;
      tokens += candidates.reduce((sum, candidate) => sum + candidate.completionTokens, 0);
      const value = answer !== undefined && /^-?\d+$/.test(answer) ? atom.value(Number(answer)) : undefined;
      if (value === undefined) return;
      values.set(atom.node, value);
      steps.push(`${atom.step}=${value}`);
      confidence *= share;
    });
    const next = contractArith(tree, values);
    context.trace("atoms", {
      round,
      question: printArith(tree),
      atoms: atoms.map((atom, index) => ({ question: atom.prompt, answer: solved[index]?.answer, votes: solved[index]?.votes ?? {} })),
      ...(next.kind === "number" ? {} : { contracted: printArith(next) }),
    });
    if (values.size < atoms.length) {
      if (!context.meter.signal.aborted)
        context.warn([{ type: "other", message: "atom-of-thoughts: an atom's vote gave no number; the run stops without an answer" }]);
      break;
    }
    tree = next;
  }
  const answer = tree.kind === "number" ? String(tree.value) : undefined;
  const chosen: Candidate = {
    text: [...steps, ...(answer !== undefined ? [`#### ${answer}`] : [])].join("\n"),
    answer,
    finishReason: answer !== undefined ? "stop" : "length",
    completionTokens: tokens,
  };
  return { chosen, confidence: answer !== undefined ? confidence : 0, candidates: [chosen] };
}

async function runPrompt(context: RunContext<Options>): Promise<RunOutcome> {
  const services = createServices(context);
  const solve = atomSolver(context);
  const original = services.problem;
  let question = original;
  for (let round = 0; round < context.options.maxRounds && !context.meter.signal.aborted; round++) {
    const reply = await services.complete({ prompt: fillTemplate(templates.decompose, { problem: question }), temperature: 0 });
    const parts = parseSubQuestions(reply);
    if (parts === "atomic") break;
    const atoms = parts.filter((part) => part.needs.length === 0);
    if (parts.length < 2 || atoms.length === 0) {
      if (parts.length === 0 || atoms.length === 0) services.warn("atom-of-thoughts: the decomposition could not be read; the question is answered as it is");
      break;
    }
    const solved = await Promise.all(atoms.map((atom) => solve([{ role: "user", content: fillTemplate(templates.atom, { question: atom.question }) }])));
    const list = atoms.map((atom, index) => `- ${atom.question} Answer: ${solved[index]?.answer ?? "(none)"}`).join("\n");
    const contracted = (await services.complete({ prompt: fillTemplate(templates.contract, { problem: question, solved: list }), temperature: 0 })).trim();
    context.trace("atoms", {
      round,
      question,
      atoms: atoms.map((atom, index) => ({ question: atom.question, answer: solved[index]?.answer, votes: solved[index]?.votes ?? {} })),
      ...(contracted ? { contracted } : {}),
    });
    if (!contracted) {
      services.warn("atom-of-thoughts: an empty contraction; the question before it is answered");
      break;
    }
    question = contracted;
  }
  // The last question is answered by a vote; unchanged, it is the run's own prompt (its format kept).
  const final = await solve(question === original ? context.call.prompt : [{ role: "user", content: question }]);
  context.trace("vote", { answer: final.answer, votes: final.votes });
  return {
    chosen: firstWithAnswer(final.candidates, final.answer) ?? final.candidates[0],
    confidence: final.confidence,
    candidates: final.candidates,
    votes: final.votes,
  };
}

/** `1. sub-question (needs 1, 2)` lines; `ATOMIC` alone; an empty list where nothing could be read. */
export function parseSubQuestions(reply: string): { question: string; needs: number[] }[] | "atomic" {
  const parts: { question: string; needs: number[] }[] = [];
  for (const line of reply.split("\n")) {
    const match = /^\s*(?:[-*]\s*)?(?:\*\*)?(?:sub-?question\s*)?(\d+)[.):]\s*(?:\*\*)?\s*(.+)$/i.exec(line);
    if (!match?.[2]) continue;
    const needsMatch = /\((?:needs|depends on)\s*([^)]*)\)/i.exec(match[2]);
    const needs = needsMatch ? [...(needsMatch[1] ?? "").matchAll(/\d+/g)].map((item) => Number(item[0])).filter((index) => index < Number(match[1])) : [];
    const question = match[2].replace(/\((?:needs|depends on)[^)]*\)/i, "").trim();
    if (question) parts.push({ question, needs });
  }
  if (parts.length === 0 && /\bATOMIC\b/.test(reply)) return "atomic";
  return parts;
}

export type AtomOfThoughtsOptions = Parameters<typeof atomOfThoughts.create>[0];

export const createAtomOfThoughts = (options: AtomOfThoughtsOptions) => atomOfThoughts.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /**
     * Atom of Thoughts took one step: the question it worked on, its independent sub-questions (atoms) with the
     * answers their votes gave, and the simpler question it contracted them into (absent: the answer was reached).
     */
    atoms: { round: number; question: string; atoms: { question: string; answer: string | undefined; votes: Record<string, number> }[]; contracted?: string };
  }
}
