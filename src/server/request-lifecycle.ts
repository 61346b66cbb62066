import type { Context, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { startRequestSpan } from "./request-span.js";
import type { ServerEnv, ServerLifecycle, ServerLogger } from "./server-env.js";
import type { ServerMetrics } from "./server-metrics.js";

/**
 * What every request goes through: counted in flight until its response is finished (a stream: until its
 * last event) for a graceful drain, measured in the metrics, spanned in a server span that joins the
 * caller's trace (`traceparent`), and logged as one line.
 */
export function requestLifecycle(options: { lifecycle: ServerLifecycle; metrics: ServerMetrics | undefined; logger: ServerLogger | undefined }) {
  const { lifecycle, metrics, logger } = options;
  return async (context: Context<ServerEnv>, next: Next) => {
    lifecycle.inFlight++;
    metrics?.inFlight(1);
    const started = performance.now();
    const outgoing = (context.env as { outgoing?: import("node:http").ServerResponse } | undefined)?.outgoing;
    const span = startRequestSpan(context.req.method, context.req.path, context.req.header());
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        lifecycle.inFlight--;
        metrics?.inFlight(-1);
        // What went on the wire. Reading `context.res` before the handler has returned would make Hono build a
        // default response that then replaces the handler's (a stream written straight to the socket among them).
        const status = outgoing?.headersSent ? outgoing.statusCode : context.finalized ? context.res.status : 499;
        const route = context.req.routePath && context.req.routePath !== "/*" ? context.req.routePath : "unmatched";
        const seconds = (performance.now() - started) / 1000;
        const modelId = context.get("modelId") ?? "";
        metrics?.request({ route, model: modelId, status, seconds });
        span.finish({ route, status, modelId });
        logger?.info(
          {
            method: context.req.method,
            route,
            path: context.req.path,
            status,
            model: modelId || undefined,
            keyName: context.get("apiKey")?.name,
            ms: Math.round(seconds * 1000),
          },
          "request",
        );
      }
    };
    outgoing?.once("close", finish);
    try {
      await span.run(next);
      // A body the route never read (a 404, a 413, a GET with a body) would leave the connection half-read: the next
      // request on it would wait behind the rest. Such a connection is closed after this response instead.
      const incoming = (context.env as { incoming?: import("node:http").IncomingMessage } | undefined)?.incoming;
      if (incoming && !incoming.complete && !outgoing?.headersSent) context.header("connection", "close");
    } finally {
      if (!outgoing) finish();
    }
  };
}

/** Refuses a body over `maxBytes` with an OpenAI-shaped 413, before reading the rest of it. */
export function requestBodyLimit(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (context) =>
      context.json(
        { error: { message: `The request body is larger than ${maxBytes} bytes`, type: "invalid_request_error", param: null, code: "request_too_large" } },
        413,
      ),
  });
}
