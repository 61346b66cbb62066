/**
 * A process reward model served by vLLM's pooling API (`vllm serve Qwen/Qwen2.5-Math-PRM-7B --task reward`
 * or `--runner pooling` in newer releases). vLLM's STEP pooler returns, for each step-separator token in
 * the input, the two-class softmax [p(bad), p(good)]; a step's score is p(good).
 *
 * The default input follows Qwen2.5-Math-PRM's documented format: its chat template with the steps of the
 * assistant's answer each followed by `<extra_0>`. Requests go through the same HTTP plumbing, retry and
 * timeout as the OpenAI-compatible backend.
 */

import { z } from "zod";
import type { ModelCost } from "../core/compute-cost.js";
import { BackendCallError } from "../core/errors/backend-call-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Verifier } from "../core/verifier.js";
import { postJson } from "../internal/http/post-json.js";
import { readJsonBody } from "../internal/http/read-json.js";
import { promptAsText } from "../internal/prompt-text.js";
import { callWithRetry } from "../middleware/retry.js";
import { callWithTimeout } from "../middleware/timeout-middleware.js";
import { aggregateStepScores, type StepAggregation } from "./process-reward-model.js";

export type VllmRewardModelOptions = {
  /** The server's OpenAI base URL, e.g. `http://127.0.0.1:8000/v1`; the pooling route is at the root. */
  baseURL: string;
  /** The served model name. */
  model: string;
  /** Bearer token. Defaults to none; never put in errors. */
  apiKey?: string;
  /** Defaults to `"<extra_0>"` (Qwen2.5-Math-PRM's step tag). */
  stepSeparator?: string;
  /** Defaults to `"\n\n"`: how a solution splits into steps. */
  stepDelimiter?: string;
  /** Defaults to `"min"`. */
  aggregation?: StepAggregation;
  /** Builds the PRM's input from the problem and its steps. Defaults to Qwen2.5-Math-PRM's chat format. */
  formatInput?: (options: { prompt: string; steps: string[]; separator: string }) => string;
  /** Retries of a retryable failure (429, 5xx, connection errors, timeouts). Defaults to `2`. */
  maxRetries?: number;
  /** Per-request timeout in milliseconds. Defaults to `120000`. */
  timeoutMs?: number;
  /** The PRM's size (and price), for what its tokens cost. Defaults to unknown. */
  cost?: ModelCost;
  /** Injected fetch. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
};

const qwenFormat = ({ prompt, steps, separator }: { prompt: string; steps: string[]; separator: string }) =>
  "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n" +
  `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n${steps.map((step) => `${step}${separator}`).join("")}<|im_end|><|endoftext|>`;

/** vLLM's pooling answer: one `[p(bad), p(good)]` pair per step separator. */
const poolingResponseSchema = z.looseObject({ data: z.array(z.looseObject({ data: z.array(z.array(z.number())) })).min(1) });

export function createVllmRewardModel(options: VllmRewardModelOptions): Verifier {
  if (!/^https?:\/\//.test(options.baseURL))
    throw new InvalidArgumentError({ parameter: "baseURL", value: options.baseURL, message: "must be an http(s) URL" });
  const url = `${options.baseURL.replace(/\/+$/, "").replace(/\/v1$/, "")}/pooling`;
  const separator = options.stepSeparator ?? "<extra_0>";
  const delimiter = options.stepDelimiter ?? "\n\n";
  const aggregation = options.aggregation ?? "min";
  const formatInput = options.formatInput ?? qwenFormat;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const request = (input: string, signal: AbortSignal | undefined) =>
    callWithTimeout({
      timeoutMs,
      signal,
      what: `Scoring with ${url}`,
      run: async (timed) => {
        const response = await postJson({ url, body: { model: options.model, input }, apiKey: options.apiKey, signal: timed, fetch: options.fetch });
        return readJsonBody({ response, schema: poolingResponseSchema, url, apiKey: options.apiKey });
      },
    });
  return {
    name: `vllm-prm:${options.model}:${aggregation}`,
    kind: "process",
    ...(options.cost ? { cost: options.cost } : {}),
    async score({ prompt, solution, abortSignal }) {
      const steps = solution
        .split(delimiter)
        .map((step) => step.trim())
        .filter((step) => step.length > 0);
      if (steps.length === 0) return { score: 0, stepScores: [] };
      const input = formatInput({ prompt: promptAsText(prompt), steps, separator });
      const body = await callWithRetry({ maxRetries: options.maxRetries ?? 2, signal: abortSignal, attempt: () => request(input, abortSignal) });
      const pairs = body.data[0]?.data ?? [];
      if (pairs.length !== steps.length) {
        throw new BackendCallError({
          message: `${url} returned ${pairs.length} step scores for ${steps.length} steps; is the step separator ${JSON.stringify(separator)} right for this model?`,
          isRetryable: false,
        });
      }
      const stepScores = pairs.map((pair) => pair[1] ?? 0);
      return { score: aggregateStepScores(stepScores, aggregation), stepScores };
    },
  };
}
