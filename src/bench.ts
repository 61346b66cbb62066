/**
 * `mull/bench`: datasets, the grid runner, the SQLite run store (better-sqlite3), the HTML report (vega), and
 * `mull tune`'s search (with `auto`'s plan, probe and profile, which it replays) and the batch allocator.
 */

export { type BenchSuite, benchSuiteSchema, parseBenchSuite } from "./bench/bench-suite.js";
export { type BudgetController, createBudgetController, priceFor, type SpendCurve } from "./bench/budget-total.js";
export { type BenchItem, type DatasetLoadResult, type DatasetOptions, loadDataset } from "./bench/datasets.js";
export { renderReport } from "./bench/report.js";
export { type BenchOptions, type BenchProgress, compareStrategies, formatSummary, runBench, type SummaryRow, summarize } from "./bench/run-bench.js";
export { type RunRecord, RunStore, type UnitRecord } from "./bench/run-store.js";
export { type PoolItem, poolsFromUnits } from "./bench/sample-pool.js";
export { areaUnderRoc, bootstrapMean, passAtK } from "./internal/statistics.js";
export { type AutoAction, autoActionSchema, describeAction } from "./strategies/auto/auto-plan.js";
export { type DifficultyEstimate, estimateDifficulty, fitDifficultyEstimate, type ProbeFeatures, probeFeatures } from "./strategies/auto/auto-probe.js";
export { type AutoProfile, autoProfileSchema, loadProfile, PROFILE_VERSION, parseProfile } from "./strategies/auto/auto-profile.js";
export { majorityReference, replayQuestion, type TuneObjective, type TuneOptions, type TuneResult, tuneProfile } from "./strategies/auto/tune-profile.js";
export { type ArithOptions, arith, solveArith } from "./tasks/arith.js";
export { type CountdownOptions, canReach, countdown } from "./tasks/countdown.js";
export { loadSplit, splitDefinitions, tasks } from "./tasks/splits.js";
export type { Difficulty, SolutionCheck, Task, TaskProblem } from "./tasks/task.js";
