import { context as otelContext, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { tracer, withIncomingTrace } from "../internal/telemetry.js";

/**
 * A server span for one request, in the trace of the caller's `traceparent` where it sent one: the
 * strategy, model-call and upstream spans of the request are its children. It ends when the response
 * does (a stream: after its last event).
 */
export function startRequestSpan(method: string, path: string, headers: Record<string, string>) {
  const parent = withIncomingTrace(headers, () => otelContext.active());
  const span = tracer().startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": path } }, parent);
  const active = trace.setSpan(parent, span);
  return {
    run: <T>(work: () => Promise<T>): Promise<T> => otelContext.with(active, work),
    finish({ route, status, modelId }: { route: string; status: number; modelId: string }) {
      span.updateName(`${method} ${route}`);
      span.setAttributes({ "http.route": route, "http.response.status_code": status, ...(modelId ? { "mull.model": modelId } : {}) });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
