import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineBackend } from "../../extension/define-backend.js";
import { costOptions, modelCostOf } from "../cost-options.js";
import { createAnthropicMessagesModel } from "./anthropic-messages-model.js";

const integer = (minimum: number) => z.number().int().min(minimum).optional();

/** `anthropic+URL#model[?setting=value]`: a server that speaks Anthropic's Messages API. */
export const anthropicMessagesBackend = defineBackend({
  name: "anthropic-messages",
  specHelp:
    "a server that speaks Anthropic's Messages API, anthropic+URL#model[?setting=value&...] (e.g. anthropic+https://api.anthropic.com#claude-sonnet-4-5)",
  options: z.strictObject({
    defaultMaxTokens: integer(1).describe("max_tokens where a call sets none (the API requires one). Default: 1024"),
    maxRetries: integer(0).describe("Retries of a retryable failure (429, 5xx, 529, connection errors, timeouts). Default: 2"),
    maxConcurrency: integer(1).describe("Requests in flight at once. Default: 16"),
    timeoutMs: integer(1).describe("Per-request timeout in milliseconds (a stream: until its last part). Default: 600000"),
    ...costOptions,
  }),
  matches: (spec) => /^anthropic\+https?:\/\//.test(spec),
  create: ({ spec, settings, apiKey }) => {
    const hash = spec.indexOf("#");
    if (hash === -1 || hash === spec.length - 1)
      throw new InvalidArgumentError({ parameter: "model", value: spec, message: "names no model: write anthropic+URL#model" });
    const { parameters, promptPrice, completionPrice, ...rest } = settings;
    const named = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    const cost = modelCostOf({ parameters, promptPrice, completionPrice });
    // An OpenAI key is never sent to another provider: ANTHROPIC_API_KEY, else mull's own key (MULL_API_KEY, a config's).
    const key = process.env.ANTHROPIC_API_KEY ?? (apiKey !== undefined && apiKey !== process.env.OPENAI_API_KEY ? apiKey : undefined);
    return createAnthropicMessagesModel({
      baseURL: spec.slice("anthropic+".length, hash),
      model: spec.slice(hash + 1),
      ...(key ? { apiKey: key } : {}),
      ...named,
      ...(cost ? { cost } : {}),
    });
  },
});
