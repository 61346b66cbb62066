/**
 * Runs a grid of strategies × budgets over a dataset with bounded concurrency, writing each finished unit
 * to the run store as it completes and skipping units a resumed run already has. A unit that cannot run
 * (a prompt longer than the context, calls that still fail after retries) is stored as an error with its
 * reason and the run goes on; a resumed run retries errored units unless told to keep them.
 */

import { setMaxListeners } from "node:events";
import { type AnswerGrading, type AnswerGradingOptions, createAnswerGrading } from "../answers/answer-grading.js";
import { extractChoice } from "../answers/choice-answer.js";
import type { ChatMessage } from "../core/call-options.js";
import type { CodeSandbox } from "../core/code-sandbox.js";
import { type Compute, flopsPerParameterToken } from "../core/compute-cost.js";
import { DisposedError } from "../core/errors/disposed-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { MissingPackageError } from "../core/errors/missing-package-error.js";
import { ModelLoadError } from "../core/errors/model-load-error.js";
import { MullError } from "../core/errors/mull-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Strategy, StrategyResult, TraceEvent } from "../core/strategy.js";
import { splitSpecList } from "../extension/spec.js";
import { createConcurrencyLimit } from "../internal/concurrency-limit.js";
import { bootstrapMean, passAtK } from "../internal/statistics.js";
import type { Mull } from "../runtime/create-mull.js";
import { codeAnswer, humanEvalProgram } from "../tasks/humaneval-program.js";
import { tasks } from "../tasks/splits.js";
import { type BudgetController, createBudgetController } from "./budget-total.js";
import type { AnswerStyle, BenchItem, WorkedExample } from "./datasets.js";
import type { RunStore, UnitRecord } from "./run-store.js";

/** Builds every spec's strategy once (through the runtime), so that a bad spec fails before anything is spent. */
export function validateStrategySpecs(options: { mull: Mull; strategies: string[]; verifier?: string | undefined }): Map<string, Strategy> {
  const verifier = options.verifier !== undefined ? { verifier: options.verifier } : {};
  return new Map(options.strategies.map((spec) => [spec, options.mull.strategy(spec, verifier)]));
}

export { splitSpecList };

export type BenchProgress = { done: number; total: number; skipped: number; errors: number };

export type BenchOptions = {
  mull: Mull;
  store: RunStore;
  runId: string;
  /** A model spec. */
  model: string;
  /** A verifier spec for strategies that use one. Defaults to the runtime's (the bundled PRM). */
  verifier?: string | undefined;
  items: BenchItem[];
  /** Strategy specs (`<name>:n=8`). */
  strategies: string[];
  /** Token budgets; 0 means none. */
  budgets: number[];
  /** Units in flight at once. Defaults to `1` (the embedded backend already parallelises samples). */
  concurrency?: number;
  /** Most tokens per completion. Defaults to the runtime's (256). */
  maxTokens?: number;
  /** A thinking budget for every call (see `CallOptions.maxReasoningTokens`). Defaults to none. */
  maxReasoningTokens?: number;
  /** How answers are extracted and compared (a pattern, strict equations, a tolerance). Defaults to the standard grading. */
  answers?: AnswerGradingOptions;
  /** Worked examples shown before each question (see `DatasetOptions.fewShot`). Defaults to none. */
  examples?: WorkedExample[];
  /** Run errored units of a resumed run again. Defaults to `true`. */
  retryErrors?: boolean;
  /**
   * One generated-token budget for all the items of each strategy that prices its spending (`allocatesBudget`):
   * the batch allocator (`budget-total.ts`) prices tokens per question so that the set spends about this much.
   * Defaults to none.
   */
  budgetTotal?: number;
  abortSignal?: AbortSignal;
  onProgress?: (progress: BenchProgress) => void;
};

type Unit = { spec: string; budget: number; item: BenchItem; index: number };

