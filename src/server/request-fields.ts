/**
 * Every field of an OpenAI-shaped request, and what mull does with it: nothing is dropped. A field is read by the
 * server itself (`run`), becomes a call option that every model honours (`call`: the embedded models sample with
 * it, upstreams get it in their own names), is forwarded to OpenAI-compatible upstreams as written (`upstream`: a
 * server's own extensions; a model that cannot take them refuses them by name), changes no output (`label`:
 * forwarded to upstreams, accepted by the embedded models; `accepted` where the route's own fields mean nothing to an
 * OpenAI-compatible upstream), or is refused with the reason. A field in no table is
 * unknown: forwarded to an upstream as an extension (as vLLM accepts them) with a warning, ignored with a warning
 * by a model that forwards nothing, and refused under `strict`. The README's field table is this file.
 */
import type { LanguageModel } from "../core/language-model.js";
import type { Warning } from "../core/warning.js";
import { invalidRequest } from "./openai-error.js";

export type FieldUse = "run" | "call" | "upstream" | "label" | "accepted";
export type FieldRule = { use: FieldUse; note: string } | { use: "refused"; note: string };

const run = (note: string): FieldRule => ({ use: "run", note });
const call = (note: string): FieldRule => ({ use: "call", note });
const upstream = (note: string): FieldRule => ({ use: "upstream", note });
const label = (note: string): FieldRule => ({ use: "label", note });

/** What every route reads itself. */
const served = {
  model: run("a base model, `strategy/model`, a strategy or a route"),
  stream: run("server-sent events"),
  stream_options: run("`include_usage` adds the usage chunk"),
  mull: run("mull's own object: strategy, verifier, budget, strategy options, `strict`"),
};

/** Sampling knobs both OpenAI routes share, honoured by every model. */
const sampling = {
  n: call("completions per request; with a strategy, full runs (each choice one run)"),
  temperature: call("honoured; an upstream with `fixedSampling` does not take it (warned)"),
  top_p: call("honoured (nucleus sampling)"),
  max_tokens: call("the completion cap (`maxTokens`); sent as the upstream's `maxTokensField`"),
  stop: call("stop sequences"),
  seed: call("reproducible sampling (exact on the embedded models)"),
  presence_penalty: call("honoured (`presencePenalty`), on log-probabilities in mull's sampler"),
  frequency_penalty: call("honoured (`frequencyPenalty`)"),
  logit_bias: call("honoured (`logitBias`): token ids of the model"),
  top_k: call("honoured (`topK`); vLLM, SGLang, llama.cpp extension"),
  min_p: call("honoured (`minP`); vLLM, SGLang, llama.cpp extension"),
  repetition_penalty: call("honoured (`repetitionPenalty`); llama.cpp's `repeat_penalty` by the upstream's profile"),
  repeat_penalty: call("llama.cpp's name for `repetition_penalty`"),
  // mull's own models continue a final assistant message by themselves: what these ask for is what they do.
  continue_final_message: label("vLLM, SGLang: continue the final assistant message (mull's models always do)"),
  add_generation_prompt: label("vLLM, SGLang: with continue_final_message, false (mull's models continue a final assistant message)"),
  thinking_token_budget: call("vLLM's thinking budget, enforced by mull (as `mull.maxReasoningTokens`)"),
  user: label("an end-user id for the upstream's abuse checks"),
};

