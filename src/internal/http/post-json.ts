/**
 * One JSON POST, with the failures every HTTP backend and verifier maps the same way: a non-2xx answer
 * becomes a `BackendCallError` with its status, body and `retry-after`; a connection failure becomes a
 * retryable one; a cancellation stays the caller's abort. The API key never reaches an error. Retries
 * and timeouts are the middleware's (`callWithRetry`, `timeoutMiddleware`), not this function's.
 */
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import { isAbortError } from "../abort.js";
import { injectTraceHeaders, inSpan, SpanKind } from "../telemetry.js";

export type PostJsonOptions = {
  url: string;
  body: unknown;
  /** Sent as a bearer token (or in `keyHeader`); removed from any error text, even if a server echoes it. */
  apiKey?: string | undefined;
  /** The header that carries the key: `authorization` (a bearer token) or Anthropic's `x-api-key`. Defaults to `authorization`. */
  keyHeader?: "authorization" | "x-api-key" | undefined;
  /** More headers (an API version). Defaults to none. */
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
};

/** The POST in a client span (until the answer's headers arrive), its `traceparent` sent along. */
export function postJson(options: PostJsonOptions): Promise<Response> {
  const target = new URL(options.url);
  return inSpan(
    "POST",
    {
      kind: SpanKind.CLIENT,
      attributes: { "http.request.method": "POST", "url.full": `${target.origin}${target.pathname}`, "server.address": target.hostname },
    },
    async (span) => {
      const response = await send(options, injectTraceHeaders({}));
      span.setAttribute("http.response.status_code", response.status);
      return response;
    },
  );
}

async function send(options: PostJsonOptions, traceHeaders: Record<string, string>): Promise<Response> {
  const { url, apiKey, signal } = options;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchFunction(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...traceHeaders,
        ...options.headers,
        ...(apiKey ? (options.keyHeader === "x-api-key" ? { "x-api-key": apiKey } : { authorization: `Bearer ${apiKey}` }) : {}),
      },
      body: JSON.stringify(options.body),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw error;
    throw new BackendCallError({
      message: redact(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`, apiKey),
      url,
      isRetryable: true,
      cause: error,
    });
  }
  if (response.ok) return response;
  const text = redact(await response.text().catch(() => ""), apiKey);
  const waitMs = retryAfterMs(response.headers);
  throw new BackendCallError({
    message: `${url} answered ${response.status}: ${text.slice(0, 500)}`,
    url,
    statusCode: response.status,
    responseBody: text,
    ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
  });
}

/** `text` with every occurrence of the key replaced. */
export function redact(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join("[redacted]") : text;
}

/** The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
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
