/**
 * Why one completion ended: a natural stop or a stop sequence, the token limit, a cancellation, an error,
 * the model calling tools, an upstream content filter, or something else an upstream said.
 */
export type FinishReason = "stop" | "length" | "abort" | "error" | "tool-calls" | "content-filter" | "other";