/** vLLM's, SGLang's and llama.cpp's own extensions: an upstream of theirs takes them as written. */
const extensions = Object.fromEntries(
  [
    ["chat_template", "vLLM: a template in place of the model's"],
    ["chat_template_kwargs", "vLLM, SGLang, llama.cpp: template variables (Qwen3's `enable_thinking`)"],
    ["documents", "vLLM: retrieval documents for the template"],
    ["mm_processor_kwargs", "vLLM"],
    ["guided_json", "vLLM structured output"],
    ["guided_regex", "vLLM structured output"],
    ["guided_choice", "vLLM structured output"],
    ["guided_grammar", "vLLM structured output"],
    ["guided_decoding_backend", "vLLM structured output"],
    ["guided_whitespace_pattern", "vLLM structured output"],
    ["structured_outputs", "vLLM structured output (newer)"],
    ["regex", "SGLang structured output"],
    ["ebnf", "SGLang structured output"],
    ["json_schema", "llama.cpp structured output"],
    ["grammar", "llama.cpp structured output"],
    ["skip_special_tokens", "vLLM, SGLang"],
    ["spaces_between_special_tokens", "vLLM, SGLang"],
    ["include_stop_str_in_output", "vLLM, SGLang"],
    ["ignore_eos", "vLLM, SGLang"],
    ["min_tokens", "vLLM, SGLang"],
    ["stop_token_ids", "vLLM, SGLang"],
    ["bad_words", "vLLM"],
    ["allowed_token_ids", "vLLM"],
    ["truncate_prompt_tokens", "vLLM"],
    ["prompt_logprobs", "vLLM"],
    ["length_penalty", "vLLM (beam search)"],
    ["use_beam_search", "vLLM"],
    ["return_tokens_as_token_ids", "vLLM"],
    ["cache_salt", "vLLM"],
    ["kv_transfer_params", "vLLM"],
    ["vllm_xargs", "vLLM"],
    ["separate_reasoning", "SGLang"],
    ["stream_reasoning", "SGLang"],
    ["lora_path", "SGLang"],
    ["return_hidden_states", "SGLang"],
    ["typical_p", "llama.cpp"],
    ["repeat_last_n", "llama.cpp"],
    ["dry_multiplier", "llama.cpp"],
    ["dry_base", "llama.cpp"],
    ["dry_allowed_length", "llama.cpp"],
    ["dry_penalty_last_n", "llama.cpp"],
    ["dry_sequence_breakers", "llama.cpp"],
    ["mirostat", "llama.cpp"],
    ["mirostat_tau", "llama.cpp"],
    ["mirostat_eta", "llama.cpp"],
    ["xtc_probability", "llama.cpp"],
    ["xtc_threshold", "llama.cpp"],
    ["top_n_sigma", "llama.cpp"],
    ["dynatemp_range", "llama.cpp"],
    ["dynatemp_exponent", "llama.cpp"],
    ["n_probs", "llama.cpp"],
    ["n_predict", "llama.cpp"],
    ["cache_prompt", "llama.cpp"],
    ["samplers", "llama.cpp"],
    ["id_slot", "llama.cpp"],
    ["t_max_predict_ms", "llama.cpp"],
    ["reasoning_format", "llama.cpp"],
    ["lora", "llama.cpp"],
    ["priority", "vLLM: scheduling priority"],
    ["request_id", "vLLM"],
  ].map(([field, note]) => [field, upstream(note as string)]),
) as Record<string, FieldRule>;

/** `POST /v1/chat/completions`. */
export const chatFields: Record<string, FieldRule> = {
  ...served,
  messages: run("the conversation; text parts joined for the embedded models, other parts to upstreams"),
  ...sampling,
  max_completion_tokens: call("the completion cap, as `max_tokens` (wins over it)"),
  logprobs: call("per-token log-probabilities (a strategy's answer has none: warned)"),
  top_logprobs: call("alternatives per token, 0 to 20"),
  tools: call("function tools: upstreams and the chat strategies; the embedded models refuse them"),
  tool_choice: call("honoured with tools"),
  parallel_tool_calls: call("honoured by upstreams"),
  response_format: call("JSON or a JSON schema: a grammar on the embedded models"),
  reasoning_effort: call("sent to upstreams; a thinking budget on the embedded chat model (minimal 16, low 128, medium 512 tokens)"),
  metadata: label("the upstream's own labels"),
  store: label("OpenAI: keep the completion"),
  service_tier: label("OpenAI's processing tier"),
  safety_identifier: label("OpenAI: an end-user id"),
  prompt_cache_key: label("OpenAI: a cache routing hint"),
  prompt_cache_retention: label("OpenAI: how long a cached prefix is kept"),
  prompt_cache_options: label("OpenAI: prompt caching settings"),
  moderation: upstream("OpenAI: moderation of input and output"),
  verbosity: upstream("OpenAI's gpt-5 answer length"),
  modalities: upstream("OpenAI: audio output"),
  audio: upstream("OpenAI: audio output"),
  prediction: upstream("OpenAI: predicted output"),
  web_search_options: upstream("OpenAI: web search"),
  functions: upstream("OpenAI's deprecated form of `tools`"),
  function_call: upstream("OpenAI's deprecated form of `tool_choice`"),
  echo: upstream("vLLM: the last message echoed"),
  ...extensions,
};

