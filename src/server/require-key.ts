/**
 * Lets a `/v1` request through only with a valid key allowed its model, within its rate and its day's tokens;
 * otherwise an OpenAI-shaped 401, 403 or 429 (with `retry-after`). A POST's model comes from the body parsed
 * once (`read-body.ts`).
 */
import type { Context, Next } from "hono";
import type { createKeyRing } from "./api-keys.js";
import type { ServerEnv } from "./server-env.js";

export function requireKey(keyRing: ReturnType<typeof createKeyRing>) {
  return async (context: Context<ServerEnv>, next: Next) => {
    const body = context.get("body");
    const json = body && "json" in body ? (body.json as { model?: unknown } | null) : undefined;
    const model = typeof json?.model === "string" ? json.model : undefined;
    // Anthropic's clients send the key as `x-api-key`.
    const apiKey = context.req.header("x-api-key");
    const checked = keyRing.check(context.req.header("authorization") ?? (apiKey ? `Bearer ${apiKey}` : undefined), model);
    if (!checked.ok) {
      const type = checked.status === 429 ? "rate_limit_error" : checked.status === 401 ? "authentication_error" : "permission_error";
      if (checked.retryAfterSeconds !== undefined) context.header("retry-after", String(checked.retryAfterSeconds));
      return context.json({ error: { message: checked.message, type, param: null, code: checked.code } }, checked.status);
    }
    context.set("apiKey", checked.key);
    await next();
    return undefined;
  };
}
