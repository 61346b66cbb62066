/**
 * One OpenAI-compatible base URL as a bare model: one request per call (plus parallel single-completion
 * requests where the server ignores `n`), no retries, no timeouts, no limits. `createOpenAICompatibleModel`
 * adds those as middleware and pools several URLs.
 */
import type { CallOptions } from "../../core/call-options.js";
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import type { Completion, GenerateResult } from "../../core/generate-result.js";
import type { LanguageModel } from "../../core/language-model.js";
import type { StreamPart } from "../../core/stream-part.js";
import { addUsage, emptyUsage, type Usage } from "../../core/usage.js";
import type { Warning } from "../../core/warning.js";
import { postJson } from "../../internal/http/post-json.js";
import { readJsonBody, readJsonEvents } from "../../internal/http/read-json.js";
import { validateCallOptions } from "../../internal/validate-call-options.js";
import { type AssistantPrefix, type SentPrefill, withoutRepeatedPrefill } from "./assistant-prefill.js";
import {
  type Choice,
  completionChunkSchema,
  completionResponseSchema,
  createToolCallJoiner,
  mapFinishReason,
  readLogprobs,
  readReasoning,
  readStoppedBy,
  readToolCalls,
  readVerboseStop,
  requestBody,
  type WireRules,
} from "./openai-compatible-wire.js";

export type OpenAICompatibleEndpointSettings = {
  /** Base URL ending in `/v1`, without a trailing slash. */
  url: string;
  model: string;
  apiKey?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  formatProblem?: ((problem: string) => string) | undefined;
  /** Defaults to `true`. */
  rawPrompt?: boolean | undefined;
  stepDelimiter?: string | undefined;
  assistantPrefix?: AssistantPrefix | undefined;
  /** How the upstream takes sampling fields (see `OpenAICompatibleSettings`). */
  rules: WireRules;
};

type Endpoint = OpenAICompatibleEndpointSettings & { honoursN: boolean | undefined };
/** Where a reply's completion-token count came from (see `reconcileTokens`). */
type TokenSource = "usage" | "choices" | "usage, below the choices' own count";
type Reply = { completions: Completion[]; usage: Usage; usageKnown: boolean; tokenSource: TokenSource; reported?: number; omitted: string[] };

async function post(
  endpoint: Endpoint,
  call: CallOptions,
  n: number,
  stream: boolean,
): Promise<{ response: Response; url: string; prefill?: SentPrefill; omitted: string[] }> {
  const { path, body, prefill, omitted } = requestBody({
    call,
    model: endpoint.model,
    n,
    stream,
    assistantPrefix: endpoint.assistantPrefix,
    rules: endpoint.rules,
  });
  const url = `${endpoint.url}${path}`;
  const response = await postJson({ url, body, apiKey: endpoint.apiKey, signal: call.abortSignal, fetch: endpoint.fetch });
  return { response, url, ...(prefill ? { prefill } : {}), omitted };
}

/** Said where the upstream's rules left out fields the call asked for. */
function omittedWarning(endpoint: Endpoint, omitted: readonly string[]): Warning[] {
  if (omitted.length === 0) return [];
  return [
    {
      type: "unsupported",
      feature: omitted.join(", "),
      details: `${endpoint.url} fixes its own sampling (fixedSampling): ${omitted.join(", ")} not sent`,
    },
  ];
}

/** One non-streaming request for up to `n` completions. */
async function requestOnce(endpoint: Endpoint, call: CallOptions, n: number): Promise<Reply> {
  const started = Date.now();
  const { response, url, prefill, omitted } = await post(endpoint, call, n, false);
  const json = await readJsonBody({ response, schema: completionResponseSchema, url, apiKey: endpoint.apiKey });
  const completions = json.choices
    .slice()
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    .map((choice): Completion => {
      const logprobs = readLogprobs(choice);
      const toolCalls = readToolCalls(choice);
      const reply = { text: choice.text ?? choice.message?.content ?? "", reasoning: readReasoning(choice) };
      // llama.cpp's server repeats a continued message's prefill in a whole (not streamed) reply.
      const { text, reasoning } = prefill ? withoutRepeatedPrefill(prefill, reply) : reply;
      return {
        text,
        ...(reasoning || (reasoning === "" && prefill?.thinking) ? { reasoning } : {}),
        ...(toolCalls ? { toolCalls } : {}),
        finishReason: mapFinishReason(choice.finish_reason),
        ...readStoppedBy(choice),
        ...readVerboseStop(json, choice),
        completionTokens: logprobs?.length ?? 0,
        ...(call.logprobs && logprobs ? { logprobs } : {}),
      };
    });
  const reported = json.usage?.completion_tokens ?? undefined;
  const { completionTokens, source } = reconcileTokens(completions, reported);
  // Split the call's completion tokens over its choices where the server gave no per-choice count.
  for (const completion of completions)
    if (completion.completionTokens === 0 && completions.length > 0) completion.completionTokens = Math.round(completionTokens / completions.length);
  // The server's thinking count (OpenAI, vLLM) is the call's: one choice takes it whole.
  const reasoningTokens = json.usage?.completion_tokens_details?.reasoning_tokens;
  if (reasoningTokens != null && completions.length === 1 && completions[0]) completions[0].reasoningTokens = reasoningTokens;
  return {
    completions,
    usage: { promptTokens: json.usage?.prompt_tokens ?? 0, completionTokens, calls: 1, wallMs: Date.now() - started },
    usageKnown: reported !== undefined,
    tokenSource: source,
    ...(reported !== undefined ? { reported } : {}),
    omitted,
  };
}