/** `POST /v1/completions` (legacy). */
export const completionFields: Record<string, FieldRule> = {
  ...served,
  prompt: run("one string, or an array of one"),
  ...sampling,
  logprobs: call("the sampled tokens' log-probabilities with this many alternatives"),
  response_format: call("mull's extension: JSON output on a raw prompt"),
  echo: { use: "refused", note: "echo: true is refused (false is accepted); mull returns the completion only" },
  best_of: upstream("OpenAI, vLLM: server-side best of n (mull's strategies do this with a verifier)"),
  suffix: upstream("OpenAI: insertion after the completion"),
  ...extensions,
};

/**
 * What mull itself writes into an upstream's body: a field by one of these names that a route does not know (`n` on
 * `/v1/messages`) cannot be forwarded as an extension, and is refused.
 */
const written = new Set([
  "model",
  "n",
  "prompt",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "presence_penalty",
  "frequency_penalty",
  "repetition_penalty",
  "repeat_penalty",
  "logit_bias",
  "stop",
  "seed",
  "logprobs",
  "top_logprobs",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "verbose",
]);

export type FieldCheck = { refused?: ReturnType<typeof invalidRequest>; warnings: Warning[]; forwarded: Record<string, unknown> };

/**
 * What a request's fields do on this model: the fields an upstream takes as written (`forwarded`, for
 * `backendOptions`), warnings for unknown ones, or the refusal of the first field the model cannot honour.
 */
export function checkFields(options: {
  fields: Record<string, FieldRule>;
  request: Record<string, unknown>;
  model: LanguageModel;
  strict: boolean;
  route: string;
}): FieldCheck {
  const warnings: Warning[] = [];
  const forwarded: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(options.request)) {
    if (value === undefined) continue;
    const outcome = fieldOutcome({ ...options, field, value });
    if ("refused" in outcome) return { refused: outcome.refused, warnings, forwarded };
    if (outcome.warning) warnings.push(outcome.warning);
    if (outcome.forward) forwarded[field] = value;
  }
  return { warnings, forwarded };
}

/** One field on this model: refused, or whether it is forwarded and what to say about it. */
function fieldOutcome(options: {
  fields: Record<string, FieldRule>;
  field: string;
  value: unknown;
  model: LanguageModel;
  strict: boolean;
  route: string;
}): { refused: ReturnType<typeof invalidRequest> } | { forward: boolean; warning?: Warning } {
  const { field, value, model } = options;
  const rule = options.fields[field];
  const forwards = model.forwardsRequestFields === true;
  const name = JSON.stringify(model.modelId);
  if (!rule) {
    if (written.has(field)) return { refused: invalidRequest(`${field} is not a field of ${options.route}`, field) };
    if (options.strict)
      return { refused: invalidRequest(`unknown field ${JSON.stringify(field)} for ${options.route} (strict: unknown fields are refused)`, field) };
    const message = forwards
      ? `unknown field ${JSON.stringify(field)} forwarded to the upstream as an extension (mull.strict refuses unknown fields)`
      : `unknown field ${JSON.stringify(field)} ignored: the model ${name} takes no extensions (mull.strict refuses unknown fields)`;
    return { forward: forwards, warning: { type: "other", message } };
  }
  if (rule.use === "refused") return field === "echo" && value === false ? { forward: false } : { refused: invalidRequest(rule.note, field) };
  if (rule.use === "upstream" && value !== null && !forwards)
    return {
      refused: invalidRequest(
        `${field} is an upstream server's extension (${rule.note}); the model ${name} cannot honour it. Send it to an OpenAI-compatible upstream model`,
        field,
      ),
    };
  return { forward: forwards && value !== null && (rule.use === "upstream" || rule.use === "label") };
}
