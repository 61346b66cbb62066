import type { LanguageModel } from "../core/language-model.js";

/**
 * What a model says about itself besides its calls (prompt format, raw prompts, step delimiter), to spread
 * into a model that wraps it, so that wrapping never loses a capability.
 */
export function capabilitiesOf(
  model: LanguageModel,
): Pick<
  LanguageModel,
  | "formatProblem"
  | "supportsRawPrompt"
  | "stepDelimiter"
  | "continuesAssistantMessage"
  | "supportsTools"
  | "supportsResponseFormat"
  | "supportsLogprobs"
  | "forwardsRequestFields"
  | "cost"
> {
  return {
    ...(model.formatProblem ? { formatProblem: model.formatProblem } : {}),
    ...(model.supportsRawPrompt !== undefined ? { supportsRawPrompt: model.supportsRawPrompt } : {}),
    ...(model.stepDelimiter !== undefined ? { stepDelimiter: model.stepDelimiter } : {}),
    ...(model.continuesAssistantMessage !== undefined ? { continuesAssistantMessage: model.continuesAssistantMessage } : {}),
    ...(model.supportsTools !== undefined ? { supportsTools: model.supportsTools } : {}),
    ...(model.supportsResponseFormat !== undefined ? { supportsResponseFormat: model.supportsResponseFormat } : {}),
    ...(model.supportsLogprobs !== undefined ? { supportsLogprobs: model.supportsLogprobs } : {}),
    ...(model.forwardsRequestFields !== undefined ? { forwardsRequestFields: model.forwardsRequestFields } : {}),
    ...(model.cost !== undefined ? { cost: model.cost } : {}),
  };
}
