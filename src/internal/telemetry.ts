/**
 * OpenTelemetry through its API alone: spans cost nothing until an application (or `mull serve`, from the
 * standard `OTEL_*` environment variables) registers an SDK. Attributes carry counts and names, never
 * prompts, completions or keys.
 */
import { type Attributes, context, propagation, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

export { SpanKind };

export const tracer = () => trace.getTracer("mull");

/** Runs `work` inside an active span, ending it with the outcome (errors recorded) unless `keepOpen` says the work ends later. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span) => Promise<T>,
  keepOpen = false,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    async (span) => {
      try {
        const result = await work(span);
        if (!keepOpen) span.end();
        return result;
      } catch (error) {
        endWithError(span, error);
        throw error;
      }
    },
  );
}

export function endWithError(span: Span, error: unknown): void {
  const aborted = error instanceof Error && (error.name === "AbortError" || error.name === "MullAbortError");
  span.setStatus({ code: SpanStatusCode.ERROR, message: aborted ? "cancelled" : error instanceof Error ? error.name : "error" });
  if (error instanceof Error) span.recordException({ name: error.name, message: error.message });
  span.end();
}

/** Adds the active trace's `traceparent` to outgoing headers, so that an upstream's spans join the trace. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Runs `work` in the context of an incoming request's `traceparent`, where it has one. */
export function withIncomingTrace<T>(headers: Record<string, string>, work: () => T): T {
  return context.with(propagation.extract(context.active(), headers), work);
}
