/**
 * Any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama, OpenAI): `/v1/completions`
 * for raw prompts, `/v1/chat/completions` for messages. A pool of base URLs is used as one model,
 * each request going to the URL with the fewest requests outstanding.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { CallOptions } from "../../core/call-options.js";
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { Completion, FinishReason, GenerateResult, TokenLogprob } from "../../core/generate-result.js";
import type { LanguageModel } from "../../core/language-model.js";
import type { StreamPart } from "../../core/stream-part.js";
import { addUsage, emptyUsage, type Usage } from "../../core/usage.js";
import type { Warning } from "../../core/warning.js";
import { delay, isAbortError } from "../../internal/abort.js";
import { createConcurrencyLimit } from "../../internal/concurrency-limit.js";
import { validateCallOptions } from "../../internal/validate-call-options.js";

export type OpenAICompatibleSettings = {
  /** One base URL or several (a pool), each ending in `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string | string[];
  /** The upstream model name sent in requests. */
  model: string;
  /** Bearer token. Defaults to none. Never logged or put in errors. */
  apiKey?: string;
  /** Retries of a retryable failure (408, 409, 429, 5xx, connection errors). Defaults to `2`. */
  maxRetries?: number;
  /** Requests in flight at once over the whole pool. Defaults to `16`. */
  maxConcurrency?: number;
  /** Per-request timeout in milliseconds. Defaults to `600000`. */
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
  /** Injected fetch, for tests and proxies. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
};

type Endpoint = { url: string; outstanding: number; honoursN: boolean | undefined };

type Choice = {
  index?: number;
  text?: string;
  message?: { content?: string | null };
  finish_reason?: string | null;
  /** vLLM: the stop string that ended the choice, or null for the end-of-text token. */
  stop_reason?: string | number | null;
  logprobs?: {
    tokens?: string[];
    token_logprobs?: (number | null)[];
    top_logprobs?: (Record<string, number> | null)[] | null;
    content?: { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }[] | null;
  } | null;
};
type CompletionResponse = { choices?: Choice[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };

/** What ended a stopped choice, where the server says (vLLM's `stop_reason`; OpenAI sends none). */
function readStoppedBy(choice: Choice): { stoppedBy?: "end-of-text" | "stop-sequence"; stopSequence?: string } {
  if (mapFinishReason(choice.finish_reason) !== "stop" || !("stop_reason" in choice)) return {};
  return typeof choice.stop_reason === "string" ? { stoppedBy: "stop-sequence", stopSequence: choice.stop_reason } : { stoppedBy: "end-of-text" };
}

const mapFinishReason = (reason: string | null | undefined): FinishReason =>
  reason === "stop" || reason === "eos" ? "stop" : reason === "length" ? "length" : reason === "abort" ? "abort" : "other";

function readLogprobs(choice: Choice): TokenLogprob[] | undefined {
  const logprobs = choice.logprobs;
  if (!logprobs) return undefined;
  if (Array.isArray(logprobs.content)) {
    return logprobs.content.map((item) => ({
      token: item.token,
      logprob: item.logprob,
      ...(item.top_logprobs?.length ? { topLogprobs: item.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob })) } : {}),
    }));
  }
  if (Array.isArray(logprobs.tokens)) {
    return logprobs.tokens.map((token, index) => {
      const top = logprobs.top_logprobs?.[index];
      return {
        token,
        logprob: logprobs.token_logprobs?.[index] ?? 0,
        ...(top ? { topLogprobs: Object.entries(top).map(([text, logprob]) => ({ token: text, logprob })) } : {}),
      };
    });
  }
  return undefined;
}

