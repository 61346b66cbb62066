import type { Attributes, Span } from "@opentelemetry/api";
import type { Usage } from "../core/usage.js";
import { endWithError, inSpan, SpanKind } from "../internal/telemetry.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { observeStream } from "./observe-stream.js";

/**
 * A span per model call (`mull.model <operation>`), with the model, `n` and the tokens it spent as
 * attributes (OpenTelemetry's GenAI names where they exist); an upstream's HTTP request is its child. A
 * stream's span ends when the stream does.
 */
export function openTelemetryMiddleware(): ModelMiddleware {
  const attributes = (model: { provider: string; modelId: string }, operation: string, n: number): Attributes => ({
    "gen_ai.operation.name": operation,
    "gen_ai.provider.name": model.provider,
    "gen_ai.request.model": model.modelId,
    "mull.n": n,
  });
  const recordUsage = (span: Span, usage: Partial<Usage> | undefined) => {
    if (usage?.promptTokens !== undefined) span.setAttribute("gen_ai.usage.input_tokens", usage.promptTokens);
    if (usage?.completionTokens !== undefined) span.setAttribute("gen_ai.usage.output_tokens", usage.completionTokens);
  };
  return {
    name: "open-telemetry",
    wrapGenerate: ({ options, next, model }) =>
      inSpan("mull.model generate", { kind: SpanKind.CLIENT, attributes: attributes(model, "generate", options.n ?? 1) }, async (span) => {
        const result = await next(options);
        recordUsage(span, result.usage);
        span.setAttribute(
          "gen_ai.response.finish_reasons",
          result.completions.map((completion) => completion.finishReason),
        );
        return result;
      }),
    wrapStream: ({ options, next, model }) =>
      inSpan(
        "mull.model stream",
        { kind: SpanKind.CLIENT, attributes: attributes(model, "stream", options.n ?? 1) },
        async (span) =>
          observeStream(await next(options), {
            onPart(part) {
              if (part.type === "end") recordUsage(span, part.usage);
            },
            onDone(done) {
              if (done.state === "failed") endWithError(span, done.error);
              else {
                if (done.state === "cancelled") span.setAttribute("mull.cancelled", true);
                span.end();
              }
            },
          }),
        true,
      ),
    wrapScoreTokens: ({ options, next, model }) =>
      inSpan("mull.model score", { kind: SpanKind.CLIENT, attributes: attributes(model, "score", options.offsets.length) }, async (span) => {
        const result = await next(options);
        recordUsage(span, result.usage);
        return result;
      }),
  };
}
