/**
 * Errors in Anthropic's shape on its routes (`/v1/messages*`): `{ "type": "error", "error": { "type", "message" } }`,
 * the type from the status as Anthropic names them. One middleware reshapes every JSON error there (a refusal, a
 * missing key, a 404, a 413, an upstream's failure), so no route writes them twice.
 */
import type { Context, Next } from "hono";
import type { OpenAIErrorBody } from "./openai-error.js";

const typesByStatus: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  503: "overloaded_error",
};

export function anthropicErrorBody(body: OpenAIErrorBody, status: number) {
  return { type: "error", error: { type: typesByStatus[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message: body.error.message } };
}

export async function anthropicErrors(context: Context, next: Next): Promise<void> {
  await next();
  const response = context.res;
  if (response.status < 400 || !response.headers.get("content-type")?.includes("application/json")) return;
  const body = (await response.clone().json()) as Partial<OpenAIErrorBody> & { type?: string };
  if (body.type === "error" || typeof body.error?.message !== "string") return;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  context.res = new Response(JSON.stringify(anthropicErrorBody(body as OpenAIErrorBody, response.status)), { status: response.status, headers });
}
