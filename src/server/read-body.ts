/** The request body, read and parsed once for every `/v1` POST (keys and the handler both read it). */
import type { Context, Next } from "hono";
import type { ServerEnv } from "./server-env.js";

/** Stores the parsed body (or that it is not JSON) on the context; handlers validate it with their protocol's schema. */
export async function readBody(context: Context<ServerEnv>, next: Next): Promise<void> {
  if (context.req.method === "POST") {
    try {
      context.set("body", { json: await context.req.json() });
    } catch {
      context.set("body", { invalid: true });
    }
  }
  await next();
}
