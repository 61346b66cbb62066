/**
 * mull: inference-time compute for language models. The library entry stays light: it loads neither the
 * server (`mull/server`), nor the bench and its SQLite store (`mull/bench`), nor node-llama-cpp
 * (`mull/llama-cpp`; a bundled model spec given to `createMull` loads it on first use).
 */

export { type AnswerGrading, type AnswerGradingOptions, createAnswerGrading } from "./answers/answer-grading.js";
export { answersEquivalent, type EquivalenceOptions } from "./answers/answers-equivalent.js";
export { extractChoice } from "./answers/choice-answer.js";
export type { CleanOptions } from "./answers/clean-answer.js";
export { extractAnswer, findAnswerText } from "./answers/extract-answer.js";
export { normalizeAnswer } from "./answers/normalize-answer.js";
export { stripReasoning } from "./answers/strip-reasoning.js";
export { createOpenAICompatibleModel, type OpenAICompatibleSettings } from "./backends/openai-compatible/openai-compatible-model.js";
export type { CallOptions, ChatMessage } from "./core/call-options.js";
export type { CodeSandbox, SandboxExitReason, SandboxLanguage, SandboxRunRequest, SandboxRunResult } from "./core/code-sandbox.js";
export type { Compute, ModelCost, ModelSpend } from "./core/compute-cost.js";
export { BackendCallError } from "./core/errors/backend-call-error.js";
export { BudgetExhaustedError } from "./core/errors/budget-exhausted-error.js";
export { CallTimeoutError } from "./core/errors/call-timeout-error.js";
export { DisposedError } from "./core/errors/disposed-error.js";
export { InvalidArgumentError } from "./core/errors/invalid-argument-error.js";
export { MissingPackageError } from "./core/errors/missing-package-error.js";
export { ModelLoadError } from "./core/errors/model-load-error.js";
export { MullError } from "./core/errors/mull-error.js";
export type { Completion, FinishReason, GenerateResult, ResultMetadata, TokenLogprob } from "./core/generate-result.js";
export type { LanguageModel, ScoreTokensResult } from "./core/language-model.js";
export type {
  Budget,
  Candidate,
  RunEnvironment,
  RunSettings,
  SearchNodeStatus,
  SearchTreeTrace,
  StopReason,
  Strategy,
  StrategyReport,
  StrategyResult,
  StrategyRunOptions,
  TraceEvent,
  TraceEventData,
  TraceEventType,
} from "./core/strategy.js";
export type { StreamPart } from "./core/stream-part.js";
export type { TextTool } from "./core/text-tool.js";
export type { ResponseFormat, ToolCall, ToolChoice, ToolDefinition, ToolVote } from "./core/tools.js";
export type { Usage } from "./core/usage.js";
export type { Verifier, VerifierKind } from "./core/verifier.js";
export type { Warning } from "./core/warning.js";
export { type BackendDefinition, defineBackend, type OwnedModel } from "./extension/define-backend.js";
export { defineStrategy, type StrategyDefinition, type StrategyDependencies, type VerifierNeed } from "./extension/define-strategy.js";
export { defineVerifier, type VerifierDefinition, type VerifierServices } from "./extension/define-verifier.js";
export { describeOptions, type OptionDescription } from "./extension/option-schema.js";
export type { RunContext, RunOutcome } from "./extension/run-context.js";
export { concurrencyLimitMiddleware } from "./middleware/concurrency-limit-middleware.js";
export type { ModelMiddleware, ScoreTokensOptions } from "./middleware/model-middleware.js";
export { createModelPool } from "./middleware/model-pool.js";
export { callWithRetry, type RetrySettings } from "./middleware/retry.js";
export { retryMiddleware } from "./middleware/retry-middleware.js";
export { callWithTimeout, timeoutMiddleware } from "./middleware/timeout-middleware.js";
export { type ToolLoopOptions, toolLoopMiddleware } from "./middleware/tool-loop-middleware.js";
export { type ModelCallRecord, tracingMiddleware } from "./middleware/tracing-middleware.js";
export { wrapModel } from "./middleware/wrap-model.js";
export {
  createMull,
  defaults,
  type EnvironmentPolicy,
  type ModelRequest,
  type Mull,
  type MullConfig,
  type RunRequest,
  type StrategyPolicy,
  type StrategyRequest,
} from "./runtime/create-mull.js";
export { createStrategy, searchStrategies, strategyNames } from "./runtime/create-strategy.js";
export { budgetSettingsSchema, runSettingsSchema } from "./runtime/run-settings.js";
export { type StrategyModelOptions, strategyModel } from "./runtime/strategy-model.js";
export { type AutoOptions, auto, createAuto } from "./strategies/auto/auto.js";
export { codeSelect, createCodeSelect } from "./strategies/code/code-select.js";
export { cotPot, createCotPot } from "./strategies/code/cot-pot.js";
export { hintTool } from "./strategies/code/hint-tool.js";
export { createPlanSearch, planSearch } from "./strategies/code/plan-search.js";
export { createPot, pot } from "./strategies/code/pot.js";
export { pythonTool } from "./strategies/code/python-tool.js";
export { createToolIntegrated, toolIntegrated } from "./strategies/code/tool-integrated.js";
export { type Architecture, type ArchitectureInput, architectureSchema, loadArchitecture, parseArchitecture } from "./strategies/compose/architecture.js";
export { type ArchonOptions, archon, createArchon } from "./strategies/compose/archon.js";
export { type AtomOfThoughtsOptions, atomOfThoughts, createAtomOfThoughts } from "./strategies/compose/atom-of-thoughts.js";
export type { ArchitectureCandidate, Component, ComponentRole, ComponentServices } from "./strategies/compose/component.js";
export { createGenSelect, type GenSelectOptions, genSelect } from "./strategies/compose/genselect.js";
export { createMixtureOfAgents, type MixtureOfAgentsOptions, mixtureOfAgents } from "./strategies/compose/mixture-of-agents.js";
export { createPlangen, type PlangenOptions, plangen } from "./strategies/compose/plangen.js";
export {
  createRecursiveSelfAggregation,
  type RecursiveSelfAggregationOptions,
  recursiveSelfAggregation,
} from "./strategies/compose/recursive-self-aggregation.js";
export { createSelfRefine, type SelfRefineOptions, selfRefine } from "./strategies/compose/self-refine.js";
export {
  createUniversalSelfConsistency,
  type UniversalSelfConsistencyOptions,
  universalSelfConsistency,
} from "./strategies/compose/universal-self-consistency.js";
export { type AbMctsOptions, abMcts, createAbMcts } from "./strategies/search/ab-mcts.js";
export { beamSearch, createBeamSearch, createLookahead, lookahead } from "./strategies/search/beam-search.js";
export { createDvts, dvts } from "./strategies/search/dvts.js";
export { createMcts, mcts } from "./strategies/search/mcts.js";
export { createParticleFilter, particleFilter } from "./strategies/search/particle-filter.js";
export { createRebase, rebase } from "./strategies/search/rebase.js";
export { bestOfN, createBestOfN } from "./strategies/select/best-of-n.js";
export { createMinimumBayesRisk, type MinimumBayesRiskOptions, minimumBayesRisk } from "./strategies/select/minimum-bayes-risk.js";
export { createRepeatedSampling, repeatedSampling } from "./strategies/select/repeated-sampling.js";
export { createSelfCertainty, type SelfCertaintyOptions, selfCertainty } from "./strategies/select/self-certainty.js";
export {
  createSelfTruncationBestOfN,
  type SelfTruncationBestOfNOptions,
  selfTruncationBestOfN,
} from "./strategies/select/self-truncation-best-of-n.js";
export { createVerifiedResample, verifiedResample } from "./strategies/select/verified-resample.js";
export { adaptiveConsistency, createAdaptiveConsistency } from "./strategies/vote/adaptive-consistency.js";
export { type ChoiceShuffleOptions, choiceShuffle, createChoiceShuffle } from "./strategies/vote/choice-shuffle.js";
export { complexityVote, createComplexityVote } from "./strategies/vote/complexity-vote.js";
export { createDeepConf, type DeepConfOptions, deepConf } from "./strategies/vote/deepconf.js";
export { createEsc, esc } from "./strategies/vote/esc.js";
export { createLeaderThreshold, leaderThreshold } from "./strategies/vote/leader-threshold.js";
export { createRpc, rpc } from "./strategies/vote/rpc.js";
export { createSelfConsistency, selfConsistency } from "./strategies/vote/self-consistency.js";
export { createShortMAtK, type ShortMAtKOptions, shortMAtK } from "./strategies/vote/short-m-at-k.js";
export { createSingle, single } from "./strategies/vote/single.js";
export { createWeightedVote, weightedVote } from "./strategies/vote/weighted-vote.js";
export { calculatorTool } from "./tasks/calculator-tool.js";
export { createTaskOracle } from "./tasks/task-oracle.js";
export { createJudgeVerifier, type JudgeOptions } from "./verifiers/judge.js";
export { createProcessRewardModel, type StepAggregation } from "./verifiers/process-reward-model.js";
export { createVllmRewardModel, type VllmRewardModelOptions } from "./verifiers/vllm-reward-model.js";
