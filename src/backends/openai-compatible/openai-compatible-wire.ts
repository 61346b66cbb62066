/**
 * The OpenAI wire format as mull reads and writes it: request bodies for `/completions` and
 * `/chat/completions`, and validated response and stream-chunk shapes. Fields mull does not use pass
 * through; vLLM's extras (`stop_reason`) are read where present.
 */
import { z } from "zod";
import type { CallOptions, ChatMessage } from "../../core/call-options.js";
import type { FinishReason, TokenLogprob } from "../../core/generate-result.js";
import type { ToolCall } from "../../core/tools.js";
import { type AssistantPrefix, llamaServerPrefill, type SentPrefill } from "./assistant-prefill.js";

const topLogprobSchema = z.looseObject({ token: z.string(), logprob: z.number() });

const logprobsSchema = z
  .looseObject({
    // legacy completions
    tokens: z.array(z.string()).nullish(),
    token_logprobs: z.array(z.number().nullable()).nullish(),
    top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
    // chat completions
    content: z.array(topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema).nullish() })).nullish(),
  })
  .nullish();

/** A tool call whole (a message) or in pieces (a stream's deltas, joined by `index`). */
const toolCallSchema = z.looseObject({
  index: z.number().int().min(0).optional(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const messageSchema = z.looseObject({
  content: z.string().nullish(),
  // `reasoning_content` (vLLM, DeepSeek) or `reasoning` (newer vLLM, OpenRouter): the model's thinking, kept apart.
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
});

const choiceSchema = z.looseObject({
  index: z.number().int().min(0).optional(),
  text: z.string().nullish(),
  message: messageSchema.nullish(),
  delta: messageSchema.nullish(),
  finish_reason: z.string().nullish(),
  /** vLLM: the stop string that ended the choice, or null for the end-of-text token. */
  stop_reason: z.union([z.string(), z.number()]).nullish(),
  logprobs: logprobsSchema,
});

const usageSchema = z
  .looseObject({
    prompt_tokens: z.number().optional(),
    completion_tokens: z.number().optional(),
    completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  })
  .nullish();

export const completionResponseSchema = z.looseObject({ choices: z.array(choiceSchema), usage: usageSchema });
export const completionChunkSchema = z.looseObject({ choices: z.array(choiceSchema).optional(), usage: usageSchema });

export type Choice = z.output<typeof choiceSchema>;
export type ToolCallPiece = z.output<typeof toolCallSchema>;

/** A message's tool calls, whole. */
export function readToolCalls(choice: Choice): ToolCall[] | undefined {
  const calls = choice.message?.tool_calls;
  if (!calls || calls.length === 0) return undefined;
  return calls.map((call, index) => ({
    id: call.id ?? `call_${index}`,
    type: "function",
    function: { name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" },
  }));
}

/**
 * Joins a stream's tool-call pieces per choice: the first piece of a call carries its id and name, later
 * ones more of its arguments, each keyed by the call's `index`.
 */
export function createToolCallJoiner() {
  const calls = new Map<number, Map<number, ToolCall>>();
  return {
    add(choiceIndex: number, pieces: readonly ToolCallPiece[]) {
      const byIndex = calls.get(choiceIndex) ?? new Map<number, ToolCall>();
      calls.set(choiceIndex, byIndex);
      for (const [position, piece] of pieces.entries()) {
        const key = piece.index ?? position;
        const known = byIndex.get(key) ?? { id: piece.id ?? `call_${key}`, type: "function" as const, function: { name: "", arguments: "" } };
        if (piece.id) known.id = piece.id;
        if (piece.function?.name) known.function.name += piece.function.name;
        if (piece.function?.arguments) known.function.arguments += piece.function.arguments;
        byIndex.set(key, known);
      }
    },
    /** The choice's calls, whole, in order; forgotten once taken. */
    take(choiceIndex: number): ToolCall[] {
      const byIndex = calls.get(choiceIndex);
      calls.delete(choiceIndex);
      return byIndex ? [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call) : [];
    },
  };
}

/** Upstream finish reasons as mull's (OpenAI's, vLLM's `abort` and `eos`, the legacy `function_call`). */
const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  eos: "stop",
  length: "length",
  abort: "abort",
  tool_calls: "tool-calls",
  function_call: "tool-calls",
  content_filter: "content-filter",
  error: "error",
};

export const mapFinishReason = (reason: string | null | undefined): FinishReason => (reason ? (finishReasons[reason] ?? "other") : "other");

/** What ended a stopped choice, where the server says (vLLM's `stop_reason`; OpenAI sends none). */
export function readStoppedBy(choice: Choice): { stoppedBy?: "end-of-text" | "stop-sequence"; stopSequence?: string } {
  if (mapFinishReason(choice.finish_reason) !== "stop" || !("stop_reason" in choice)) return {};
  return typeof choice.stop_reason === "string" ? { stoppedBy: "stop-sequence", stopSequence: choice.stop_reason } : { stoppedBy: "end-of-text" };
}

const verboseSchema = z.looseObject({ index: z.number().int().optional(), stop_type: z.string().optional(), stopping_word: z.string().optional() });

/**
 * What ended a choice by llama.cpp's `__verbose` (asked with `verbose: true`): it describes one choice (its
 * `index`), naming the stop sequence where one ended it.
 */
export function readVerboseStop(reply: Record<string, unknown>, choice: Choice): { stoppedBy?: "end-of-text" | "stop-sequence"; stopSequence?: string } {
  const parsed = verboseSchema.safeParse(reply.__verbose);
  if (!parsed.success || (parsed.data.index ?? 0) !== (choice.index ?? 0) || mapFinishReason(choice.finish_reason) !== "stop") return {};
  if (parsed.data.stop_type === "word" && parsed.data.stopping_word) return { stoppedBy: "stop-sequence", stopSequence: parsed.data.stopping_word };
  return parsed.data.stop_type === "eos" ? { stoppedBy: "end-of-text" } : {};
}

export function readLogprobs(choice: Choice): TokenLogprob[] | undefined {
  const logprobs = choice.logprobs;
  if (!logprobs) return undefined;
  if (Array.isArray(logprobs.content)) {
    return logprobs.content.map((item) => ({
      token: item.token,
      logprob: item.logprob,
      ...(item.top_logprobs?.length ? { topLogprobs: item.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob })) } : {}),
    }));
  }
  if (Array.isArray(logprobs.tokens)) {
    return logprobs.tokens.map((token, index) => {
      const top = logprobs.top_logprobs?.[index];
      return {
        token,
        logprob: logprobs.token_logprobs?.[index] ?? 0,
        ...(top ? { topLogprobs: Object.entries(top).map(([text, logprob]) => ({ token: text, logprob })) } : {}),
      };
    });
  }
  return undefined;
}

