/**
 * Optional API keys for a server run for a team: `Authorization: Bearer <key>` on every `/v1` request, and
 * per key the models it may call, a request rate and a daily token budget. Errors and metrics name a key by
 * its `name`, never by the key itself; keys are compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type ApiKey = {
  /** The secret clients send as a bearer token. */
  key: string;
  /** How errors and logs refer to the key. */
  name: string;
  /** Model ids (as in `/v1/models`) the key may call. Defaults to all. */
  models?: string[] | undefined;
  /** Most requests in any 60 seconds. Defaults to unlimited. */
  requestsPerMinute?: number | undefined;
  /** Most tokens (prompt and completion, everything a strategy spent) per UTC day. Defaults to unlimited. */
  tokensPerDay?: number | undefined;
};

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; status: 401 | 403 | 429; message: string; code: string; retryAfterSeconds?: number };

const digest = (text: string) => createHash("sha256").update(text).digest();

export function createKeyRing(keys: readonly ApiKey[]) {
  const entries = keys.map((key) => ({ key, digest: digest(key.key), requests: [] as number[], day: "", tokens: 0 }));
  const today = () => new Date().toISOString().slice(0, 10);
  const secondsToMidnight = () => Math.ceil((Date.parse(`${today()}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000);
  const find = (authorization: string | undefined) => {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (!token) return undefined;
    const given = digest(token);
    return entries.find((entry) => timingSafeEqual(entry.digest, given));
  };
  return {
    /** Whether a request may go on, and which key it used. */
    check(authorization: string | undefined, model: string | undefined): KeyCheck {
      const entry = find(authorization);
      if (!entry) return { ok: false, status: 401, code: "invalid_api_key", message: "A valid API key is required (Authorization: Bearer <key>)" };
      const { key } = entry;
      if (model !== undefined && key.models && !key.models.includes(model))
        return { ok: false, status: 403, code: "model_not_allowed", message: `The key "${key.name}" may not call the model ${JSON.stringify(model)}` };
      const now = Date.now();
      entry.requests = entry.requests.filter((at) => now - at < 60_000);
      if (key.requestsPerMinute !== undefined && entry.requests.length >= key.requestsPerMinute) {
        const retryAfterSeconds = Math.max(1, Math.ceil((60_000 - (now - (entry.requests[0] as number))) / 1000));
        return {
          ok: false,
          status: 429,
          code: "rate_limit_exceeded",
          message: `The key "${key.name}" is over ${key.requestsPerMinute} requests a minute`,
          retryAfterSeconds,
        };
      }
      if (entry.day !== today()) {
        entry.day = today();
        entry.tokens = 0;
      }
      if (key.tokensPerDay !== undefined && entry.tokens >= key.tokensPerDay)
        return {
          ok: false,
          status: 429,
          code: "token_budget_exceeded",
          message: `The key "${key.name}" has spent its ${key.tokensPerDay} tokens for today`,
          retryAfterSeconds: secondsToMidnight(),
        };
      entry.requests.push(now);
      return { ok: true, key };
    },
    /** Adds what a request spent to its key's day. */
    spend(key: ApiKey, tokens: number) {
      const entry = entries.find((item) => item.key === key);
      if (entry) entry.tokens += tokens;
    },
  };
}
