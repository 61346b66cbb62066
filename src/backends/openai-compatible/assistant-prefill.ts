/**
 * llama.cpp's server continues a final assistant message (prefill) in its own way: thinking must come as
 * `reasoning_content` (thinking written in `content` is rendered after an empty `<think></think>` it inserts),
 * it is told whether the thinking or the answer goes on (`continue_final_message`), and its non-streamed reply
 * repeats the prefill. mull's continuations carry the model's raw text, `<think>` included: it is split here
 * for the request, and the repeated part cut from the reply, so the caller gets only what the model added.
 */
import type { ChatMessage } from "../../core/call-options.js";
import { splitThinking } from "../../internal/think-tags.js";

/**
 * How an endpoint continues a chat prompt's final assistant message: `continue-final-message` sends vLLM's and
 * SGLang's `continue_final_message: true`; `final-message` relies on the server continuing it by itself (`mull
 * serve`); `llama-cpp` is llama.cpp's server, which continues it by itself in the way described above.
 */
export const assistantPrefixModes = ["continue-final-message", "final-message", "llama-cpp"] as const;
export type AssistantPrefix = (typeof assistantPrefixModes)[number];

/** What was sent as the message to continue, to cut from the reply. */
export type SentPrefill = { reasoning: string; content: string; thinking: boolean };

/** The messages and fields that continue `messages`' final assistant message on llama.cpp's server; undefined when none. */
export function llamaServerPrefill(
  messages: readonly ChatMessage[],
): { messages: ChatMessage[]; fields: Record<string, unknown>; sent: SentPrefill } | undefined {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || typeof last.content !== "string" || last.tool_calls !== undefined) return undefined;
  const thinking = splitThinking(last.content);
  if (!thinking) return { messages: [...messages], fields: {}, sent: { reasoning: "", content: last.content, thinking: false } };
  const { reasoning, content, closed } = thinking;
  return {
    messages: [...messages.slice(0, -1), { ...last, content, reasoning_content: reasoning }],
    fields: { continue_final_message: closed ? "content" : "reasoning_content", add_generation_prompt: false },
    sent: { reasoning, content, thinking: true },
  };
}

/**
 * A non-streamed reply's text and reasoning without the prefill the server repeated. Continued thinking keeps
 * its reasoning field even when empty, so the caller can tell that the model closed it at once.
 */
export function withoutRepeatedPrefill(
  sent: SentPrefill,
  reply: { text: string; reasoning: string | undefined },
): { text: string; reasoning: string | undefined } {
  const cut = (value: string, prefix: string) => (prefix !== "" && value.startsWith(prefix) ? value.slice(prefix.length) : value);
  const reasoning = reply.reasoning === undefined ? (sent.thinking ? "" : undefined) : cut(reply.reasoning, sent.reasoning);
  return { text: cut(reply.text, sent.content), reasoning };
}
