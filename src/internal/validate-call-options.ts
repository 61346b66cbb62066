import { type CallOptions, reasoningEfforts } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** Rejects call options no backend can honour, with an error that names the parameter. */
export function validateCallOptions(options: CallOptions): void {
  const { prompt, n, temperature, topP, maxTokens, stop, seed } = options;
  if (typeof prompt !== "string" && !Array.isArray(prompt))
    throw new InvalidArgumentError({ parameter: "prompt", value: prompt, message: "must be a string or an array of chat messages" });
  if (Array.isArray(prompt)) {
    if (prompt.length === 0) throw new InvalidArgumentError({ parameter: "messages", message: "must not be empty" });
    for (const [index, message] of prompt.entries()) {
      if (typeof message !== "object" || message === null || typeof message.role !== "string")
        throw new InvalidArgumentError({ parameter: `messages[${index}]`, message: "must be an object with a role" });
    }
  }
  const integer = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
      throw new InvalidArgumentError({ parameter: name, value, message: `must be an integer from ${min} to ${max}, got ${value}` });
  };
  const range = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max))
      throw new InvalidArgumentError({ parameter: name, value, message: `must be a number from ${min} to ${max}, got ${value}` });
  };
  integer("n", n, 1, 1024);
  integer("maxTokens", maxTokens, 1, 1_000_000);
  integer("maxReasoningTokens", options.maxReasoningTokens, 1, 1_000_000);
  integer("minReasoningTokens", options.minReasoningTokens, 1, 1_000_000);
  if (options.minReasoningTokens !== undefined && options.maxReasoningTokens !== undefined && options.minReasoningTokens > options.maxReasoningTokens)
    throw new InvalidArgumentError({ parameter: "minReasoningTokens", value: options.minReasoningTokens, message: "must not exceed maxReasoningTokens" });
  integer("topLogprobs", options.topLogprobs, 0, 20);
  integer("seed", seed, -(2 ** 53), 2 ** 53);
  range("temperature", temperature, 0, 5);
  range("topP", topP, 0, 1);
  integer("topK", options.topK, 0, 1_000_000);
  range("minP", options.minP, 0, 1);
  range("presencePenalty", options.presencePenalty, -2, 2);
  range("frequencyPenalty", options.frequencyPenalty, -2, 2);
  range("repetitionPenalty", options.repetitionPenalty, 0.01, 10);
  validateLogitBias(options.logitBias);
  if (options.reasoningEffort !== undefined && !reasoningEfforts.includes(options.reasoningEffort))
    throw new InvalidArgumentError({
      parameter: "reasoningEffort",
      value: options.reasoningEffort,
      message: `must be one of ${reasoningEfforts.join(", ")}`,
    });
  if (topP === 0) throw new InvalidArgumentError({ parameter: "topP", value: topP, message: "must be above 0" });
  if (options.tools !== undefined && options.tools.length > 0 && !Array.isArray(prompt))
    throw new InvalidArgumentError({ parameter: "tools", message: "tools need a chat prompt (messages); a raw-text prompt cannot call them" });
  if (stop !== undefined && (!Array.isArray(stop) || stop.some((item) => typeof item !== "string" || item.length === 0)))
    throw new InvalidArgumentError({ parameter: "stop", value: stop, message: "must be an array of non-empty strings" });
}

/** Token ids (integers, as strings) to biases from -100 to 100. */
function validateLogitBias(logitBias: CallOptions["logitBias"]): void {
  if (logitBias === undefined) return;
  if (typeof logitBias !== "object" || logitBias === null || Array.isArray(logitBias))
    throw new InvalidArgumentError({ parameter: "logitBias", value: logitBias, message: "must map token ids to numbers" });
  for (const [token, bias] of Object.entries(logitBias)) {
    if (!/^\d+$/.test(token)) throw new InvalidArgumentError({ parameter: `logitBias.${token}`, message: "keys must be token ids (integers)" });
    if (typeof bias !== "number" || !Number.isFinite(bias) || bias < -100 || bias > 100)
      throw new InvalidArgumentError({ parameter: `logitBias.${token}`, value: bias, message: `must be a number from -100 to 100, got ${bias}` });
  }
}
