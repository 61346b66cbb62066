import type { ChatMessage } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import { contentText } from "../internal/prompt-text.js";

/**
 * The prompt that continues `prefix` as the model's own output: appended to a raw prompt, or to (or as) the
 * last assistant message for a backend that continues it. `feature` names what needs it in the error.
 */
export function continuePrompt(options: { prompt: string | ChatMessage[]; prefix: string; model: LanguageModel; feature: string }): string | ChatMessage[] {
  const { prompt, prefix, model } = options;
  if (typeof prompt === "string") return prompt + prefix;
  if (model.continuesAssistantMessage !== true)
    throw new InvalidArgumentError({
      parameter: options.feature,
      message: `${options.feature} continues the model's own text, which needs a raw-text prompt or a backend that continues the assistant's message; ${model.modelId} does neither`,
    });
  const last = prompt.at(-1);
  // Nothing to continue yet: a fresh answer (an empty assistant message would be a prefill of nothing, which
  // llama.cpp's server renders with its thinking closed).
  if (prefix === "") return prompt;
  if (last?.role === "assistant") return [...prompt.slice(0, -1), { ...last, content: `${contentText(last.content)}${prefix}` }];
  return [...prompt, { role: "assistant", content: prefix }];
}
