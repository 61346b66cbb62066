/**
 * mull: inference-time compute for language models. The library entry loads no native code:
 * node-llama-cpp is imported only when an embedded model is first used.
 */

export {
  BUNDLED_POLICY_MODEL,
  BUNDLED_PRM_MODEL,
  createLlamaCppModel,
  type LlamaCppModel,
  type LlamaCppModelSettings,
} from "./backends/llama-cpp/llama-cpp-model.js";
export { createOpenAICompatibleModel, type OpenAICompatibleSettings } from "./backends/openai-compatible/openai-compatible-model.js";
export type { CallOptions, ChatMessage } from "./core/call-options.js";
export { BackendCallError } from "./core/errors/backend-call-error.js";
export { BudgetExhaustedError } from "./core/errors/budget-exhausted-error.js";
export { DisposedError } from "./core/errors/disposed-error.js";
export { InvalidArgumentError } from "./core/errors/invalid-argument-error.js";
export { ModelLoadError } from "./core/errors/model-load-error.js";
export { MullError } from "./core/errors/mull-error.js";
export type { Completion, FinishReason, GenerateResult, TokenLogprob } from "./core/generate-result.js";
export type { LanguageModel, ScoreTokensResult } from "./core/language-model.js";
export type { Budget, Candidate, StopReason, Strategy, StrategyReport, StrategyResult, StrategyRunOptions, TraceEvent } from "./core/strategy.js";
export type { StreamPart } from "./core/stream-part.js";
export type { Usage } from "./core/usage.js";
export type { Verifier } from "./core/verifier.js";
export type { Warning } from "./core/warning.js";
export { answersEquivalent, extractAnswer, normalizeAnswer } from "./internal/extract-answer.js";
export { areaUnderRoc, bootstrapMean, passAtK } from "./internal/statistics.js";
export { resolveModel } from "./registry/models.js";
export { createStrategy, parseStrategySpec, type StrategySettings, searchStrategies, strategyNames } from "./registry/strategies.js";
export { createServerApp } from "./server/create-server-app.js";
export { startServer } from "./server/start-server.js";
export { type AdaptiveVoteOptions, createAdaptiveConsistency, createEsc, createLeaderThreshold } from "./strategies/adaptive-vote.js";
export { type BeamSearchOptions, createBeamSearch, createLookahead, type LookaheadOptions } from "./strategies/beam-search.js";
export { createDvts, type DvtsOptions } from "./strategies/dvts.js";
export { createMcts, type MctsOptions } from "./strategies/mcts.js";
export { createParticleFilter, type ParticleFilterOptions } from "./strategies/particle-filter.js";
export { allocateChildren, createRebase, type RebaseOptions } from "./strategies/rebase.js";
export { createRpc, perplexityConsistency } from "./strategies/rpc.js";
export type { SearchNodeStatus, SearchTreeTrace } from "./strategies/search-tree.js";
export { createSelfConsistency, type SelfConsistencyOptions } from "./strategies/self-consistency.js";
export { createSingle, type SingleOptions } from "./strategies/single.js";
export type { FinalSelection, StepSearchOptions } from "./strategies/step-search.js";
export { betaRule, betaStoppingProbability, leaderShareRule, type StoppingRule, windowRule } from "./strategies/stopping-rules.js";
export { strategyModel } from "./strategies/strategy-model.js";
export { createRepeatedSampling, createVerifiedResample } from "./strategies/verified-resample.js";
export { createBestOfN, createComplexityVote, createWeightedVote, type SamplingOptions } from "./strategies/verifier-selection.js";
export { type ArithOptions, arith, solveArith } from "./tasks/arith.js";
export { type CountdownOptions, canReach, countdown } from "./tasks/countdown.js";
export { loadSplit, splitDefinitions, tasks } from "./tasks/splits.js";
export type { Difficulty, SolutionCheck, Task, TaskProblem } from "./tasks/task.js";
export { createTaskOracle } from "./tasks/task-oracle.js";
export { createJudgeVerifier, type JudgeOptions } from "./verifiers/judge.js";
export { formatPrmInput } from "./verifiers/prm-format.js";
export { aggregateStepScores, createProcessRewardModel, type StepAggregation } from "./verifiers/process-reward-model.js";
export { createVllmRewardModel, type VllmRewardModelOptions } from "./verifiers/vllm-reward-model.js";