/**
 * A reply's completion tokens, never from the server's `usage` alone: each choice's own count (its
 * log-probabilities) is summed too, and the larger wins. llama.cpp's server, with `n > 1`, reports the
 * first choice's tokens only; trusting it let budgets overspend about twice while reporting `completed`.
 */
function reconcileTokens(completions: readonly Completion[], reported: number | undefined): { completionTokens: number; source: TokenSource } {
  const counted = completions.reduce((sum, completion) => sum + completion.completionTokens, 0);
  const everyChoiceCounted = completions.length > 0 && completions.every((completion) => completion.completionTokens > 0 || completion.text === "");
  if (reported === undefined) return { completionTokens: counted, source: "choices" };
  if (everyChoiceCounted && counted > reported) return { completionTokens: counted, source: "usage, below the choices' own count" };
  return { completionTokens: reported, source: "usage" };
}

async function generate(endpoint: Endpoint, call: CallOptions): Promise<GenerateResult> {
  validateCallOptions(call);
  const n = call.n ?? 1;
  const started = Date.now();
  const first = await requestOnce(endpoint, call, n);
  const warnings: Warning[] = omittedWarning(endpoint, first.omitted);
  const completions = first.completions.slice(0, n);
  let usage = first.usage;
  if (!first.usageKnown) warnings.push({ type: "unsupported", feature: "usage", details: "the server reported no token usage" });
  else if (first.tokenSource !== "usage")
    warnings.push({
      type: "other",
      message: `${endpoint.url} reported ${first.reported} completion tokens for choices that carried ${first.usage.completionTokens}; counted ${first.usage.completionTokens}`,
    });
  if (completions.length < n) {
    // The server ignored n: remember it and fill up with parallel single-completion calls.
    endpoint.honoursN = false;
    warnings.push({
      type: "unsupported",
      feature: "n",
      details: `${endpoint.url} returned ${completions.length} of ${n} completions; the rest came from parallel calls`,
    });
    const rest = await Promise.all(Array.from({ length: n - completions.length }, () => requestOnce(endpoint, call, 1)));
    for (const extra of rest) {
      completions.push(...extra.completions.slice(0, 1));
      usage = addUsage(usage, extra.usage);
    }
  } else if (endpoint.honoursN === undefined && n > 1) endpoint.honoursN = true;
  if (call.logprobs && !first.omitted.includes("logprobs") && completions.some((completion) => !completion.logprobs))
    warnings.push({ type: "unsupported", feature: "logprobs" });
  return { completions, usage: { ...usage, wallMs: Date.now() - started }, warnings };
}

