/**
 * Runs a grid of strategies × budgets over a dataset with bounded concurrency, writing each finished unit
 * to the run store as it completes and skipping units a resumed run already has.
 */
import { setMaxListeners } from "node:events";
import type { Strategy, StrategyResult, TraceEvent } from "../core/strategy.js";
import { splitSpecList } from "../extension/spec.js";
import { createConcurrencyLimit } from "../internal/concurrency-limit.js";
import { answersEquivalent } from "../internal/extract-answer.js";
import { bootstrapMean, passAtK } from "../internal/statistics.js";
import type { Mull } from "../runtime/create-mull.js";
import { tasks } from "../tasks/splits.js";
import type { BenchItem } from "./datasets.js";
import type { RunStore, UnitRecord } from "./run-store.js";

/** Builds every spec's strategy once (through the runtime), so that a bad spec fails before anything is spent. */
export function validateStrategySpecs(options: { mull: Mull; strategies: string[]; verifier?: string | undefined }): Map<string, Strategy> {
  const verifier = options.verifier !== undefined ? { verifier: options.verifier } : {};
  return new Map(options.strategies.map((spec) => [spec, options.mull.strategy(spec, verifier)]));
}

export { splitSpecList };

export type BenchProgress = { done: number; total: number; skipped: number };

export type BenchOptions = {
  mull: Mull;
  store: RunStore;
  runId: string;
  /** A model spec. */
  model: string;
  /** A verifier spec for strategies that use one. Defaults to the runtime's (the bundled PRM). */
  verifier?: string | undefined;
  items: BenchItem[];
  /** Strategy specs, e.g. `self-consistency:n=8`. */
  strategies: string[];
  /** Token budgets; 0 means none. */
  budgets: number[];
  /** Units in flight at once. Defaults to `1` (the embedded backend already parallelises samples). */
  concurrency?: number;
  /** Most tokens per completion. Defaults to the runtime's (256). */
  maxTokens?: number;
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
  const progress: BenchProgress = { done: 0, total: units.length, skipped: 0 };
  // Every queued unit listens on the signal; that is expected, not a leak.
  if (options.abortSignal) setMaxListeners(units.length + 20, options.abortSignal);
  const runUnit = async (unit: Unit) => {
    if (store.hasUnit(runId, unit.item.id, unit.spec, unit.budget)) {
      progress.skipped++;
    } else {
      const prompt = model.formatProblem || unit.item.task ? unit.item.prompt : [{ role: "user" as const, content: unit.item.prompt }];
      const result = await mull.run({
        strategy: strategies.get(unit.spec) as Strategy,
        model,
        prompt,
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
        // Seeded by item, so that a rerun on the embedded backend reproduces every unit.
        seed: 1_000 + unit.index,
        ...(unit.budget > 0 ? { budget: { maxTokens: unit.budget } } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      if (options.abortSignal?.aborted) return;
      store.saveUnit(runId, toRecord(unit, result));
    }
    progress.done++;
    options.onProgress?.({ ...progress });
  };
  await Promise.all(units.map((unit) => limit(() => runUnit(unit), options.abortSignal)));
}

/** Whether a solution is right: countdown by its checker (any valid expression), else by answer equivalence. */
function isCorrect(item: BenchItem, text: string, answer: string | undefined): boolean {
  if (item.task !== "countdown") return answersEquivalent(answer, item.answer);
  return tasks.countdown.check({ problem: { task: "countdown", prompt: item.prompt, answer: item.answer, solution: "" }, solution: text }).correct;
}

function toRecord(unit: Unit, result: StrategyResult): UnitRecord {
  const { item } = unit;
  return {
    itemId: item.id,
    strategy: unit.spec,
    budget: unit.budget,
    difficulty: item.difficulty ?? null,
    correct: isCorrect(item, result.text, result.answer),
    abstained: result.answer === undefined,
    answer: result.answer ?? null,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    calls: result.usage.calls,
    wallMs: result.usage.wallMs,
    detail: {
      expected: item.answer,
      correctCandidates: result.candidates.filter((candidate) => isCorrect(item, candidate.text, candidate.answer)).length,
      verifierTokens: result.verifierTokens ?? 0,
      cachedPromptTokens: result.usage.cachedPromptTokens ?? 0,
      confidence: result.confidence,
      stopReason: result.stopReason,
      votes: result.votes,
      settings: result.settings,
      candidates: result.candidates.map((candidate) => ({ text: candidate.text, answer: candidate.answer ?? null, score: candidate.score ?? null })),
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
  n: number;
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
  /** Estimated generation compute: 2 × parameters × tokens, where the parameter count is known. */
  gigaflops?: number;
};

/** Per strategy × budget (and per difficulty where the data has it): accuracy with a 95% interval, abstentions, mean tokens, calls and time. */
export function summarize(units: UnitRecord[], options: { parameters?: number } = {}): SummaryRow[] {
  const groups = new Map<string, UnitRecord[]>();
  for (const unit of units) {
    for (const difficulty of ["all", ...(unit.difficulty ? [unit.difficulty] : [])]) {
      const key = JSON.stringify([unit.strategy, unit.budget, difficulty]);
      groups.set(key, [...(groups.get(key) ?? []), unit]);
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return [...groups.entries()].map(([key, group]) => {
    const [strategy, budget, difficulty] = JSON.parse(key) as [string, number, string];
    const { mean: accuracy, low, high } = bootstrapMean(group.map((unit) => (unit.correct ? 1 : 0)));
    return {
      strategy,
      budget,
      difficulty,
      n: group.length,
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
      // A documented approximation: a forward pass costs about 2 FLOPs per parameter per token.
      ...(options.parameters ? { gigaflops: mean(group.map((unit) => (2 * options.parameters! * (unit.promptTokens + unit.completionTokens)) / 1e9)) } : {}),
    };
  });
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
      if (unit.strategy !== first || unit.budget !== budget) continue;
      const other = byKey.get(JSON.stringify([second, budget, unit.itemId]));
      if (other) differences.push((unit.correct ? 1 : 0) - (other.correct ? 1 : 0));
    }
    const { mean, low, high } = bootstrapMean(differences);
    return { budget, items: differences.length, difference: mean, low, high };
  });
}

export function formatSummary(rows: SummaryRow[]): string {
  const lines = [
    "| strategy | budget | difficulty | n | accuracy | 95% interval | pass@1 | coverage | abstain | prompt tok | completion tok | verifier tok | calls | ms | GFLOPs |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.strategy} | ${row.budget || "none"} | ${row.difficulty} | ${row.n} | ${(100 * row.accuracy).toFixed(1)}% | ${(100 * row.low).toFixed(1)}–${(100 * row.high).toFixed(1)}% | ${(100 * row.passAt1).toFixed(1)}% | ${(100 * row.coverage).toFixed(1)}% | ${(100 * row.abstention).toFixed(0)}% | ${row.promptTokens.toFixed(0)} | ${row.completionTokens.toFixed(0)} | ${row.verifierTokens.toFixed(0)} | ${row.calls.toFixed(1)} | ${row.wallMs.toFixed(0)} | ${row.gigaflops === undefined ? "" : row.gigaflops.toFixed(3)} |`,
    );
  }
  return lines.join("\n");
}
