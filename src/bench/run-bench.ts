/**
 * Runs a grid of strategies × budgets over a dataset with bounded concurrency, writing each finished unit
 * to the run store as it completes and skipping units a resumed run already has.
 */
import { setMaxListeners } from "node:events";
import type { LanguageModel } from "../core/language-model.js";
import type { TraceEvent } from "../core/strategy.js";
import type { Verifier } from "../core/verifier.js";
import { createConcurrencyLimit } from "../internal/concurrency-limit.js";
import { answersEquivalent } from "../internal/extract-answer.js";
import { bootstrapMean, passAtK } from "../internal/statistics.js";
import { createStrategy, parseStrategySpec, type StrategySettings } from "../registry/strategies.js";
import { tasks } from "../tasks/splits.js";
import type { BenchItem } from "./datasets.js";
import type { RunStore, UnitRecord } from "./run-store.js";

/** Parses every spec and builds its strategy once, so that a bad spec fails before anything is spent. */
export function validateStrategySpecs(strategies: string[], verifier: Verifier | undefined): { spec: string; name: string; settings: StrategySettings }[] {
  const specs = strategies.map((spec) => ({ spec, ...parseStrategySpec(spec) }));
  for (const { name, settings } of specs) createStrategy({ name, settings: { ...settings, ...(verifier ? { verifier } : {}) } });
  return specs;
}

export type BenchProgress = { done: number; total: number; skipped: number };

export async function runBench(options: {
  store: RunStore;
  runId: string;
  model: LanguageModel;
  items: BenchItem[];
  strategies: string[];
  /** Token budgets; 0 means none. */
  budgets: number[];
  verifier?: Verifier;
  /** Units in flight at once. Defaults to `1` (the embedded backend already parallelises samples). */
  concurrency?: number;
  maxTokens?: number;
  abortSignal?: AbortSignal;
  onProgress?: (progress: BenchProgress) => void;
}): Promise<void> {
  const { store, runId, model, items } = options;
  const specs = validateStrategySpecs(options.strategies, options.verifier);
  const limit = createConcurrencyLimit(options.concurrency ?? 1);
  const units = specs.flatMap(({ spec, name, settings }) =>
    options.budgets.flatMap((budget) => items.map((item, index) => ({ spec, name, settings, budget, item, index }))),
  );
  const progress: BenchProgress = { done: 0, total: units.length, skipped: 0 };
  // Every queued unit listens on the signal; that is expected, not a leak.
  if (options.abortSignal) setMaxListeners(units.length + 20, options.abortSignal);
  await Promise.all(
    units.map((unit) =>
      limit(async () => {
        if (store.hasUnit(runId, unit.item.id, unit.spec, unit.budget)) {
          progress.done++;
          progress.skipped++;
          options.onProgress?.({ ...progress });
          return;
        }
        const strategy = createStrategy({ name: unit.name, settings: { ...unit.settings, ...(options.verifier ? { verifier: options.verifier } : {}) } });
        const prompt = model.formatProblem || unit.item.task ? unit.item.prompt : [{ role: "user" as const, content: unit.item.prompt }];
        const result = await strategy.run({
          model,
          // Seeded by item, so that a rerun on the embedded backend reproduces every unit.
          call: { prompt, maxTokens: options.maxTokens ?? 256, seed: 1_000 + unit.index },
          ...(unit.budget > 0 ? { budget: { maxTokens: unit.budget } } : {}),
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        });
        if (options.abortSignal?.aborted) return;
        const isCorrect = (text: string, answer: string | undefined) =>
          unit.item.task === "countdown"
            ? tasks.countdown.check({ problem: { task: "countdown", prompt: unit.item.prompt, answer: unit.item.answer, solution: "" }, solution: text })
                .correct
            : answersEquivalent(answer, unit.item.answer);
        const correctCandidates = result.candidates.filter((candidate) => isCorrect(candidate.text, candidate.answer)).length;
        const correct =
          unit.item.task === "countdown"
            ? tasks.countdown.check({ problem: { task: "countdown", prompt: unit.item.prompt, answer: unit.item.answer, solution: "" }, solution: result.text })
                .correct
            : answersEquivalent(result.answer, unit.item.answer);
        const record: UnitRecord = {
          itemId: unit.item.id,
          strategy: unit.spec,
          budget: unit.budget,
          difficulty: unit.item.difficulty ?? null,
          correct,
          abstained: result.answer === undefined,
          answer: result.answer ?? null,
          promptTokens: result.usage.promptTokens,
          completionTokens: result.usage.completionTokens,
          calls: result.usage.calls,
          wallMs: result.usage.wallMs,
          detail: {
            expected: unit.item.answer,
            correctCandidates,
            verifierTokens: result.verifierTokens ?? 0,
            cachedPromptTokens: result.usage.cachedPromptTokens ?? 0,
            confidence: result.confidence,
            stopReason: result.stopReason,
            votes: result.votes,
            candidates: result.candidates.map((candidate) => ({ text: candidate.text, answer: candidate.answer ?? null, score: candidate.score ?? null })),
            // Step-level searches record the tree they grew.
            ...searchTreeOf(result.trace),
          },
        };
        store.saveUnit(runId, record);
        progress.done++;
        options.onProgress?.({ ...progress });
      }, options.abortSignal),
    ),
  );
}

function searchTreeOf(trace: TraceEvent[]): { searchTree?: Record<string, unknown> } {
  const event = trace.find((item) => item.type === "search-tree");
  return event?.data ? { searchTree: event.data } : {};
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
