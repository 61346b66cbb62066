import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { CallOptions } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import { toOpenAIError } from "./openai-error.js";
import { type Kind, logprobsBody, mullBody, stopReasonBody, usageBody, wireFinishReason } from "./response-bodies.js";

export type PendingResponse = {
  kind: Kind;
  model: LanguageModel;
  /** The model id the response names. */
  id: string;
  call: CallOptions;
  created: number;
  responseId: string;
  controller: AbortController;
};

export async function jsonResponse(context: Context, { kind, model, id, call, created, responseId }: PendingResponse) {
  const result = await model.doGenerate(call);
  const choices = result.completions.map((completion, index) => {
    const logprobs = completion.logprobs ? logprobsBody(kind, completion.logprobs) : null;
    const content = kind === "chat" ? { message: { role: "assistant", content: completion.text } } : { text: completion.text };
    return { index, ...content, finish_reason: wireFinishReason(completion.finishReason), ...stopReasonBody(completion), logprobs };
  });
  const mull = mullBody(result.strategy, result.usage);
  return context.json({
    id: responseId,
    object: kind === "chat" ? "chat.completion" : "text_completion",
    created,
    model: id,
    choices,
    usage: usageBody(result.usage),
    ...(mull ? { mull } : {}),
    ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
  });
}

/** One stream part as a chunk body, or undefined for parts that send nothing. */
function chunkOf(kind: Kind, part: StreamPart): Record<string, unknown> | undefined {
  switch (part.type) {
    case "text-delta": {
      const logprobs = part.logprobs ? logprobsBody(kind, part.logprobs) : null;
      const content = kind === "chat" ? { delta: { role: "assistant", content: part.delta } } : { text: part.delta };
      return { choices: [{ index: part.index, ...content, finish_reason: null, logprobs }] };
    }
    case "completion-end": {
      const content = kind === "chat" ? { delta: {} } : { text: "" };
      return { choices: [{ index: part.index, ...content, finish_reason: wireFinishReason(part.finishReason), ...stopReasonBody(part) }] };
    }
    case "progress":
      // Progress while a strategy works: no choices, so OpenAI clients pass over it.
      return { choices: [], mull: { progress: part.message, usage: part.usage, ...(part.data ? { data: part.data } : {}) } };
    case "trace":
      return { choices: [], mull: { trace: part.event, run: part.run } };
    case "end": {
      const mull = mullBody(part.strategy, part.usage);
      return { choices: [], usage: usageBody(part.usage), ...(mull ? { mull } : {}) };
    }
    default:
      return undefined;
  }
}

export function streamResponse(context: Context, { kind, model, id, call, created, responseId, controller }: PendingResponse) {
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => controller.abort(new DOMException("client disconnected", "AbortError")));
    const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
    const parts = await model.doStream(call);
    const reader = parts.getReader();
    try {
      for (;;) {
        const { value: part, done } = await reader.read();
        if (done) break;
        if (part.type === "error") {
          await stream.writeSSE({ data: JSON.stringify(toOpenAIError(part.error).body) });
          break;
        }
        const body = chunkOf(kind, part);
        if (body) await stream.writeSSE({ data: JSON.stringify({ id: responseId, object, created, model: id, ...body }) });
      }
      await stream.writeSSE({ data: "[DONE]" });
    } finally {
      if (controller.signal.aborted) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  });
}
