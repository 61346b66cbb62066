/**
 * Any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama, OpenAI): `/v1/completions`
 * for raw prompts, `/v1/chat/completions` for messages. Several base URLs are used as one model, each
 * call going to the URL with the fewest calls outstanding. Retries, timeouts and the concurrency limit
 * are the shared model middleware.
 */
import type { ModelCost } from "../../core/compute-cost.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../../core/language-model.js";
import { positiveInteger } from "../../internal/positive-integer.js";
import { concurrencyLimitMiddleware } from "../../middleware/concurrency-limit-middleware.js";
import { createModelPool } from "../../middleware/model-pool.js";
import { retryMiddleware } from "../../middleware/retry-middleware.js";
import { splitNMiddleware } from "../../middleware/split-n-middleware.js";
import { thinkingBudgetMiddleware } from "../../middleware/thinking-budget-middleware.js";
import { timeoutMiddleware } from "../../middleware/timeout-middleware.js";
import { wrapModel } from "../../middleware/wrap-model.js";
import { type AssistantPrefix, assistantPrefixModes } from "./assistant-prefill.js";
import { createOpenAICompatibleEndpoint } from "./openai-compatible-endpoint.js";

export type OpenAICompatibleSettings = {
  /** One base URL or several (a pool), each ending in `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string | string[];
  /** The upstream model name sent in requests. */
  model: string;
  /** Bearer token. Defaults to none. Never logged or put in errors. */
  apiKey?: string;
  /** Retries of a retryable failure (408, 409, 429, 5xx, connection errors, timeouts). Defaults to `2`. */
  maxRetries?: number;
  /** Requests in flight at once on each base URL (replica); more wait their turn. Defaults to `16`. */
  maxConcurrency?: number;
  /**
   * Routing over several base URLs (see `createModelPool`): prompt characters for prefix affinity (`0`
   * is off), consecutive failures that eject a replica, and for how long. Defaults to `256`, `3` and `10000`.
   */
  pool?: { affinityChars?: number; ejectAfterFailures?: number; ejectForMs?: number };
  /** Per-request timeout in milliseconds (a stream: until its last part). Defaults to `600000`. */
  timeoutMs?: number;
  /** Wraps a bare problem as a raw prompt; absent, problems are sent as a user chat message. */
  formatProblem?: (problem: string) => string;
  /**
   * Whether the endpoint serves raw-text `/v1/completions` (vLLM, SGLang, llama.cpp server do; OpenAI's
   * chat models do not). Step-level search needs it. Defaults to `true`.
   */
  rawPrompt?: boolean;
  /** Ends one reasoning step in this model's solutions, for step-level search. Defaults to `"\n\n"`. */
  stepDelimiter?: string;
  /**
   * How the endpoint continues a chat prompt's final assistant message (step-level search, tools in the text and
   * thinking budgets over chat need one): `"continue-final-message"` sends vLLM's and SGLang's
   * `continue_final_message: true` with `add_generation_prompt: false`; `"final-message"` relies on the server
   * continuing it by itself, as `mull serve` does; `"llama-cpp"` is llama.cpp's server, which continues it by
   * itself but takes thinking as `reasoning_content` and repeats the prefill in its reply (see
   * `assistant-prefill.ts`). Defaults to none: the model does not claim to continue.
   */
  assistantPrefix?: AssistantPrefix;
  /**
   * Asks llama.cpp's server for its `__verbose` field, which names the stop sequence that ended a choice (its
   * chat route names none otherwise), on calls that have stop sequences; tools in the model's text need it to
   * tell a tool's trigger from the end of the answer. Defaults to `false`.
   */
  verboseStops?: boolean;
  /**
   * Most completions one request asks for; a larger `n` is split into parallel requests, seeded apart.
   * llama.cpp's server refuses `n` above its slot count (`-np`). Defaults to none: `n` is sent as asked.
   */
  maxN?: number;
  /**
   * Sends `top_p` (1 unless the call sets it), `top_k: -1` and `min_p: 0`, so that a server's own sampling
   * defaults (llama.cpp's server: top-k 40, top-p 0.95, min-p 0.05) do not change the distribution mull
   * samples from. OpenAI itself refuses `top_k`. Defaults to `false`.
   */
  neutralSampling?: boolean;
  /**
   * The field that caps a chat completion's tokens: `"max_tokens"`, or `"max_completion_tokens"`, which OpenAI
   * wants (its reasoning models refuse `max_tokens`). Legacy completions always send `max_tokens`. Defaults to
   * `"max_tokens"` (the `openai` profiles: `"max_completion_tokens"`).
   */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** What the upstream calls the repetition penalty: vLLM's `repetition_penalty`, llama.cpp's `repeat_penalty`. Defaults to `"repetition_penalty"`. */
  repeatPenaltyField?: "repetition_penalty" | "repeat_penalty";
  /**
   * The upstream fixes its own sampling (OpenAI's reasoning models refuse temperature, top_p, penalties,
   * logit_bias and logprobs): those fields are not sent, each call that asked for one warns, and strategies
   * that would ask for log-probabilities go without them. Defaults to `false`.
   */
  fixedSampling?: boolean;
  /** Injected fetch, for tests and proxies. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Its size and price, for what its calls cost. Defaults to unknown: runs then report no total FLOPs or money. */
  cost?: ModelCost;
};

