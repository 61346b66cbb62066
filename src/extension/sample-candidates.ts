import type { CallOptions } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Candidate } from "../core/strategy-report.js";
import type { ToolVote } from "../core/tools.js";
import type { Warning } from "../core/warning.js";
import { seedAt, waveSeedStride } from "../internal/seeds.js";
import { mergeWarnings } from "./merge-warnings.js";
import { isStopError } from "./stop-error.js";
import { toCandidate } from "./to-candidate.js";

const isLogprobsWarning = (warning: Warning) => warning.type === "unsupported" && warning.feature === "logprobs";

/**
 * Draws up to `n` candidates from `model` (the run's metered model) in waves of `waveSize` parallel samples, checking the budget between waves.
 * Stops early (returning what it has) when the budget runs out or the run is aborted.
 */
export async function sampleCandidates(options: {
  model: LanguageModel;
  call: Omit<CallOptions, "n" | "abortSignal">;
  /** The run's stop signal (budget spent or cancelled): no wave starts once it fires. */
  signal: AbortSignal;
  n: number;
  waveSize: number;
  temperature: number;
  extractAnswer: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. Defaults to `"arguments"`. */
  toolVote?: ToolVote;
  onWave?: (candidates: Candidate[]) => void;
  /** Tokens per group for the candidates' confidence signals. Defaults to 16. */
  confidenceWindow?: number;
}): Promise<{ candidates: Candidate[]; warnings: Warning[] }> {
  const { model, call, signal, n, waveSize, temperature, extractAnswer } = options;
  const candidates: Candidate[] = [];
  const warnings: Warning[] = [];
  for (let wave = 0; candidates.length < n && !signal.aborted; wave++) {
    const size = Math.min(waveSize, n - candidates.length);
    const seed = seedAt(call.seed, wave, waveSeedStride);
    const result = await model
      // Log-probabilities feed the confidence signals; a model that gives none is not asked.
      .doGenerate({ ...call, n: size, temperature, logprobs: call.logprobs ?? model.supportsLogprobs !== false, ...(seed !== undefined ? { seed } : {}) })
      .catch((error: unknown) => {
        if (isStopError(error)) return undefined;
        throw error;
      });
    if (!result) break;
    // Log-probabilities the caller did not ask for and did not get are nothing to tell them about.
    mergeWarnings(warnings, call.logprobs ? result.warnings : result.warnings.filter((warning) => !isLogprobsWarning(warning)));
    for (const completion of result.completions) candidates.push(toCandidate(completion, extractAnswer, options.toolVote, options.confidenceWindow));
    options.onWave?.(candidates);
  }
  return { candidates, warnings };
}
