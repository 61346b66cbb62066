/**
 * Response bodies read and validated once for every HTTP client: a whole JSON body, or a stream of
 * server-sent events each carrying JSON. A body that does not match its schema is a non-retryable
 * `BackendCallError` naming the URL and the first mismatch, never an `undefined` read further on.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
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

/** Each event's JSON, validated; OpenAI-style `[DONE]` markers are skipped. */
export function readJsonEvents<Schema extends z.ZodType>(options: {
  response: Response;
  schema: Schema;
  url: string;
  apiKey?: string | undefined;
}): ReadableStream<z.output<Schema>> {
  const { response, url } = options;
  if (!response.body) throw new BackendCallError({ message: `${url} sent no body`, url, isRetryable: true });
  return response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .pipeThrough(
      new TransformStream<{ data: string }, z.output<Schema>>({
        transform(event, controller) {
          if (event.data === "[DONE]") return;
          controller.enqueue(parseJson({ ...options, text: event.data, what: "a stream event" }));
        },
      }),
    );
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
