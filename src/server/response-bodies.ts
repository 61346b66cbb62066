/** How mull's results become OpenAI-shaped response bodies. */
import type { FinishReason } from "../core/finish-reason.js";
import type { TokenLogprob } from "../core/generate-result.js";
import type { StrategyReport } from "../core/strategy.js";
import type { Usage } from "../core/usage.js";

export type Kind = "completion" | "chat";

/** OpenAI's usage; `reasoningTokens`, where any completion counted its thinking, as `completion_tokens_details`. */
export const usageBody = (usage: Usage, reasoningTokens?: number) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  ...(reasoningTokens !== undefined ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}),
});

/** The thinking tokens of a set of completions, where any of them counted its own. */
export function reasoningTokensOf(completions: readonly { reasoningTokens?: number }[]): number | undefined {
  return completions.some((completion) => completion.reasoningTokens !== undefined)
    ? completions.reduce((sum, completion) => sum + (completion.reasoningTokens ?? 0), 0)
    : undefined;
}

/** A candidate as responses and the debugger show it: its answer, how it ended, its tokens and score; never its text. */
const candidateSummary = (candidate: StrategyReport["candidates"][number]) => ({
  answer: candidate.answer ?? null,
  finishReason: candidate.finishReason,
  completionTokens: candidate.completionTokens,
  ...(candidate.score !== undefined ? { score: candidate.score } : {}),
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
        candidates: report.candidates.map(candidateSummary),
        usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, calls: usage.calls, wallMs: usage.wallMs },
        ...(report.verifierTokens !== undefined ? { verifierTokens: report.verifierTokens } : {}),
        ...(report.compute ? { compute: report.compute } : {}),
        settings: report.settings,
        warnings: report.warnings,
        ...(report.runs ? { runs: report.runs.map((run) => ({ answer: run.answer ?? null, usage: run.usage })) } : {}),
      }
    : undefined;

const utf8 = new TextEncoder();
/** A token as OpenAI's chat log-probabilities give it: with the UTF-8 bytes of its text. */
const tokenBody = (item: { token: string; logprob: number }) => ({ token: item.token, logprob: item.logprob, bytes: [...utf8.encode(item.token)] });

/**
 * OpenAI's two log-probability shapes: chat's `content` list (with `refusal`), and the legacy completions
 * arrays, whose `text_offset` is each token's character offset in the completion (from `offset` on, for a
 * streamed delta).
 */
export function logprobsBody(kind: Kind, items: TokenLogprob[], offset = 0) {
  if (kind === "chat") return { content: items.map((item) => ({ ...tokenBody(item), top_logprobs: (item.topLogprobs ?? []).map(tokenBody) })), refusal: null };
  const hasTop = items.some((item) => item.topLogprobs);
  const offsets: number[] = [];
  let at = offset;
  for (const item of items) {
    offsets.push(at);
    at += item.token.length;
  }
  return {
    tokens: items.map((item) => item.token),
    token_logprobs: items.map((item) => item.logprob),
    top_logprobs: hasTop ? items.map((item) => topLogprobsObject(item.topLogprobs ?? [])) : null,
    text_offset: offsets,
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

/**
 * mull's finish reason as one of OpenAI's values (`stop`, `length`, `tool_calls`, `content_filter`): a
 * cancelled, failed or otherwise ended completion is `stop`; mull's own reason stays in the `mull` object.
 */
export function wireFinishReason(reason: FinishReason): "stop" | "length" | "tool_calls" | "content_filter" {
  return reason === "length" ? "length" : reason === "tool-calls" ? "tool_calls" : reason === "content-filter" ? "content_filter" : "stop";
}
