/**
 * A thinking budget (`CallOptions.maxReasoningTokens`), enforced by the caller rather than the server: the
 * model thinks for at most the budget, stopping at `</think>`; a candidate that ran out has its thinking
 * closed for it; then each candidate answers in a second call that continues its own thinking. The answer is
 * the completion's text and the thinking its `reasoning`, so no number the model tried on the way is voted.
 * Continuing needs a raw-text prompt, or a chat backend that continues the assistant's message.
 */

import type { CallOptions, ChatMessage } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { Completion, GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import { addUsage } from "../core/usage.js";
import { contentText } from "../internal/prompt-text.js";
import { callSeedStride, seedAt } from "../internal/seeds.js";
import type { ModelMiddleware } from "./model-middleware.js";

const close = "</think>";

/** The prompt that continues `prefix` as the model's own output. */
function continued(prompt: string | ChatMessage[], prefix: string, model: LanguageModel): string | ChatMessage[] {
  if (typeof prompt === "string") return prompt + prefix;
  if (model.continuesAssistantMessage !== true)
    throw new InvalidArgumentError({
      parameter: "maxReasoningTokens",
      message: `a thinking budget continues the model's thinking, which needs a raw-text prompt or a backend that continues the assistant's message; ${model.modelId} does neither`,
    });
  const last = prompt.at(-1);
  if (last?.role === "assistant") return [...prompt.slice(0, -1), { ...last, content: `${contentText(last.content)}${prefix}` }];
  return [...prompt, { role: "assistant", content: prefix }];
}

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
      const cut = thought.finishReason === "length" ? "\n" : "";
      const seed = seedAt(rest.seed, index + 1, callSeedStride);
      const answer = await next({
        ...rest,
        n: 1,
        prompt: continued(rest.prompt, `${thought.text}${cut}${close}\n\n`, model),
        ...(seed !== undefined ? { seed } : {}),
      });
      usage = addUsage(usage, answer.usage);
      warnings.push(...answer.warnings);
      const completion = answer.completions[0] as Completion;
      const reasoning = thought.text.replace(/^\s*<think>/, "").trim();
      return { ...completion, reasoning, completionTokens: completion.completionTokens + thought.completionTokens };
    }),
  );
  return { completions: answers, usage: { ...usage, wallMs: Date.now() - started }, warnings };
}

export function thinkingBudgetMiddleware(): ModelMiddleware {
  return {
    name: "thinking-budget",
    wrapGenerate: ({ options, next, model }) =>
      options.maxReasoningTokens === undefined ? next(options) : generateWithBudget(options, options.maxReasoningTokens, next, model),
    async wrapStream({ options, next, model }) {
      if (options.maxReasoningTokens === undefined) return next(options);
      // The answer starts only once the thinking is closed, so the call runs whole and is then streamed.
      const budget = options.maxReasoningTokens;
      const result = await generateWithBudget(options, budget, (call) => collect(next, call), model);
      return new ReadableStream<StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: result.warnings });
          result.completions.forEach((completion, index) => {
            if (completion.reasoning) controller.enqueue({ type: "reasoning-delta", index, delta: completion.reasoning });
            controller.enqueue({ type: "text-delta", index, delta: completion.text });
            controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
          });
          controller.enqueue({ type: "end", usage: result.usage });
          controller.close();
        },
      });
    },
  };
}

/** A streamed call read whole, as a generate result. */
async function collect(next: (options: CallOptions) => Promise<ReadableStream<StreamPart>>, call: CallOptions): Promise<GenerateResult> {
  const reader = (await next(call)).getReader();
  const texts: string[] = [];
  const completions: Completion[] = [];
  const result: GenerateResult = { completions, usage: { promptTokens: 0, completionTokens: 0, calls: 1, wallMs: 0 }, warnings: [] };
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    const part = step.value;
    if (part.type === "stream-start") result.warnings.push(...part.warnings);
    else if (part.type === "text-delta") texts[part.index] = (texts[part.index] ?? "") + part.delta;
    else if (part.type === "completion-end")
      completions[part.index] = {
        text: texts[part.index] ?? "",
        finishReason: part.finishReason,
        completionTokens: part.completionTokens,
        ...(part.stoppedBy ? { stoppedBy: part.stoppedBy } : {}),
        ...(part.stopSequence !== undefined ? { stopSequence: part.stopSequence } : {}),
      };
    else if (part.type === "end") result.usage = part.usage;
    else if (part.type === "error") throw part.error;
  }
  return result;
}
