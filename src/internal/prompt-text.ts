import type { ChatMessage } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** A message's text: its string, or its text parts joined (other parts have no text). */
export function contentText(content: ChatMessage["content"]): string {
  if (content === null) return "";
  return typeof content === "string" ? content : content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

/** The text of the conversation's last user message: the problem, for a model or verifier without a chat template. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((message) => message.role === "user" && typeof message.content === "string");
  if (!lastUser || typeof lastUser.content !== "string")
    throw new InvalidArgumentError({ parameter: "messages", message: "needs at least one user message with text content" });
  return lastUser.content;
}

/**
 * A prompt as a verifier without a chat template reads it: raw text as it is; a conversation as its problem
 * (the last user message) in the verifier's own prompt format where it has one.
 */
export function promptAsText(prompt: string | readonly ChatMessage[], formatProblem?: (problem: string) => string): string {
  if (typeof prompt === "string") return prompt;
  const problem = lastUserText(prompt);
  return formatProblem ? formatProblem(problem) : problem;
}
