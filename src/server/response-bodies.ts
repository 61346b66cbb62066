/** How mull's results become OpenAI-shaped response bodies. */
import type { FinishReason } from "../core/finish-reason.js";
import type { TokenLogprob } from "../core/generate-result.js";
import type { StrategyReport } from "../core/strategy.js";
import type { Usage } from "../core/usage.js";

export type Kind = "completion" | "chat";

export const usageBody = (usage: Usage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** The response's `mull` object: the strategy's answer, confidence, candidates, usage and the settings it ran with. */
export const mullBody = (report: StrategyReport | undefined, usage: Usage) =>
  report
    ? {
        strategy: report.strategy,
        answer: report.answer ?? null,
        confidence: report.confidence,
        stopReason: report.stopReason,
        votes: report.votes,
        candidates: report.candidates.map((candidate) => ({
          answer: candidate.answer ?? null,
          finishReason: candidate.finishReason,
          completionTokens: candidate.completionTokens,
          ...(candidate.score !== undefined ? { score: candidate.score } : {}),
        })),
        usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, calls: usage.calls, wallMs: usage.wallMs },
        ...(report.verifierTokens !== undefined ? { verifierTokens: report.verifierTokens } : {}),
        settings: report.settings,
        warnings: report.warnings,
      }
    : undefined;

/** OpenAI's two log-probability shapes: chat's `content` list, and the legacy completions arrays. */
export function logprobsBody(kind: Kind, items: TokenLogprob[]) {
  if (kind === "chat") return { content: items.map((item) => ({ token: item.token, logprob: item.logprob, top_logprobs: item.topLogprobs ?? [] })) };
  const hasTop = items.some((item) => item.topLogprobs);
  return {
    tokens: items.map((item) => item.token),
    token_logprobs: items.map((item) => item.logprob),
    top_logprobs: hasTop ? items.map((item) => topLogprobsObject(item.topLogprobs ?? [])) : null,
    text_offset: [],
  };
}

/**
 * The legacy `{ text: logprob }` shape. Two tokens can decode to the same text (a character and its byte
 * fallback); the likelier one keeps the key, so an unlikely twin never overwrites it.
 */
function topLogprobsObject(top: { token: string; logprob: number }[]): Record<string, number> {
  const object: Record<string, number> = {};
  for (const { token, logprob } of top) if (!Object.hasOwn(object, token) || logprob > (object[token] ?? Number.NEGATIVE_INFINITY)) object[token] = logprob;
  return object;
}

/** vLLM's `stop_reason`: the stop string that ended a choice, or null for the end-of-text token; absent when unknown. */
export function stopReasonBody(completion: { stoppedBy?: "end-of-text" | "stop-sequence"; stopSequence?: string }): { stop_reason?: string | null } {
  if (completion.stoppedBy === "end-of-text") return { stop_reason: null };
  if (completion.stoppedBy === "stop-sequence" && completion.stopSequence !== undefined) return { stop_reason: completion.stopSequence };
  return {};
}

/** mull's finish reason as OpenAI spells it (`tool-calls` is `tool_calls`, `content-filter` is `content_filter`). */
export function wireFinishReason(reason: FinishReason): string {
  return reason === "tool-calls" ? "tool_calls" : reason === "content-filter" ? "content_filter" : reason;
}
