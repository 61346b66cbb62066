import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { createKeyRing } from "./api-keys.js";
import { debugPage } from "./debug-page.js";
import type { DebugRecorder } from "./debug-recorder.js";
import { invalidRequest } from "./openai-error.js";
import type { ServerEnv } from "./server-env.js";

/**
 * `/debug` (the page), `/debug/requests` (recent requests), `/debug/requests/{id}` (one, whole) and
 * `/debug/requests/{id}/events` (its events so far, then live, as server-sent events). Where the server
 * has keys, these need one too: as a bearer token, or `?key=` for the page, which a browser opens directly.
 */
export function addDebugRoutes(app: Hono<ServerEnv>, recorder: DebugRecorder, keyRing: ReturnType<typeof createKeyRing> | undefined): void {
  if (keyRing)
    app.use("/debug/*", async (context, next) => {
      const query = context.req.query("key");
      const checked = keyRing.check(context.req.header("authorization") ?? (query ? `Bearer ${query}` : undefined), undefined);
      if (!checked.ok)
        return context.json({ error: { message: checked.message, type: "authentication_error", param: null, code: checked.code } }, checked.status);
      await next();
      return undefined;
    });
  app.get("/debug", (context) => context.html(debugPage));
  app.get("/debug/requests", (context) => context.json(recorder.list()));
  app.get("/debug/requests/:id", (context) => {
    const request = recorder.get(context.req.param("id"));
    return request ? context.json(request) : notFound(context);
  });
  app.get("/debug/requests/:id/events", (context) => {
    const id = context.req.param("id");
    const request = recorder.get(id);
    if (!request) return notFound(context);
    return streamSSE(context, async (stream) => {
      // The record's events so far, then each new one as the recorder announces it, until the request ends.
      let ended = request.state !== "running";
      let wake: (() => void) | undefined;
      const unsubscribe = recorder.subscribe(id, (event) => {
        if (event === undefined) ended = true;
        wake?.();
      });
      stream.onAbort(() => {
        ended = true;
        wake?.();
      });
      try {
        let sent = 0;
        for (;;) {
          while (sent < request.events.length && !stream.aborted) await stream.writeSSE({ data: JSON.stringify(request.events[sent++]) });
          if (ended || stream.aborted) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        if (!stream.aborted) await stream.writeSSE({ event: "done", data: request.state });
      } finally {
        unsubscribe();
      }
    });
  });
}

function notFound(context: Context) {
  return context.json(invalidRequest("no such request; the debugger keeps the most recent ones", "id", 404).body, 404);
}
