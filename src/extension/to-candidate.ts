import type { Completion } from "../core/generate-result.js";
import type { Candidate } from "../core/strategy-report.js";

export function toCandidate(completion: Completion, extractAnswer: (text: string) => string | undefined): Candidate {
  const logprobs = completion.logprobs;
  return {
    text: completion.text,
    // A completion cut short by an abort has no trustworthy answer.
    answer: completion.finishReason === "abort" ? undefined : extractAnswer(completion.text),
    finishReason: completion.finishReason,
    completionTokens: completion.completionTokens,
    ...(logprobs && logprobs.length > 0 ? { meanLogprob: logprobs.reduce((sum, item) => sum + item.logprob, 0) / logprobs.length } : {}),
  };
}
