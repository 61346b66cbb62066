/**
 * A server that speaks Anthropic's Messages API (Anthropic itself, vLLM's, SGLang's and llama.cpp's `/v1/messages`,
 * another `mull serve`) as a model: chat prompts only, one completion a request (a larger `n` is parallel requests),
 * thinking budgets sent as `thinking.budget_tokens` for the server to keep, no log-probabilities. Retries, timeouts
 * and the concurrency limit are the shared middleware.
 */

import type { z } from "zod";
import type { CallOptions } from "../../core/call-options.js";
import type { ModelCost } from "../../core/compute-cost.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { GenerateResult } from "../../core/generate-result.js";
import type { LanguageModel } from "../../core/language-model.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { Usage } from "../../core/usage.js";
import type { Warning } from "../../core/warning.js";
import { postJson } from "../../internal/http/post-json.js";
import { readJsonBody, readJsonEvents } from "../../internal/http/read-json.js";
import { positiveInteger } from "../../internal/positive-integer.js";
import { validateCallOptions } from "../../internal/validate-call-options.js";
import { concurrencyLimitMiddleware } from "../../middleware/concurrency-limit-middleware.js";
import { retryMiddleware } from "../../middleware/retry-middleware.js";
import { splitNMiddleware } from "../../middleware/split-n-middleware.js";
import { timeoutMiddleware } from "../../middleware/timeout-middleware.js";
import { wrapModel } from "../../middleware/wrap-model.js";
import { anthropicVersion, completionOf, eventSchema, messageSchema, messagesBody, stopOf, toolCallOf } from "./anthropic-messages-wire.js";

export type AnthropicMessagesSettings = {
  /** The base URL, with or without `/v1`, e.g. `https://api.anthropic.com` or `http://127.0.0.1:8080/v1`. */
  baseURL: string;
  /** The model name sent in requests. */
  model: string;
  /** Sent as `x-api-key`. Defaults to none. Never logged or put in errors. */
  apiKey?: string;
  /** `max_tokens` where a call sets none (the API requires one). Defaults to `1024`. */
  defaultMaxTokens?: number;
  /** Retries of a retryable failure (429, 5xx, 529, connection errors, timeouts). Defaults to `2`. */
  maxRetries?: number;
  /** Requests in flight at once. Defaults to `16`. */
  maxConcurrency?: number;
  /** Per-request timeout in milliseconds (a stream: until its last part). Defaults to `600000`. */
  timeoutMs?: number;
  /** Its size and price, for what its calls cost. Defaults to unknown. */
  cost?: ModelCost;
  /** Injected fetch, for tests and proxies. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
};

type Endpoint = { url: string; model: string; apiKey: string | undefined; defaultMaxTokens: number; fetch: typeof globalThis.fetch | undefined };

/** What the Messages API has no place for: said, not dropped. */
function unsupported(call: CallOptions): Warning[] {
  return [
    ...(call.logprobs ? [{ type: "unsupported" as const, feature: "logprobs", details: "the Messages API returns no log-probabilities" }] : []),
    ...(call.seed !== undefined ? [{ type: "unsupported" as const, feature: "seed", details: "the Messages API takes no seed" }] : []),
    ...(call.temperature !== undefined && call.temperature > 1
      ? [{ type: "other" as const, message: `temperature ${call.temperature} sent as 1: the Messages API's temperatures run from 0 to 1` }]
      : []),
    ...(call.minReasoningTokens !== undefined
      ? [{ type: "unsupported" as const, feature: "minReasoningTokens", details: "the server keeps its own thinking; no minimum can be forced" }]
      : []),
  ];
}

async function post(endpoint: Endpoint, call: CallOptions, stream: boolean): Promise<Response> {
  validateCallOptions(call);
  if ((call.n ?? 1) !== 1) throw new InvalidArgumentError({ parameter: "n", value: call.n, message: "the Messages API makes one completion a request" });
  return postJson({
    url: `${endpoint.url}/messages`,
    body: messagesBody({ call, model: endpoint.model, stream, defaultMaxTokens: endpoint.defaultMaxTokens }),
    apiKey: endpoint.apiKey,
    keyHeader: "x-api-key",
    headers: { "anthropic-version": anthropicVersion },
    signal: call.abortSignal,
    fetch: endpoint.fetch,
  });
}

async function generate(endpoint: Endpoint, call: CallOptions): Promise<GenerateResult> {
  const started = Date.now();
  const response = await post(endpoint, call, false);
  const message = await readJsonBody({ response, schema: messageSchema, url: `${endpoint.url}/messages`, apiKey: endpoint.apiKey });
  const usage: Usage = {
    promptTokens: message.usage?.input_tokens ?? 0,
    ...(message.usage?.cache_read_input_tokens != null ? { cachedPromptTokens: message.usage.cache_read_input_tokens } : {}),
    completionTokens: message.usage?.output_tokens ?? 0,
    calls: 1,
    wallMs: Date.now() - started,
  };
  return { completions: [completionOf(message)], usage, warnings: unsupported(call) };
}

/** Anthropic's events as stream parts: deltas as they come, each tool use whole at its block's end, the end with its usage. */
class EventReader {
  readonly usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 1, wallMs: 0 };
  private readonly tools = new Map<number, { id?: string | undefined; name?: string | undefined; json: string }>();
  private stop: { reason?: string | null | undefined; sequence?: string | null | undefined } = {};
  private thinkingTokens: number | undefined;

  constructor(private readonly url: string) {}

  /** The parts of one event; `done` once the message has ended. */
  read(event: z.output<typeof eventSchema>): { parts: StreamPart[]; done: boolean } {
    switch (event.type) {
      case "error":
        throw new Error(`${this.url} sent an error event: ${event.error?.message ?? "unknown"}`);
      case "message_start":
        this.usage.promptTokens = event.message?.usage?.input_tokens ?? 0;
        return { parts: [], done: false };
      case "content_block_start":
        if (event.content_block?.type === "tool_use")
          this.tools.set(event.index ?? 0, { id: event.content_block.id, name: event.content_block.name, json: "" });
        return { parts: [], done: false };
      case "content_block_delta":
        return { parts: this.delta(event), done: false };
      case "content_block_stop":
        return { parts: this.toolEnd(event.index ?? 0), done: false };
      case "message_delta":
        this.stop = { reason: event.delta?.stop_reason, sequence: event.delta?.stop_sequence };
        this.usage.completionTokens = event.usage?.output_tokens ?? this.usage.completionTokens;
        if (event.usage?.input_tokens != null) this.usage.promptTokens = event.usage.input_tokens;
        this.thinkingTokens = event.usage?.output_tokens_details?.thinking_tokens ?? this.thinkingTokens;
        return { parts: [], done: false };
      case "message_stop":
        return { parts: [], done: true };
      default:
        return { parts: [], done: false };
    }
  }

  /** The completion's end, once the events are over. */
  end(): StreamPart {
    return {
      type: "completion-end",
      index: 0,
      ...stopOf(this.stop.reason, this.stop.sequence),
      completionTokens: this.usage.completionTokens,
      ...(this.thinkingTokens !== undefined ? { reasoningTokens: this.thinkingTokens } : {}),
    };
  }

  private delta(event: z.output<typeof eventSchema>): StreamPart[] {
    const delta = event.delta;
    if (delta?.type === "text_delta" && delta.text) return [{ type: "text-delta", index: 0, delta: delta.text }];
    if (delta?.type === "thinking_delta" && delta.thinking) return [{ type: "reasoning-delta", index: 0, delta: delta.thinking }];
    const tool = delta?.type === "input_json_delta" ? this.tools.get(event.index ?? 0) : undefined;
    if (tool) tool.json += delta?.partial_json ?? "";
    return [];
  }

  private toolEnd(index: number): StreamPart[] {
    const tool = this.tools.get(index);
    if (!tool) return [];
    this.tools.delete(index);
    return [{ type: "tool-call", index: 0, toolCall: toolCallOf({ ...tool, input: tool.json ? JSON.parse(tool.json) : {} }, index) }];
  }
}

