/**
 * Response bodies read and validated once for every HTTP client: a whole JSON body, or a stream of
 * server-sent events each carrying JSON. A body that does not match its schema is a non-retryable
 * `BackendCallError` naming the URL and the first mismatch, never an `undefined` read further on.
 */
import { createParser } from "eventsource-parser";
import type { z } from "zod";
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import { redact } from "./post-json.js";

export async function readJsonBody<Schema extends z.ZodType>(options: {
  response: Response;
  schema: Schema;
  url: string;
  apiKey?: string | undefined;
}): Promise<z.output<Schema>> {
  const text = await options.response.text();
  return parseJson({ ...options, text, what: "a body" });
}

/** Events read one at a time; `cancel` releases the body even while a read is waiting on it. */
export type JsonEvents<Value> = { next(): Promise<IteratorResult<Value, undefined>>; cancel(reason?: unknown): Promise<void> };

/**
 * Each event's JSON, validated; OpenAI-style `[DONE]` markers are skipped. Read straight from the body's
 * reader rather than through a chain of transform streams: a proxied stream crosses this once per event,
 * and every web stream Node creates costs more than the parsing.
 */
export function readJsonEvents<Schema extends z.ZodType>(options: {
  response: Response;
  schema: Schema;
  url: string;
  apiKey?: string | undefined;
}): JsonEvents<z.output<Schema>> {
  const { response, url } = options;
  if (!response.body) throw new BackendCallError({ message: `${url} sent no body`, url, isRetryable: true });
  // A body of another type holds no events: said at once, rather than read as a stream that never finishes a choice.
  const type = response.headers.get("content-type") ?? "";
  if (type !== "" && !type.includes("text/event-stream")) {
    void response.body.cancel().catch(() => {});
    throw new BackendCallError({
      message: `${url} answered a streamed request with ${type.split(";")[0]}, not server-sent events (text/event-stream)`,
      url,
      isRetryable: false,
    });
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event.data) });
  let ended = false;
  return {
    async next() {
      for (;;) {
        const data = events.shift();
        if (data !== undefined) {
          if (data === "[DONE]") continue;
          return { value: parseJson({ ...options, text: data, what: "a stream event" }), done: false };
        }
        if (ended) return { value: undefined, done: true };
        const { value, done } = await reader.read();
        if (done) ended = true;
        parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      }
    },
    async cancel(reason) {
      ended = true;
      events.length = 0;
      await reader.cancel(reason).catch(() => {});
    },
  };
}

function parseJson<Schema extends z.ZodType>(options: {
  text: string;
  schema: Schema;
  url: string;
  what: string;
  apiKey?: string | undefined;
}): z.output<Schema> {
  const { text, schema, url, what } = options;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackendCallError({ message: `${url} sent ${what} that is not JSON: ${redact(text.slice(0, 200), options.apiKey)}`, url, isRetryable: false });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "the top level";
  throw new BackendCallError({
    message: `${url} sent ${what} mull cannot read: at ${where}, ${issue?.message ?? "unexpected shape"}`,
    url,
    isRetryable: false,
  });
}
