import type { Completion } from "../core/generate-result.js";
import type { Candidate } from "../core/strategy-report.js";
import type { ToolCall, ToolVote } from "../core/tools.js";
import { traceConfidence } from "../internal/token-confidence.js";

/** `confidenceWindow`: tokens per group for the confidence signals. Defaults to 16. */
export function toCandidate(
  completion: Completion,
  extractAnswer: (text: string) => string | undefined,
  toolVote: ToolVote = "arguments",
  confidenceWindow = 16,
): Candidate {
  const logprobs = completion.logprobs;
  const confidence = logprobs ? traceConfidence(logprobs, confidenceWindow) : undefined;
  const toolCalls = completion.toolCalls && completion.toolCalls.length > 0 ? completion.toolCalls : undefined;
  return {
    text: completion.text,
    // A completion cut short by an abort has no trustworthy answer; one that calls tools is voted on by its calls.
    answer: completion.finishReason === "abort" ? undefined : toolCalls ? toolCallAnswer(toolCalls, toolVote) : extractAnswer(completion.text),
    finishReason: completion.finishReason,
    completionTokens: completion.completionTokens,
    ...(logprobs && logprobs.length > 0 ? { meanLogprob: logprobs.reduce((sum, item) => sum + item.logprob, 0) / logprobs.length } : {}),
    ...(confidence ? { confidence } : {}),
    ...(toolCalls ? { toolCalls } : {}),
  };
}

/**
 * The vote key of a turn's tool calls: `tool:name(arguments)` per call, arguments as canonical JSON (keys
 * sorted, no whitespace) so that the same call written two ways counts once; calls in a turn sorted, since
 * parallel calls have no order. Arguments that are not JSON are compared as written, trimmed.
 */
export function toolCallAnswer(toolCalls: readonly ToolCall[], toolVote: ToolVote): string {
  const keys = toolCalls.map((call) =>
    toolVote === "name" ? `tool:${call.function.name}` : `tool:${call.function.name}(${canonicalJson(call.function.arguments)})`,
  );
  return keys.sort().join(" ");
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text.trim();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  return value;
}