export async function runBench(options: BenchOptions): Promise<void> {
  const { store, runId, items, mull } = options;
  const strategies = validateStrategySpecs(options);
  const model = mull.model(options.model);
  const limit = createConcurrencyLimit(options.concurrency ?? 1);
  const units: Unit[] = options.strategies.flatMap((spec) => options.budgets.flatMap((budget) => items.map((item, index) => ({ spec, budget, item, index }))));
  const progress: BenchProgress = { done: 0, total: units.length, skipped: 0, errors: 0 };
  const retryErrors = options.retryErrors ?? true;
  const grading = createAnswerGrading(options.answers);
  // Every queued unit listens on the signal; that is expected, not a leak.
  if (options.abortSignal) setMaxListeners(units.length + 20, options.abortSignal);
  const allocators = batchAllocators(options, items.length);
  /** One unit's record: its result, or its error where the unit cannot run (a bug or a cancel is thrown). */
  const recordOf = async (unit: Unit): Promise<UnitRecord> => {
    const allocator = allocators.get(unit.spec);
    const priced = allocator?.controller.start();
    try {
      const result = await mull.run({
        strategy: priced && allocator ? allocator.strategy(priced.price) : (strategies.get(unit.spec) as Strategy),
        model,
        prompt: promptOf(unit.item, model, options.examples ?? []),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
        ...(options.maxReasoningTokens !== undefined ? { maxReasoningTokens: options.maxReasoningTokens } : {}),
        // Seeded by item, so that a rerun on the embedded backend reproduces every unit.
        seed: 1_000 + unit.index,
        ...(unit.budget > 0 ? { budget: { maxTokens: unit.budget } } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        extractAnswer: extractorFor(unit.item, grading),
      });
      if (priced) allocator?.controller.finish(priced, result.usage.completionTokens);
      const graded = unit.item.code ? await gradeCode(unit.item.prompt, unit.item.code, result, mull.sandbox) : gradeAnswers(unit.item, result, grading);
      return toRecord(unit, result, graded);
    } catch (error) {
      if (priced) allocator?.controller.finish(priced, 0);
      if (options.abortSignal?.aborted || !isUnitError(error)) throw error;
      progress.errors++;
      return erroredRecord(unit, error);
    }
  };
  const runUnit = async (unit: Unit) => {
    if (store.hasUnit(runId, unit.item.id, unit.spec, unit.budget, { retryErrors })) {
      progress.skipped++;
    } else {
      const record = await recordOf(unit);
      if (options.abortSignal?.aborted) return;
      store.saveUnit(runId, record);
    }
    progress.done++;
    options.onProgress?.({ ...progress });
  };
  await Promise.all(units.map((unit) => limit(() => runUnit(unit), options.abortSignal)));
}

/** How a unit's answers are read: a program for code, an option's letter for multiple choice (through its options), else the grading's extraction. */
function extractorFor(item: BenchItem, grading: AnswerGrading): (text: string) => string | undefined {
  if (item.code) return codeAnswer;
  const { choices } = item;
  // A user's answer pattern wins; otherwise a letter however it is written, or an option's text.
  if (choices && !grading.custom) return (text) => extractChoice(text, choices);
  return grading.extract;
}

/**
 * With `budgetTotal`: a batch allocator per spec that prices its spending, starting from what a resumed run's
 * stored units of that spec already spent, and the strategy at a price.
 */
function batchAllocators(options: BenchOptions, questions: number) {
  const allocators = new Map<string, { controller: BudgetController; strategy: (price: number) => Strategy }>();
  if (options.budgetTotal === undefined) return allocators;
  const stored = options.store.units(options.runId);
  for (const { spec, spendAtPrice, priceOption } of budgetTotalSpecs(options)) {
    const done = stored.filter((unit) => unit.strategy === spec && unit.error === undefined);
    const controller = createBudgetController({
      spendAtPrice,
      total: options.budgetTotal,
      questions,
      spent: done.reduce((sum, unit) => sum + unit.completionTokens, 0),
      done: done.length,
    });
    const verifier = options.verifier !== undefined ? { verifier: options.verifier } : {};
    allocators.set(spec, { controller, strategy: (price) => options.mull.strategy({ spec, options: { [priceOption]: price } }, verifier) });
  }
  return allocators;
}

/** The specs a set budget applies to (those that price their spending); refuses a set budget with none, or with per-unit budgets. */
export function budgetTotalSpecs(options: { mull: Mull; strategies: string[]; budgets: number[] }) {
  if (options.budgets.some((budget) => budget > 0))
    throw new InvalidArgumentError({ parameter: "--budget-total", message: "is one budget for the whole set: leave --budgets at none" });
  const specs = options.strategies.flatMap((spec) => {
    const { definition, input } = options.mull.parseStrategy(spec);
    const spendAtPrice = definition.allocatesBudget?.spendAtPrice(definition.parseOptions(input));
    return spendAtPrice && definition.allocatesBudget ? [{ spec, spendAtPrice, priceOption: definition.allocatesBudget.priceOption }] : [];
  });
  if (specs.length === 0) {
    const usages = options.mull.strategies.list().flatMap((definition) => (definition.allocatesBudget ? [definition.allocatesBudget.usage] : []));
    throw new InvalidArgumentError({ parameter: "--budget-total", message: `needs a strategy that prices its spending (${usages.join("; ")})` });
  }
  return specs;
}

/**
 * What a chat model is asked besides the question, by the answer the item wants: the reasoning and where
 * the final answer goes, in the forms the answer extraction reads first. `--template` replaces it.
 */
export const chatInstructions: Record<AnswerStyle, string> = {
  number: "Solve the problem step by step. Write the final answer as a number on the last line, after ####.",
  boxed: "Solve the problem step by step, and put your final answer within \\boxed{}.",
  choice: 'Think step by step, then finish with "Answer: X", where X is the letter of the correct option.',
  code: "Complete the following Python function. Reply with the whole function in one ```python code block.",
};

/**
 * What reaches the model: mull's own problems as they are (already in the bundled model's format), a
 * templated prompt as written, and a bare question in the model's own format, or for a chat model as a user
 * message with the instruction its answer style calls for.
 */
function promptOf(item: BenchItem, model: LanguageModel, examples: readonly WorkedExample[]): string | ChatMessage[] {
  if (item.task) return item.prompt;
  const instruction = chatInstructions[item.answerStyle ?? "boxed"];
  const question = (prompt: string, templated: boolean) =>
    templated
      ? prompt
      : model.formatProblem
        ? model.formatProblem(prompt)
        : item.code
          ? `${instruction}\n\n\`\`\`python\n${prompt}\`\`\``
          : `${prompt}\n\n${instruction}`;
  // A raw-prompt model sees the examples as solved problems before the question; a chat model as earlier turns.
  if (model.formatProblem)
    return `${examples.map((example) => `${question(example.prompt, example.templated)}${example.solution}\n\n`).join("")}${question(item.prompt, item.templated === true)}`;
  const turns = examples.flatMap((example): ChatMessage[] => [
    { role: "user", content: question(example.prompt, example.templated) },
    { role: "assistant", content: example.solution },
  ]);
  return [...turns, { role: "user", content: question(item.prompt, item.templated === true) }];
}

/**
 * A failure of this unit alone (its prompt, its calls), stored as an error; anything else (the model cannot
 * load, a package is missing, a bug) would fail every unit the same way and stops the run.
 */
function isUnitError(error: unknown): error is MullError {
  return MullError.isInstance(error) && !ModelLoadError.isInstance(error) && !MissingPackageError.isInstance(error) && !DisposedError.isInstance(error);
}

function erroredRecord(unit: Unit, error: MullError): UnitRecord {
  return {
    itemId: unit.item.id,
    strategy: unit.spec,
    budget: unit.budget,
    difficulty: unit.item.difficulty ?? null,
    correct: false,
    abstained: false,
    answer: null,
    promptTokens: 0,
    completionTokens: 0,
    calls: 0,
    wallMs: 0,
    detail: { expected: unit.item.answer, ...(unit.item.group ? { group: unit.item.group } : {}), errorName: error.name },
    error: error.message,
  };
}

/** Whether a solution is right: countdown by its checker (any valid expression), else by answer equivalence. */
function isCorrect(item: BenchItem, text: string, answer: string | undefined, grading: AnswerGrading): boolean {
  if (item.task !== "countdown") return grading.equivalent(answer, item.answer);
  return tasks.countdown.check({ problem: { task: "countdown", prompt: item.prompt, answer: item.answer, solution: "" }, solution: text }).correct;
}

type Graded = { correct: boolean; candidates: boolean[] };

function gradeAnswers(item: BenchItem, result: StrategyResult, grading: AnswerGrading): Graded {
  return {
    correct: isCorrect(item, result.text, result.answer, grading),
    candidates: result.candidates.map((candidate) => isCorrect(item, candidate.text, candidate.answer, grading)),
  };
}

/**
 * A code item's grades: each distinct program (the chosen answer's and every candidate's) runs the item's tests
 * in the sandbox once; it passes when it exits normally. Candidates graded this way give pass@k by execution.
 */
async function gradeCode(prompt: string, code: NonNullable<BenchItem["code"]>, result: StrategyResult, sandbox: CodeSandbox): Promise<Graded> {
  const verdicts = new Map<string, Promise<boolean>>();
  const passes = (answer: string | undefined) => {
    if (answer === undefined) return Promise.resolve(false);
    let verdict = verdicts.get(answer);
    if (!verdict) {
      const program = humanEvalProgram({ prompt, test: code.test, entryPoint: code.entryPoint, completion: answer });
      verdict = sandbox.run({ language: "python", code: program, timeoutMs: 20_000 }).then((run) => run.exitReason === "ok");
      verdicts.set(answer, verdict);
    }
    return verdict;
  };
  const [correct, ...candidates] = await Promise.all([passes(result.answer), ...result.candidates.map((candidate) => passes(candidate.answer))]);
  return { correct: correct === true, candidates };
}

function toRecord(unit: Unit, result: StrategyResult, graded: Graded): UnitRecord {
  const { item } = unit;
  return {
    itemId: item.id,
    strategy: unit.spec,
    budget: unit.budget,
    difficulty: item.difficulty ?? null,
    correct: graded.correct,
    abstained: result.answer === undefined,
    answer: result.answer ?? null,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    calls: result.usage.calls,
    wallMs: result.usage.wallMs,
    detail: {
      expected: item.answer,
      ...(item.group ? { group: item.group } : {}),
      correctCandidates: graded.candidates.filter(Boolean).length,
      verifierTokens: result.verifierTokens ?? 0,
      ...(result.compute ? { compute: result.compute } : {}),
      cachedPromptTokens: result.usage.cachedPromptTokens ?? 0,
      confidence: result.confidence,
      stopReason: result.stopReason,
      votes: result.votes,
      settings: result.settings,
      // Per candidate what `mull tune` replays: its answer, whether it is right, its tokens and its signals.
      candidates: result.candidates.map((candidate, index) => ({
        text: candidate.text,
        answer: candidate.answer ?? null,
        score: candidate.score ?? null,
        correct: graded.candidates[index] === true,
        completionTokens: candidate.completionTokens,
        ...(candidate.confidence ? { confidence: candidate.confidence } : {}),
      })),
      // Step-level searches record the tree they grew.
      ...searchTreeOf(result.trace),
    },
  };
}

function searchTreeOf(trace: TraceEvent[]): { searchTree?: Extract<TraceEvent, { type: "search-tree" }>["data"] } {
  const event = trace.find((item): item is Extract<TraceEvent, { type: "search-tree" }> => item.type === "search-tree");
  return event ? { searchTree: event.data } : {};
}

export type SummaryRow = {
  strategy: string;
  budget: number;
  difficulty: string;
  /** Units scored (errored units are counted apart, in `errors`). */
  n: number;
  /** Units that could not run (e.g. a prompt longer than the context); not in `n` or any mean. */
  errors: number;
  accuracy: number;
  low: number;
  high: number;
  abstention: number;
  promptTokens: number;
  completionTokens: number;
  calls: number;
  wallMs: number;
  /** Unbiased pass@1 over each unit's candidates, and coverage (any candidate correct). */
  passAt1: number;
  coverage: number;
  /** Tokens verifiers evaluated, apart from the policy's. */
  verifierTokens: number;
  /**
   * Compute of every model the units called, each at its own size (2 FLOPs per parameter per token), the verifier
   * included, in GFLOPs; where a stored unit lacks it (an older run), 2 × `parameters` × the policy's tokens.
   */
  gigaflops?: number;
  /** Of `gigaflops`, the verifier's; absent where it is not known. */
  verifierGigaflops?: number;
  /** Mean money per unit, where every model called has a price. */
  money?: number;
};

/**
 * Per strategy × budget (and per difficulty where the data has it): accuracy with a 95% interval, abstentions,
 * mean tokens, calls and time over the units that ran, and how many could not run.
 */
export function summarize(units: UnitRecord[], options: { parameters?: number } = {}): SummaryRow[] {
  const groups = new Map<string, UnitRecord[]>();
  const errors = new Map<string, number>();
  for (const unit of units) {
    for (const difficulty of ["all", ...(unit.difficulty ? [unit.difficulty] : [])]) {
      const key = JSON.stringify([unit.strategy, unit.budget, difficulty]);
      const group = groups.get(key) ?? [];
      groups.set(key, group);
      if (unit.error !== undefined) errors.set(key, (errors.get(key) ?? 0) + 1);
      else group.push(unit);
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const rows = [...groups.entries()].map(([key, group]): SummaryRow => {
    const [strategy, budget, difficulty] = JSON.parse(key) as [string, number, string];
    const { mean: accuracy, low, high } = bootstrapMean(group.map((unit) => (unit.correct ? 1 : 0)));
    return {
      strategy,
      budget,
      difficulty,
      n: group.length,
      errors: errors.get(key) ?? 0,
      accuracy,
      low,
      high,
      abstention: mean(group.map((unit) => (unit.abstained ? 1 : 0))),
      promptTokens: mean(group.map((unit) => unit.promptTokens)),
      completionTokens: mean(group.map((unit) => unit.completionTokens)),
      calls: mean(group.map((unit) => unit.calls)),
      wallMs: mean(group.map((unit) => unit.wallMs)),
      passAt1: mean(group.map((unit) => passAtK(candidateCount(unit), Number(unit.detail.correctCandidates ?? 0), 1))),
      coverage: mean(group.map((unit) => (Number(unit.detail.correctCandidates ?? 0) > 0 ? 1 : 0))),
      verifierTokens: mean(group.map((unit) => Number(unit.detail.verifierTokens ?? 0))),
      ...computeColumns(group, options.parameters),
    };
  });
  return sortRows(rows);
}

/** The compute columns of a group: what the units stored, else the policy-only estimate from a parameter count. */
function computeColumns(group: UnitRecord[], parameters: number | undefined): Pick<SummaryRow, "gigaflops" | "verifierGigaflops" | "money"> {
  const computes = group.map((unit) => unit.detail.compute as Compute | undefined);
  const average = (pick: (compute: Compute) => number | undefined) => {
    const values = computes.map((compute) => (compute ? pick(compute) : undefined));
    return values.length > 0 && values.every((value) => value !== undefined) ? values.reduce((sum, value) => sum + value, 0) / values.length : undefined;
  };
  const flops = average((compute) => compute.flops);
  const verifierFlops = average((compute) => compute.verifierFlops);
  const money = average((compute) => compute.money);
  // A forward pass costs about 2 FLOPs per parameter per token (the policy alone: what older runs can tell).
  const estimate =
    flops === undefined && parameters
      ? group.reduce((sum, unit) => sum + flopsPerParameterToken * parameters * (unit.promptTokens + unit.completionTokens), 0) / group.length
      : undefined;
  const gigaflops = flops ?? estimate;
  return {
    ...(gigaflops !== undefined ? { gigaflops: gigaflops / 1e9 } : {}),
    ...(flops !== undefined && verifierFlops !== undefined ? { verifierGigaflops: verifierFlops / 1e9 } : {}),
    ...(money !== undefined ? { money } : {}),
  };
}

/** Each strategy × budget in the order first seen, its `all` row first, then its difficulties in natural order (Level 2 before Level 10). */
function sortRows(rows: SummaryRow[]): SummaryRow[] {
  const firstSeen = new Map<string, number>();
  for (const row of rows) {
    const key = JSON.stringify([row.strategy, row.budget]);
    if (!firstSeen.has(key)) firstSeen.set(key, firstSeen.size);
  }
  const rank = (row: SummaryRow) => firstSeen.get(JSON.stringify([row.strategy, row.budget])) as number;
  return rows.sort(
    (a, b) =>
      rank(a) - rank(b) || Number(b.difficulty === "all") - Number(a.difficulty === "all") || a.difficulty.localeCompare(b.difficulty, "en", { numeric: true }),
  );
}

const candidateCount = (unit: UnitRecord) => Math.max(1, Array.isArray(unit.detail.candidates) ? unit.detail.candidates.length : 1);

/** Paired difference of accuracy between two strategies on the same items and budget, with a 95% bootstrap interval. */
export function compareStrategies(
  units: UnitRecord[],
  first: string,
  second: string,
): { budget: number; items: number; difference: number; low: number; high: number }[] {
  const byKey = new Map<string, UnitRecord>();
  for (const unit of units) byKey.set(JSON.stringify([unit.strategy, unit.budget, unit.itemId]), unit);
  const budgets = [...new Set(units.map((unit) => unit.budget))];
  return budgets.map((budget) => {
    const differences: number[] = [];
    for (const unit of units) {
      if (unit.strategy !== first || unit.budget !== budget || unit.error !== undefined) continue;
      const other = byKey.get(JSON.stringify([second, budget, unit.itemId]));
      if (other && other.error === undefined) differences.push((unit.correct ? 1 : 0) - (other.correct ? 1 : 0));
    }
    const { mean, low, high } = bootstrapMean(differences);
    return { budget, items: differences.length, difference: mean, low, high };
  });
}

/** A share as a percentage, or a dash where no unit ran (every unit errored). */
const percentOrDash = (value: number) => (Number.isNaN(value) ? "–" : `${(100 * value).toFixed(1)}%`);

export function formatSummary(rows: SummaryRow[]): string {
  const lines = [
    "| strategy | budget | difficulty | n | errors | accuracy | 95% interval | pass@1 | coverage | abstain | prompt tok | completion tok | verifier tok | calls | ms | GFLOPs (all models) | of them verifier | money |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.strategy} | ${row.budget || "none"} | ${row.difficulty} | ${row.n} | ${row.errors} | ${percentOrDash(row.accuracy)} | ${percentOrDash(row.low)}–${percentOrDash(row.high)} | ${(100 * row.passAt1).toFixed(1)}% | ${(100 * row.coverage).toFixed(1)}% | ${(100 * row.abstention).toFixed(0)}% | ${row.promptTokens.toFixed(0)} | ${row.completionTokens.toFixed(0)} | ${row.verifierTokens.toFixed(0)} | ${row.calls.toFixed(1)} | ${row.wallMs.toFixed(0)} | ${row.gigaflops === undefined ? "" : row.gigaflops.toFixed(3)} | ${row.verifierGigaflops === undefined ? "" : row.verifierGigaflops.toFixed(3)} | ${row.money === undefined ? "" : row.money.toPrecision(3)} |`,
    );
  }
  return lines.join("\n");
}