/** How the upstream names and takes the sampling fields (see `OpenAICompatibleSettings`). */
export type WireRules = {
  neutralSampling?: boolean | undefined;
  verboseStops?: boolean | undefined;
  maxTokensField?: "max_tokens" | "max_completion_tokens" | undefined;
  repeatPenaltyField?: "repetition_penalty" | "repeat_penalty" | undefined;
  fixedSampling?: boolean | undefined;
};

/** The call's sampling fields in the upstream's names (`neutralSampling` turns a server's own defaults off). */
function samplingBody(call: CallOptions, rules: WireRules, chat: boolean): Record<string, unknown> {
  return {
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    // The server's own truncations off: mull's temperature and top-p alone shape the distribution.
    ...(rules.neutralSampling ? { top_p: 1, top_k: -1, min_p: 0 } : {}),
    ...(call.topP !== undefined ? { top_p: call.topP } : {}),
    ...(call.topK !== undefined ? { top_k: call.topK === 0 && rules.neutralSampling ? -1 : call.topK } : {}),
    ...(call.minP !== undefined ? { min_p: call.minP } : {}),
    ...(call.presencePenalty !== undefined ? { presence_penalty: call.presencePenalty } : {}),
    ...(call.frequencyPenalty !== undefined ? { frequency_penalty: call.frequencyPenalty } : {}),
    ...(call.repetitionPenalty !== undefined ? { [rules.repeatPenaltyField ?? "repetition_penalty"]: call.repetitionPenalty } : {}),
    ...(call.logitBias !== undefined ? { logit_bias: call.logitBias } : {}),
    ...(call.logprobs
      ? chat
        ? { logprobs: true, ...(call.topLogprobs ? { top_logprobs: call.topLogprobs } : {}) }
        : { logprobs: Math.max(1, call.topLogprobs ?? 1) }
      : {}),
  };
}