function retryAfterMs(headers: Headers): number | undefined {
  const milliseconds = Number(headers.get("retry-after-ms"));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const seconds = headers.get("retry-after");
  if (!seconds) return undefined;
  const value = Number(seconds);
  if (Number.isFinite(value)) return value * 1000;
  const date = Date.parse(seconds);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function createOpenAICompatibleModel(settings: OpenAICompatibleSettings): LanguageModel {
  const urls = (Array.isArray(settings.baseURL) ? settings.baseURL : [settings.baseURL]).map((url) => url.replace(/\/+$/, ""));
  if (urls.length === 0 || urls.some((url) => !/^https?:\/\//.test(url)))
    throw new InvalidArgumentError({ parameter: "baseURL", value: settings.baseURL, message: "must be one or more http(s) URLs" });
  const maxRetries = settings.maxRetries ?? 2;
  if (!Number.isInteger(maxRetries) || maxRetries < 0)
    throw new InvalidArgumentError({ parameter: "maxRetries", value: maxRetries, message: "must be an integer >= 0" });
  const endpoints: Endpoint[] = urls.map((url) => ({ url, outstanding: 0, honoursN: undefined }));
  const limit = createConcurrencyLimit(settings.maxConcurrency ?? 16);
  const fetchFunction = settings.fetch ?? globalThis.fetch;
  const timeoutMs = settings.timeoutMs ?? 600_000;
  // Never let the key reach an error message, even if a server echoes it back.
  const redact = (text: string): string => (settings.apiKey ? text.split(settings.apiKey).join("[redacted]") : text);

  const pick = (): Endpoint => endpoints.reduce((best, endpoint) => (endpoint.outstanding < best.outstanding ? endpoint : best));

  /** One HTTP request with retries; returns the endpoint used and the response. */
  async function post(path: string, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<{ endpoint: Endpoint; response: Response }> {
    for (let attempt = 0; ; attempt++) {
      const endpoint = pick();
      endpoint.outstanding++;
      let release = true;
      try {
        const response = await limit(async () => {
          const timeout = AbortSignal.timeout(timeoutMs);
          return fetchFunction(`${endpoint.url}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
            body: JSON.stringify(body),
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
        }, signal);
        if (response.ok) {
          release = false;
          return { endpoint, response: withRelease(response, () => endpoint.outstanding--) };
        }
        const text = redact(await response.text().catch(() => ""));
        const waitMs = retryAfterMs(response.headers);
        const error = new BackendCallError({
          message: `${endpoint.url}${path} answered ${response.status}: ${text.slice(0, 500)}`,
          url: `${endpoint.url}${path}`,
          statusCode: response.status,
          responseBody: text,
          ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
        });
        if (!error.isRetryable || attempt >= maxRetries) throw error;
        await delay(Math.min(60_000, error.retryAfterMs ?? 500 * 2 ** attempt), signal);
      } catch (error) {
        if (isAbortError(error) || signal?.aborted || BackendCallError.isInstance(error)) throw error;
        const wrapped = new BackendCallError({
          message: redact(`cannot reach ${endpoint.url}${path}: ${error instanceof Error ? error.message : String(error)}`),
          url: `${endpoint.url}${path}`,
          isRetryable: true,
          cause: error,
        });
        if (attempt >= maxRetries) throw wrapped;
        await delay(500 * 2 ** attempt, signal);
      } finally {
        if (release) endpoint.outstanding--;
      }
    }
  }

  const requestBody = (options: CallOptions, n: number, stream: boolean): { path: string; body: Record<string, unknown> } => {
    const chat = Array.isArray(options.prompt);
    const body: Record<string, unknown> = {
      model: settings.model,
      n,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.topP !== undefined ? { top_p: options.topP } : {}),
      ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
      ...(options.stop && options.stop.length > 0 ? { stop: options.stop } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      ...(options.backendOptions?.["openai-compatible"] ?? {}),
    };
    if (chat) {
      body.messages = options.prompt;
      if (options.logprobs) {
        body.logprobs = true;
        if (options.topLogprobs) body.top_logprobs = options.topLogprobs;
      }
    } else {
      body.prompt = options.prompt;
      if (options.logprobs) body.logprobs = Math.max(1, options.topLogprobs ?? 1);
    }
    return { path: chat ? "/chat/completions" : "/completions", body };
  };

  /** One non-streaming request for up to n completions. */
  async function requestOnce(options: CallOptions, n: number): Promise<{ completions: Completion[]; usage: Usage; endpoint: Endpoint; usageKnown: boolean }> {
    const started = Date.now();
    const { path, body } = requestBody(options, n, false);
    const { endpoint, response } = await post(path, body, options.abortSignal);
    const json = (await response.json().catch(() => undefined)) as CompletionResponse | undefined;
    if (!json || !Array.isArray(json.choices))
      throw new BackendCallError({ message: `${endpoint.url}${path} returned no choices`, url: `${endpoint.url}${path}`, isRetryable: false });
    const completions = json.choices
      .slice()
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .map((choice) => {
        const logprobs = readLogprobs(choice);
        const text = choice.text ?? choice.message?.content ?? "";
        return {
          text,
          finishReason: mapFinishReason(choice.finish_reason),
          ...readStoppedBy(choice),
          completionTokens: logprobs?.length ?? 0,
          ...(options.logprobs && logprobs ? { logprobs } : {}),
        };
      });
    const usageKnown = json.usage?.completion_tokens !== undefined;
    const completionTokens = json.usage?.completion_tokens ?? completions.reduce((sum, completion) => sum + completion.completionTokens, 0);
    // Split the call's completion tokens over its choices where the server gave no per-choice count.
    for (const completion of completions)
      if (completion.completionTokens === 0 && completions.length > 0) completion.completionTokens = Math.round(completionTokens / completions.length);
    return {
      completions,
      usage: { promptTokens: json.usage?.prompt_tokens ?? 0, completionTokens, calls: 1, wallMs: Date.now() - started },
      endpoint,
      usageKnown,
    };
  }

  async function generate(options: CallOptions): Promise<GenerateResult> {
    validateCallOptions(options);
    const n = options.n ?? 1;
    const started = Date.now();
    const warnings: Warning[] = [];
    const first = await requestOnce(options, n);
    const completions = first.completions.slice(0, n);
    let usage = first.usage;
    if (!first.usageKnown) warnings.push({ type: "unsupported", feature: "usage", details: "the server reported no token usage" });
    if (completions.length < n) {
      // The server ignored n: remember it and fill up with parallel single-completion calls.
      first.endpoint.honoursN = false;
      warnings.push({
        type: "unsupported",
        feature: "n",
        details: `${first.endpoint.url} returned ${completions.length} of ${n} completions; the rest came from parallel calls`,
      });
      const rest = await Promise.all(Array.from({ length: n - completions.length }, () => requestOnce(options, 1)));
      for (const extra of rest) {
        completions.push(...extra.completions.slice(0, 1));
        usage = addUsage(usage, extra.usage);
      }
    } else if (first.endpoint.honoursN === undefined && n > 1) first.endpoint.honoursN = true;
    if (options.logprobs && completions.some((completion) => !completion.logprobs)) warnings.push({ type: "unsupported", feature: "logprobs" });
    return { completions, usage: { ...usage, wallMs: Date.now() - started }, warnings };
  }

  async function stream(options: CallOptions): Promise<ReadableStream<StreamPart>> {
    validateCallOptions(options);
    const started = Date.now();
    const n = options.n ?? 1;
    const { path, body } = requestBody(options, n, true);
    const { endpoint, response } = await post(path, body, options.abortSignal);
    if (!response.body) throw new BackendCallError({ message: `${endpoint.url}${path} sent no body`, isRetryable: true });
    const tokens = new Map<number, number>();
    let usage: Usage = { ...emptyUsage(), calls: 1 };
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    return events.pipeThrough(
      new TransformStream<{ data: string }, StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
        },
        transform(event, controller) {
          // ignore the '[DONE]' event that OpenAI-style servers send last
          if (event.data === "[DONE]") return;
          let chunk: CompletionResponse & { choices?: (Choice & { delta?: { content?: string | null } })[] };
          try {
            chunk = JSON.parse(event.data);
          } catch {
            controller.enqueue({
              type: "error",
              error: new BackendCallError({ message: `unparseable stream event from ${endpoint.url}`, isRetryable: false }),
            });
            return;
          }
          if (chunk.usage) usage = { ...usage, promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
          for (const choice of chunk.choices ?? []) {
            const index = choice.index ?? 0;
            const delta = choice.text ?? choice.delta?.content ?? "";
            const logprobs = readLogprobs(choice);
            if (delta) {
              tokens.set(index, (tokens.get(index) ?? 0) + (logprobs?.length ?? 1));
              controller.enqueue({ type: "text-delta", index, delta, ...(logprobs ? { logprobs } : {}) });
            }
            if (choice.finish_reason)
              controller.enqueue({
                type: "completion-end",
                index,
                finishReason: mapFinishReason(choice.finish_reason),
                ...readStoppedBy(choice),
                completionTokens: tokens.get(index) ?? 0,
              });
          }
        },
        flush(controller) {
          if (usage.completionTokens === 0) usage = { ...usage, completionTokens: [...tokens.values()].reduce((sum, count) => sum + count, 0) };
          controller.enqueue({ type: "end", usage: { ...usage, wallMs: Date.now() - started } });
        },
      }),
    );
  }

  return {
    specificationVersion: "v1",
    provider: "openai-compatible",
    modelId: settings.model,
    ...(settings.formatProblem ? { formatProblem: settings.formatProblem } : {}),
    supportsRawPrompt: settings.rawPrompt ?? true,
    ...(settings.stepDelimiter ? { stepDelimiter: settings.stepDelimiter } : {}),
    doGenerate: generate,
    doStream: stream,
    /** Reads label probabilities from the top log-probabilities of one generated token per offset (serves PRMs remotely). */
    async doScoreTokens({ text, offsets, tokens, abortSignal }) {
      let promptTokens = 0;
      const probabilities = await Promise.all(
        offsets.map(async (offset) => {
          const result = await requestOnce(
            { prompt: text.slice(0, offset), maxTokens: 1, temperature: 0, logprobs: true, topLogprobs: 20, ...(abortSignal ? { abortSignal } : {}) },
            1,
          );
          promptTokens += result.usage.promptTokens;
          const top = result.completions[0]?.logprobs?.[0]?.topLogprobs;
          if (!top)
            throw new BackendCallError({
              message: `${result.endpoint.url} returned no top log-probabilities, which scoring with a process reward model needs`,
              isRetryable: false,
            });
          return tokens.map((token) => {
            const hit = top.find((item) => item.token === token);
            return hit ? Math.exp(hit.logprob) : 0;
          });
        }),
      );
      return { probabilities, usage: { promptTokens } };
    },
  };
}

/** Calls `onDone` once the body is consumed, cancelled or fails (for the pool's outstanding counts). */
function withRelease(response: Response, onDone: () => void): Response {
  if (!response.body) {
    onDone();
    return response;
  }
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      onDone();
    }
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done: ended } = await reader.read();
        if (ended) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
