/**
 * Outcome scoring by any model as a judge. `yes-no` asks whether the solution is correct and reads
 * p(yes) / (p(yes) + p(no)) from the first token's top log-probabilities where the backend returns them,
 * else from the text; `score` asks for 0 to 10 and reads the expected score from the top log-probabilities,
 * else the number in the text. Scores are in [0, 1].
 */

import type { ChatMessage } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier } from "../core/verifier.js";
import { lastUserText } from "../internal/prompt-text.js";

export type JudgeOptions = {
  model: LanguageModel;
  /** Defaults to `"yes-no"`. */
  mode?: "yes-no" | "score";
  /** Builds the judge's question. Defaults to a short instruction with the problem and the solution. */
  template?: (options: { prompt: string; solution: string; mode: "yes-no" | "score" }) => string;
};

/** The judge's question (its default template). */
export const judgePrompt = ({ prompt, solution, mode }: { prompt: string; solution: string; mode: "yes-no" | "score" }) =>
  `Problem:\n${prompt.trim()}\n\nProposed solution:\n${solution.trim()}\n\n` +
  (mode === "yes-no"
    ? "Is the proposed solution correct? Answer yes or no."
    : "Rate the correctness of the proposed solution from 0 (wrong) to 10 (certainly right). Answer with the number only.");

export function createJudgeVerifier(options: JudgeOptions): Verifier {
  const mode = options.mode ?? "yes-no";
  if (mode !== "yes-no" && mode !== "score") throw new InvalidArgumentError({ parameter: "mode", value: mode, message: 'must be "yes-no" or "score"' });
  const template = options.template ?? judgePrompt;
  const model = options.model;
  return {
    name: `judge:${model.modelId}:${mode}`,
    kind: "outcome",
    ...(model.cost ? { cost: model.cost } : {}),
    async score({ prompt, solution, abortSignal }) {
      const question = template({ prompt: conversationText(prompt), solution, mode });
      const result = await model.doGenerate({
        prompt: [{ role: "user", content: question }],
        temperature: 0,
        maxTokens: mode === "yes-no" ? 1 : 3,
        logprobs: true,
        topLogprobs: 20,
        ...(abortSignal ? { abortSignal } : {}),
      });
      const completion = result.completions[0];
      const top = completion?.logprobs?.[0]?.topLogprobs;
      const text = (completion?.text ?? "").trim().toLowerCase();
      // What the judge read and wrote counts as the verifier's tokens.
      const tokens = result.usage.promptTokens + result.usage.completionTokens;
      return { score: mode === "yes-no" ? yesNoScore(top, text) : tenPointScore(top, text), tokens };
    },
  };
}

type TopLogprobs = { token: string; logprob: number }[] | undefined;

/** p(yes) / (p(yes) + p(no)) from the first token's top log-probabilities, else whether the text says yes. */
function yesNoScore(top: TopLogprobs, text: string): number {
  let yes = 0;
  let no = 0;
  for (const item of top ?? []) {
    // A tokenizer may split the word ("y" + "es" on a character-level model): a token that begins only one of them counts for it.
    const token = item.token.trim().toLowerCase();
    if (token === "") continue;
    if ("yes".startsWith(token) || (token.startsWith("yes") && token.length <= 4)) yes += Math.exp(item.logprob);
    else if ("no".startsWith(token) || (token.startsWith("no") && token.length <= 3)) no += Math.exp(item.logprob);
  }
  if (yes + no > 0) return yes / (yes + no);
  return text !== "" && ("yes".startsWith(text) || text.startsWith("yes")) ? 1 : 0;
}

/** The expected 0 to 10 score from the top log-probabilities (over number tokens), else the number in the text; over 10. */
function tenPointScore(top: TopLogprobs, text: string): number {
  let weight = 0;
  let total = 0;
  for (const item of top ?? []) {
    const value = Number(item.token.trim());
    if (Number.isInteger(value) && value >= 0 && value <= 10) {
      weight += Math.exp(item.logprob);
      total += Math.exp(item.logprob) * value;
    }
  }
  if (weight > 0) return total / weight / 10;
  const number = Number(/\d+(?:\.\d+)?/.exec(text)?.[0]);
  return Number.isFinite(number) ? Math.min(1, Math.max(0, number / 10)) : 0;
}

/** What the judge is shown as the problem: raw text as it is; a conversation as its one user message, or as a transcript. */
export function conversationText(prompt: string | ChatMessage[]): string {
  if (typeof prompt === "string") return prompt;
  const spoken = prompt.filter((message) => typeof message.content === "string" && message.content.length > 0);
  if (spoken.filter((message) => message.role === "user").length <= 1 && spoken.every((message) => message.role !== "assistant")) return lastUserText(prompt);
  return spoken.map((message) => `${message.role}: ${message.content}`).join("\n\n");
}