/**
 * The route and body for a call: chat messages go to `/chat/completions`, raw text to `/completions`. `omitted`
 * names the call's fields the upstream's rules left out (each worth a warning).
 */
export function requestBody(options: {
  call: CallOptions;
  model: string;
  n: number;
  stream: boolean;
  assistantPrefix?: AssistantPrefix | undefined;
  rules?: WireRules;
}): { path: string; body: Record<string, unknown>; prefill?: SentPrefill; omitted: string[] } {
  const { call, n, stream } = options;
  const rules = options.rules ?? {};
  const chat = Array.isArray(call.prompt);
  // An upstream that fixes its own sampling gets none of the fields; those the call asked for are named.
  const sampling = rules.fixedSampling ? {} : samplingBody(call, rules, chat);
  const omitted = rules.fixedSampling ? Object.keys(samplingBody(call, { ...rules, neutralSampling: false }, chat)) : [];
  // Chat models take `max_completion_tokens` where the rules say so; legacy completions know only `max_tokens`.
  const maxTokensField = chat ? (rules.maxTokensField ?? "max_tokens") : "max_tokens";
  const body: Record<string, unknown> = {
    // A request's extensions first: what mull writes itself wins over a field of the same name.
    ...(call.backendOptions?.["openai-compatible"] ?? {}),
    model: options.model,
    n,
    ...sampling,
    ...(call.maxTokens !== undefined ? { [maxTokensField]: call.maxTokens } : {}),
    ...(call.stop && call.stop.length > 0 ? { stop: call.stop, ...(rules.verboseStops && !stream ? { verbose: true } : {}) } : {}),
    ...(call.seed !== undefined ? { seed: call.seed } : {}),
    ...(call.reasoningEffort !== undefined ? { reasoning_effort: call.reasoningEffort } : {}),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    ...toolFields(call, chat),
  };
  let prefill: SentPrefill | undefined;
  if (chat) {
    const messages = assistantPrefillFields(call.prompt as ChatMessage[], options.assistantPrefix);
    Object.assign(body, messages.fields);
    prefill = messages.prefill;
  } else body.prompt = call.prompt;
  return { path: chat ? "/chat/completions" : "/completions", body, ...(prefill ? { prefill } : {}), omitted };
}

/** The messages, continuing a final assistant message the way the server does it (see `assistantPrefix`). */
function assistantPrefillFields(messages: ChatMessage[], assistantPrefix: AssistantPrefix | undefined) {
  // vLLM and SGLang continue a final assistant message only when told to.
  if (assistantPrefix === "continue-final-message" && messages.at(-1)?.role === "assistant")
    return { fields: { messages, continue_final_message: true, add_generation_prompt: false } };
  const continued = assistantPrefix === "llama-cpp" ? llamaServerPrefill(messages) : undefined;
  if (!continued) return { fields: { messages } };
  return { fields: { messages: continued.messages, ...continued.fields }, prefill: continued.sent };
}

/** Tools and the output format, passed as the caller wrote them: tools on the chat route, a response format on either. */
function toolFields(call: CallOptions, chat: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (call.responseFormat) fields.response_format = call.responseFormat;
  if (!chat) return fields;
  if (call.tools && call.tools.length > 0) fields.tools = call.tools;
  if (call.toolChoice !== undefined) fields.tool_choice = call.toolChoice;
  if (call.parallelToolCalls !== undefined) fields.parallel_tool_calls = call.parallelToolCalls;
  return fields;
}

/** The reasoning a choice (or a streamed delta) carries apart from its text, if any. */
export function readReasoning(choice: Choice): string | undefined {
  const part = choice.message ?? choice.delta;
  return part?.reasoning_content ?? part?.reasoning ?? undefined;
}
