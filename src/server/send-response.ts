import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { CallOptions } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StrategyReport } from "../core/strategy.js";
import type { StreamPart } from "../core/stream-part.js";
import type { Usage } from "../core/usage.js";
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
  /** `stream_options.include_usage`: a last chunk with the usage, only when asked. */
  includeUsage: boolean;
  /** Told what the request spent once it is known (for the metrics). */
  onUsage?: (usage: Usage, strategy: string | undefined) => void;
  /** Told once how the response ended (for the debugger). */
  onEnd?: (end: ResponseEnd) => void;
};

/** How a response ended: its status, what it spent and the strategy's report, or the error. */
export type ResponseEnd = { status: number; usage?: Usage; strategy?: StrategyReport; error?: unknown };

export async function jsonResponse(context: Context, { kind, model, id, call, created, responseId, onUsage, onEnd }: PendingResponse) {
  let result: Awaited<ReturnType<LanguageModel["doGenerate"]>>;
  try {
    result = await model.doGenerate(call);
  } catch (error) {
    onEnd?.({ status: toOpenAIError(error).status, error });
    throw error;
  }
  onUsage?.(result.usage, result.strategy?.strategy);
  onEnd?.({ status: 200, usage: result.usage, ...(result.strategy ? { strategy: result.strategy } : {}) });
  const choices = result.completions.map((completion, index) => {
    const logprobs = completion.logprobs ? logprobsBody(kind, completion.logprobs) : null;
    const toolCalls = completion.toolCalls && completion.toolCalls.length > 0 ? completion.toolCalls : undefined;
    // A message that only calls tools has null content, as OpenAI sends it.
    const message = {
      role: "assistant",
      content: toolCalls && completion.text === "" ? null : completion.text,
      refusal: null,
      // A reasoning model's thinking, apart from the answer, as vLLM and DeepSeek send it.
      ...(completion.reasoning ? { reasoning_content: completion.reasoning } : {}),
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
    };
    const content = kind === "chat" ? { message } : { text: completion.text };
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

/** Turns stream parts into chunk bodies; remembers each choice's text length, for legacy `text_offset`. */
function chunkWriter(kind: Kind, includeUsage: boolean) {
  const written = new Map<number, number>();
  const toolCallsSent = new Map<number, number>();
  return (part: StreamPart): Record<string, unknown> | undefined => {
    switch (part.type) {
      case "tool-call": {
        // Each call whole in one delta, with its position among the choice's calls.
        const position = toolCallsSent.get(part.index) ?? 0;
        toolCallsSent.set(part.index, position + 1);
        return chatDelta(kind, part.index, { tool_calls: [{ index: position, ...part.toolCall }] });
      }
      case "stream-start":
        // Warnings reach streaming clients too, in a chunk without choices (OpenAI clients pass over it).
        return part.warnings.length > 0 ? { choices: [], mull: { warnings: part.warnings } } : undefined;
      case "reasoning-delta":
        return chatDelta(kind, part.index, { reasoning_content: part.delta });
      case "text-delta": {
        const offset = written.get(part.index) ?? 0;
        written.set(part.index, offset + part.delta.length);
        return deltaChunk(kind, part, offset);
      }
      case "completion-end":
        return endOfChoiceChunk(kind, part);
      case "progress":
        return { choices: [], mull: { progress: part.message, usage: part.usage, ...(part.data ? { data: part.data } : {}) } };
      case "trace":
        return { choices: [], mull: { trace: part.event, run: part.run } };
      case "end": {
        const mull = mullBody(part.strategy, part.usage);
        if (!includeUsage && !mull) return undefined;
        return { choices: [], ...(includeUsage ? { usage: usageBody(part.usage) } : {}), ...(mull ? { mull } : {}) };
      }
      default:
        return undefined;
    }
  };
}

/** A chat chunk carrying one choice's delta (reasoning, tool calls); legacy completions have no place for it. */
function chatDelta(kind: Kind, index: number, fields: Record<string, unknown>) {
  return kind === "chat" ? { choices: [{ index, delta: { role: "assistant", ...fields }, finish_reason: null, logprobs: null }] } : undefined;
}

function deltaChunk(kind: Kind, part: Extract<StreamPart, { type: "text-delta" }>, offset: number) {
  const logprobs = part.logprobs ? logprobsBody(kind, part.logprobs, offset) : null;
  const content = kind === "chat" ? { delta: { role: "assistant", content: part.delta } } : { text: part.delta };
  return { choices: [{ index: part.index, ...content, finish_reason: null, logprobs }] };
}

function endOfChoiceChunk(kind: Kind, part: Extract<StreamPart, { type: "completion-end" }>) {
  const content = kind === "chat" ? { delta: {} } : { text: "" };
  return { choices: [{ index: part.index, ...content, finish_reason: wireFinishReason(part.finishReason), ...stopReasonBody(part), logprobs: null }] };
}

/**
 * A streamed response. The model's stream is opened and its first part read before anything is sent, so
 * that a request the model refuses is a real HTTP error an SDK can raise, not a 200 with an error event.
 */
export async function streamResponse(context: Context, pending: PendingResponse) {
  const { kind, model, id, call, created, responseId, controller } = pending;
  let reader: ReadableStreamDefaultReader<StreamPart>;
  let first: ReadableStreamReadResult<StreamPart>;
  try {
    reader = (await model.doStream(call)).getReader();
    first = await reader.read();
  } catch (error) {
    const { status, body } = toOpenAIError(error);
    pending.onEnd?.({ status, error });
    return context.json(body, status);
  }
  if (!first.done && first.value.type === "error") {
    await reader.cancel().catch(() => {});
    const { status, body } = toOpenAIError(first.value.error);
    pending.onEnd?.({ status, error: first.value.error });
    return context.json(body, status);
  }
  const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
  const chunkOf = chunkWriter(kind, pending.includeUsage);
  /** Writes every event of the stream through `write`, then `[DONE]`. */
  const pump = async (write: (data: string) => Promise<void> | void, closed: () => boolean) => {
    try {
      for (let step = first; !step.done && !closed(); step = await reader.read()) {
        const part = step.value;
        if (part.type === "error") {
          pending.onEnd?.({ status: 200, error: part.error });
          await write(JSON.stringify(toOpenAIError(part.error).body));
          break;
        }
        if (part.type === "end") {
          pending.onUsage?.(part.usage, part.strategy?.strategy);
          pending.onEnd?.({ status: 200, usage: part.usage, ...(part.strategy ? { strategy: part.strategy } : {}) });
        }
        const body = chunkOf(part);
        if (body) await write(JSON.stringify({ id: responseId, object, created, model: id, ...body }));
      }
      if (!closed()) await write("[DONE]");
    } finally {
      // A client that left before the end (a no-op where the response ended already).
      if (controller.signal.aborted) {
        pending.onEnd?.({ status: 499, error: new Error("the client disconnected") });
        await reader.cancel().catch(() => {});
      }
      reader.releaseLock();
    }
  };
  // Under Node, events go straight to the socket: each web stream between here and it costs more than the event.
  const outgoing = (context.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) {
    outgoing.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const closed = () => outgoing.destroyed || outgoing.writableEnded;
    try {
      await pump((data) => (outgoing.write(`data: ${data}\n\n`) ? undefined : drained(outgoing)), closed);
    } catch (error) {
      // The headers are out: a failure now can only be told as a last event (a client that left hears nothing).
      if (!closed()) outgoing.write(`data: ${JSON.stringify(toOpenAIError(error).body)}\n\ndata: [DONE]\n\n`);
    } finally {
      if (!outgoing.writableEnded) outgoing.end();
    }
    return RESPONSE_ALREADY_SENT;
  }
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => controller.abort(new DOMException("client disconnected", "AbortError")));
    await pump(
      (data) => stream.writeSSE({ data }),
      () => stream.aborted,
    );
  });
}

/** Resolves when a response can take more, or has closed. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}