async function stream(endpoint: Endpoint, call: CallOptions): Promise<ReadableStream<StreamPart>> {
  validateCallOptions(call);
  const started = Date.now();
  const { response, url, omitted } = await post(endpoint, call, call.n ?? 1, true);
  const tokens = new Map<number, number>();
  // Streamed reasoning arrives about a token a delta, as text does (a server that counts it says so in its usage).
  const thinking = new Map<number, number>();
  const toolCalls = createToolCallJoiner();
  // Whether every delta carried its tokens' log-probabilities, which makes the per-choice counts exact.
  let exactCounts = true;
  const countThinking = (index: number) => {
    thinking.set(index, (thinking.get(index) ?? 0) + 1);
    tokens.set(index, (tokens.get(index) ?? 0) + 1);
    exactCounts = false;
  };
  let usage: Usage = { ...emptyUsage(), calls: 1 };
  const onChoice = (choice: Choice, controller: { enqueue(part: StreamPart): void }) => {
    const index = choice.index ?? 0;
    const delta = choice.text ?? choice.delta?.content ?? "";
    const logprobs = readLogprobs(choice);
    const reasoning = readReasoning(choice);
    if (reasoning) {
      countThinking(index);
      controller.enqueue({ type: "reasoning-delta", index, delta: reasoning });
    }
    if (delta) {
      tokens.set(index, (tokens.get(index) ?? 0) + (logprobs?.length ?? 1));
      if (!logprobs) exactCounts = false;
      controller.enqueue({ type: "text-delta", index, delta, ...(logprobs ? { logprobs } : {}) });
    }
    if (choice.delta?.tool_calls?.length) {
      toolCalls.add(index, choice.delta.tool_calls);
      // Tool-call pieces carry no log-probabilities: the counts are estimates from here on.
      tokens.set(index, (tokens.get(index) ?? 0) + choice.delta.tool_calls.length);
      exactCounts = false;
    }
    if (choice.finish_reason) endChoice(choice, index, controller);
  };
  const endChoice = (choice: Choice, index: number, controller: { enqueue(part: StreamPart): void }) => {
    for (const toolCall of toolCalls.take(index)) controller.enqueue({ type: "tool-call", index, toolCall });
    controller.enqueue({
      type: "completion-end",
      index,
      finishReason: mapFinishReason(choice.finish_reason),
      ...readStoppedBy(choice),
      completionTokens: tokens.get(index) ?? 0,
      ...(thinking.has(index) ? { reasoningTokens: thinking.get(index) ?? 0 } : {}),
    });
  };
  const chunks = readJsonEvents({ response, schema: completionChunkSchema, url, apiKey: endpoint.apiKey });
  // One stream from the events to parts; a failure (a broken connection, an unreadable event) arrives as an `error` part.
  let produced = 0;
  let target: ReadableStreamDefaultController<StreamPart> | undefined;
  const sink = {
    enqueue(part: StreamPart) {
      produced++;
      target?.enqueue(part);
    },
  };
  return new ReadableStream<StreamPart>({
    start(controller) {
      target = controller;
      controller.enqueue({ type: "stream-start", warnings: omittedWarning(endpoint, omitted) });
    },
    async pull(controller) {
      try {
        // A pull must enqueue something (a stream does not pull again on its own): read until a chunk yields a part.
        produced = 0;
        for (;;) {
          const { value: chunk, done } = await chunks.next();
          if (done) break;
          if (chunk.usage) usage = { ...usage, promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
          for (const choice of chunk.choices ?? []) onChoice(choice, sink);
          if (produced > 0) return;
        }
        // As in `reconcileTokens`: the server's usage, unless it is missing or below the exact per-choice counts.
        const counted = [...tokens.values()].reduce((sum, count) => sum + count, 0);
        if (usage.completionTokens === 0 || (exactCounts && counted > usage.completionTokens)) usage = { ...usage, completionTokens: counted };
        controller.enqueue({ type: "end", usage: { ...usage, wallMs: Date.now() - started } });
      } catch (error) {
        controller.enqueue({ type: "error", error });
      }
      controller.close();
    },
    cancel: (reason) => chunks.cancel(reason),
  });
}

/** Label probabilities from the top log-probabilities of one generated token per offset (serves PRMs remotely). */
async function scoreTokens(endpoint: Endpoint, options: Parameters<NonNullable<LanguageModel["doScoreTokens"]>>[0]) {
  const { text, offsets, tokens, abortSignal } = options;
  let promptTokens = 0;
  const probabilities = await Promise.all(
    offsets.map(async (offset) => {
      const call = { prompt: text.slice(0, offset), maxTokens: 1, temperature: 0, logprobs: true, topLogprobs: 20, ...(abortSignal ? { abortSignal } : {}) };
      const result = await requestOnce(endpoint, call, 1);
      promptTokens += result.usage.promptTokens;
      const top = result.completions[0]?.logprobs?.[0]?.topLogprobs;
      if (!top)
        throw new BackendCallError({
          message: `${endpoint.url} returned no top log-probabilities, which scoring with a process reward model needs`,
          isRetryable: false,
        });
      return tokens.map((token) => {
        const hit = top.find((item) => item.token === token);
        return hit ? Math.exp(hit.logprob) : 0;
      });
    }),
  );
  return { probabilities, usage: { promptTokens } };
}

export function createOpenAICompatibleEndpoint(settings: OpenAICompatibleEndpointSettings): LanguageModel {
  const endpoint: Endpoint = { ...settings, honoursN: undefined };
  return {
    specificationVersion: "v1",
    provider: "openai-compatible",
    modelId: settings.model,
    ...(settings.formatProblem ? { formatProblem: settings.formatProblem } : {}),
    supportsRawPrompt: settings.rawPrompt ?? true,
    supportsTools: true,
    supportsResponseFormat: true,
    // Fields of a request mull does not map go into the upstream's body as written (its own extensions).
    forwardsRequestFields: true,
    ...(settings.rules.fixedSampling ? { supportsLogprobs: false } : {}),
    ...(settings.stepDelimiter ? { stepDelimiter: settings.stepDelimiter } : {}),
    ...(settings.assistantPrefix ? { continuesAssistantMessage: true } : {}),
    doGenerate: (call) => generate(endpoint, call),
    doStream: (call) => stream(endpoint, call),
    doScoreTokens: (options) => scoreTokens(endpoint, options),
  };
}