export function createOpenAICompatibleModel(settings: OpenAICompatibleSettings): LanguageModel {
  const urls = (Array.isArray(settings.baseURL) ? settings.baseURL : [settings.baseURL]).map((url) => url.replace(/\/+$/, ""));
  if (urls.length === 0 || urls.some((url) => !/^https?:\/\//.test(url)))
    throw new InvalidArgumentError({ parameter: "baseURL", value: settings.baseURL, message: "must be one or more http(s) URLs" });
  const maxRetries = positiveInteger("maxRetries", settings.maxRetries ?? 2, 0);
  const maxConcurrency = positiveInteger("maxConcurrency", settings.maxConcurrency ?? 16, 1);
  const timeoutMs = positiveInteger("timeoutMs", settings.timeoutMs ?? 600_000, 1);
  if (settings.assistantPrefix !== undefined && !assistantPrefixModes.includes(settings.assistantPrefix))
    throw new InvalidArgumentError({
      parameter: "assistantPrefix",
      value: settings.assistantPrefix,
      message: `must be one of ${assistantPrefixModes.map((mode) => JSON.stringify(mode)).join(", ")}`,
    });
  const endpoints = urls.map((url) =>
    wrapModel({
      model: createOpenAICompatibleEndpoint({
        url,
        model: settings.model,
        apiKey: settings.apiKey,
        fetch: settings.fetch,
        formatProblem: settings.formatProblem,
        rawPrompt: settings.rawPrompt,
        stepDelimiter: settings.stepDelimiter,
        assistantPrefix: settings.assistantPrefix,
        rules: {
          verboseStops: settings.verboseStops,
          neutralSampling: settings.neutralSampling,
          maxTokensField: settings.maxTokensField,
          repeatPenaltyField: settings.repeatPenaltyField,
          fixedSampling: settings.fixedSampling,
        },
      }),
      // Each replica's own limit and timeout, so that the pool's failure count sees a replica's timeouts.
      middleware: [concurrencyLimitMiddleware({ maxConcurrency }), timeoutMiddleware({ timeoutMs })],
    }),
  );
  // Retry outermost, so that a wait between attempts holds no slot; each attempt goes to the replica the
  // pool picks then (a replica that just failed is not preferred).
  const model = wrapModel({
    model: createModelPool({ models: endpoints, ...settings.pool }),
    middleware: [
      // A thinking budget makes two calls per candidate, each going through the rest.
      thinkingBudgetMiddleware(),
      // Split first, so that each request of a split call gets its own retries, slot and timeout.
      ...(settings.maxN !== undefined ? [splitNMiddleware({ maxN: settings.maxN })] : []),
      retryMiddleware({ maxRetries }),
    ],
  });
  return settings.cost ? { ...model, cost: settings.cost } : model;
}
