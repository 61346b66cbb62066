import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineBackend } from "../../extension/define-backend.js";
import { costOptions, modelCostOf } from "../cost-options.js";
import { assistantPrefixModes } from "./assistant-prefill.js";
import { createOpenAICompatibleModel, type OpenAICompatibleSettings } from "./openai-compatible-model.js";
import { upstreamProfiles } from "./upstream-profiles.js";

const integer = (minimum: number) => z.number().int().min(minimum).optional();

/**
 * The settings of an OpenAI-compatible endpoint or pool, wherever they are written: a spec's query
 * (`URL#model?maxN=4&profile=vllm`), a server config's upstream fields, `mull.model({ spec, options })`.
 * Defaults are the model's (`createOpenAICompatibleModel`), so that a profile's presets fill only what is not named.
 */
export const openAICompatibleOptions = z.strictObject({
  profile: z
    .enum(Object.keys(upstreamProfiles) as [keyof typeof upstreamProfiles, ...(keyof typeof upstreamProfiles)[]])
    .optional()
    .describe("A known server's presets (its assistant prefix, neutral sampling, ...); settings named beside it win. Default: none"),
  rawPrompt: z.boolean().optional().describe("Whether the endpoint serves raw-text /v1/completions (step-level search needs it). Default: true"),
  assistantPrefix: z
    .enum(assistantPrefixModes)
    .optional()
    .describe(
      "How the endpoint continues a chat prompt's final assistant message (vLLM/SGLang: continue-final-message; llama.cpp's server: llama-cpp; mull serve: final-message). Default: none",
    ),
  verboseStops: z
    .boolean()
    .optional()
    .describe("Asks llama.cpp's server which stop sequence ended a choice (its __verbose field); text tools need it. Default: false"),
  stepDelimiter: z.string().min(1).optional().describe("Ends one reasoning step in this model's solutions. Default: a blank line"),
  maxN: integer(1).describe("Most completions one request asks for; a larger n is split into parallel requests. Default: none (n as asked)"),
  neutralSampling: z.boolean().optional().describe("Sends top_p, top_k -1 and min_p 0 so that a server's own sampling defaults do not apply. Default: false"),
  maxTokensField: z
    .enum(["max_tokens", "max_completion_tokens"])
    .optional()
    .describe("The field that caps a chat completion's tokens (OpenAI's reasoning models refuse max_tokens). Default: max_tokens"),
  repeatPenaltyField: z
    .enum(["repetition_penalty", "repeat_penalty"])
    .optional()
    .describe("The upstream's name for the repetition penalty (vLLM: repetition_penalty; llama.cpp: repeat_penalty). Default: repetition_penalty"),
  fixedSampling: z
    .boolean()
    .optional()
    .describe(
      "The upstream fixes its own sampling (OpenAI's reasoning models): temperature, top_p, penalties, logit_bias and logprobs are left out, with a warning. Default: false",
    ),
  maxRetries: integer(0).describe("Retries of a retryable failure (408, 409, 429, 5xx, connection errors, timeouts). Default: 2"),
  maxConcurrency: integer(1).describe("Requests in flight at once on each replica. Default: 16"),
  timeoutMs: integer(1).describe("Per-request timeout in milliseconds (a stream: until its last part). Default: 600000"),
  affinityChars: integer(0).describe("Prompt characters that pick a replica (prefix affinity, so its prefix cache hits); 0 is off. Default: 256"),
  ejectAfterFailures: integer(1).describe("Consecutive failures that eject a replica for ejectForMs. Default: 3"),
  ejectForMs: integer(1).describe("How long an ejected replica is left out, in milliseconds. Default: 10000"),
  ...costOptions,
});

/** Any OpenAI-compatible endpoint or pool: `URL[,URL...][#upstream-model][?setting=value&...]`. */
export const openAICompatibleBackend = defineBackend({
  name: "openai-compatible",
  specHelp: "an OpenAI-compatible base URL or pool, URL[,URL...][#upstream-model][?setting=value&...] (mull backends openai-compatible lists the settings)",
  options: openAICompatibleOptions,
  matches: (spec) => /^https?:\/\//.test(spec),
  create: ({ spec, settings, apiKey }) => {
    const hash = spec.indexOf("#");
    // Without a model name every request would go out as "default", which most servers refuse or ignore: say so now.
    if (hash === -1 || hash === spec.length - 1)
      throw new InvalidArgumentError({
        parameter: "model",
        value: spec,
        message: `names no upstream model: write URL#model (e.g. ${spec.replace(/#$/, "")}#Qwen/Qwen3-8B); \`mull probe ${spec.replace(/#$/, "")}\` prints the spec a server asks for`,
      });
    const urls = spec.slice(0, hash);
    const upstream = spec.slice(hash + 1);
    return createOpenAICompatibleModel({ baseURL: urls.split(","), model: upstream, ...(apiKey ? { apiKey } : {}), ...modelSettings(settings) });
  },
});

/** The settings as the model takes them: a profile's presets under the settings named, pool routing in its own object. */
function modelSettings(settings: z.output<typeof openAICompatibleOptions>): Partial<OpenAICompatibleSettings> {
  const { profile, affinityChars, ejectAfterFailures, ejectForMs, parameters, promptPrice, completionPrice, ...rest } = settings;
  const named = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const pool = Object.fromEntries(Object.entries({ affinityChars, ejectAfterFailures, ejectForMs }).filter(([, value]) => value !== undefined));
  const cost = modelCostOf({ parameters, promptPrice, completionPrice });
  return { ...(profile ? upstreamProfiles[profile] : {}), ...named, ...(Object.keys(pool).length > 0 ? { pool } : {}), ...(cost ? { cost } : {}) };
}
