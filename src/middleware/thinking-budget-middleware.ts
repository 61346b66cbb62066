/**
 * A thinking budget (`CallOptions.maxReasoningTokens`), enforced by the caller rather than the server: the
 * model thinks for at most the budget, stopping at `</think>`; a candidate that ran out has its thinking
 * closed for it; then each candidate answers in a second call that continues its own thinking. The answer is
 * the completion's text and the thinking its `reasoning`, so no number the model tried on the way is voted.
 * Continuing needs a raw-text prompt, or a chat backend that continues the assistant's message.
 */

import type { CallOptions, ReasoningEffort } from "../core/call-options.js";
import type { Completion, GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import { addUsage } from "../core/usage.js";
import { callSeedStride, seedAt } from "../internal/seeds.js";
import { continuedText } from "../internal/think-tags.js";
import { continuePrompt } from "./continue-prompt.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { collectStream, streamOfResult } from "./result-stream.js";

const close = "</think>";

async function generateWithBudget(call: CallOptions, budget: number, next: (options: CallOptions) => Promise<GenerateResult>, model: LanguageModel) {
  const { maxReasoningTokens: _budget, ...rest } = call;
  const started = Date.now();
  // Thinking stops at its close tag only: the caller's stop sequences are for the answer.
  const thinking = await next({ ...rest, maxTokens: budget, stop: [close], logprobs: false });
  let usage = thinking.usage;
  const warnings = [...thinking.warnings];
  const answers = await Promise.all(
    thinking.completions.map(async (thought, index): Promise<Completion> => {
      // Ended by the end-of-text token, not the close tag or the budget: the model answered without thinking.
      if (thought.stoppedBy === "end-of-text") return thought;
      // A server that splits reasoning off returns the thinking apart: it is joined back into raw text.
      const raw = continuedText({ prefix: "", completion: thought });
      const cut = thought.finishReason === "length" ? "\n" : "";
      const prefix = `${raw}${cut}${close}\n\n`;
      const seed = seedAt(rest.seed, index + 1, callSeedStride);
      const answer = await next({
        ...rest,
        n: 1,
        prompt: continuePrompt({ prompt: rest.prompt, prefix, model, feature: "maxReasoningTokens" }),
        ...(seed !== undefined ? { seed } : {}),
      });
      usage = addUsage(usage, answer.usage);
      warnings.push(...answer.warnings);
      const completion = answer.completions[0] as Completion;
      const text = continuedText({ prefix, completion });
      const reasoning = raw.replace(/^\s*<think>/, "").trim();
      return {
        ...completion,
        text,
        reasoning,
        reasoningTokens: thought.completionTokens,
        completionTokens: completion.completionTokens + thought.completionTokens,
      };
    }),
  );
  return { completions: answers, usage: { ...usage, wallMs: Date.now() - started }, warnings };
}

/** Thinking budgets for `reasoningEffort` where a model takes no effort of its own (`high`: none). */
export type EffortBudgets = Record<ReasoningEffort, number | undefined>;

/**
 * The call with its effort turned into a budget, where the model is given `effortBudgets` (a model that takes
 * `reasoningEffort` itself gets none and keeps the field). A budget the call names wins.
 */
function withEffortBudget(call: CallOptions, effortBudgets: EffortBudgets | undefined): CallOptions {
  if (!effortBudgets || call.reasoningEffort === undefined) return call;
  const { reasoningEffort, ...rest } = call;
  const budget = rest.maxReasoningTokens ?? effortBudgets[reasoningEffort];
  return budget === undefined ? rest : { ...rest, maxReasoningTokens: budget };
}

export function thinkingBudgetMiddleware(options: { effortBudgets?: EffortBudgets } = {}): ModelMiddleware {
  return {
    name: "thinking-budget",
    wrapGenerate: ({ options: asked, next, model }) => {
      const call = withEffortBudget(asked, options.effortBudgets);
      return call.maxReasoningTokens === undefined ? next(call) : generateWithBudget(call, call.maxReasoningTokens, next, model);
    },
    async wrapStream({ options: asked, next, model }) {
      const call = withEffortBudget(asked, options.effortBudgets);
      if (call.maxReasoningTokens === undefined) return next(call);
      // The answer starts only once the thinking is closed, so the call runs whole and is then streamed.
      const budget = call.maxReasoningTokens;
      const result = await generateWithBudget(call, budget, (inner) => collectStream(next, inner), model);
      return streamOfResult(result);
    },
  };
}