async function stream(endpoint: Endpoint, call: CallOptions): Promise<ReadableStream<StreamPart>> {
  const started = Date.now();
  const url = `${endpoint.url}/messages`;
  const events = readJsonEvents({ response: await post(endpoint, call, true), schema: eventSchema, url, apiKey: endpoint.apiKey });
  const reader = new EventReader(url);
  return new ReadableStream<StreamPart>({
    start(controller) {
      controller.enqueue({ type: "stream-start", warnings: unsupported(call) });
    },
    async pull(controller) {
      try {
        // A pull must enqueue something (a stream does not pull again on its own): read until an event yields a part.
        for (;;) {
          const { value: event, done } = await events.next();
          const read = done ? { parts: [], done: true } : reader.read(event);
          for (const part of read.parts) controller.enqueue(part);
          if (read.done) break;
          if (read.parts.length > 0) return;
        }
        controller.enqueue(reader.end());
        controller.enqueue({ type: "end", usage: { ...reader.usage, wallMs: Date.now() - started } });
      } catch (error) {
        controller.enqueue({ type: "error", error });
      }
      controller.close();
    },
    cancel: (reason) => events.cancel(reason),
  });
}

export function createAnthropicMessagesModel(settings: AnthropicMessagesSettings): LanguageModel {
  if (!/^https?:\/\//.test(settings.baseURL))
    throw new InvalidArgumentError({ parameter: "baseURL", value: settings.baseURL, message: "must be an http(s) URL" });
  const base = settings.baseURL.replace(/\/+$/, "");
  const endpoint: Endpoint = {
    url: base.endsWith("/v1") ? base : `${base}/v1`,
    model: settings.model,
    apiKey: settings.apiKey,
    defaultMaxTokens: positiveInteger("defaultMaxTokens", settings.defaultMaxTokens ?? 1024, 1),
    fetch: settings.fetch,
  };
  const bare: LanguageModel = {
    specificationVersion: "v1",
    provider: "anthropic-messages",
    modelId: settings.model,
    ...(settings.cost ? { cost: settings.cost } : {}),
    supportsRawPrompt: false,
    supportsTools: true,
    supportsResponseFormat: true,
    supportsLogprobs: false,
    doGenerate: (call) => generate(endpoint, call),
    doStream: (call) => stream(endpoint, call),
  };
  return wrapModel({
    model: bare,
    middleware: [
      // One completion a request: a larger n is parallel requests, each with its own retries and timeout.
      splitNMiddleware({ maxN: 1 }),
      retryMiddleware({ maxRetries: positiveInteger("maxRetries", settings.maxRetries ?? 2, 0) }),
      concurrencyLimitMiddleware({ maxConcurrency: positiveInteger("maxConcurrency", settings.maxConcurrency ?? 16, 1) }),
      timeoutMiddleware({ timeoutMs: positiveInteger("timeoutMs", settings.timeoutMs ?? 600_000, 1) }),
    ],
  });
}
