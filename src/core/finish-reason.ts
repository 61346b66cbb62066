/** Why one completion ended. */
export type FinishReason = "stop" | "length" | "abort" | "error" | "other";
