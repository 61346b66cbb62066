import type { FinishReason } from "./finish-reason.js";
import type { ResultMetadata, TokenLogprob } from "./generate-result.js";
import type { ToolCall } from "./tools.js";
import type { TraceEvent } from "./trace-event.js";
import type { Usage } from "./usage.js";
import type { Warning } from "./warning.js";

/**
 * What a streaming call yields, in order: `stream-start`, any number of `text-delta`, `tool-call` and
 * `progress` parts, one `completion-end` per completion, then `end` (or `error`).
 */
export type StreamPart =
  | { type: "stream-start"; warnings: Warning[] }
  | { type: "text-delta"; index: number; delta: string; logprobs?: TokenLogprob[] }
  /** Reasoning the backend streams apart from the answer text (see `Completion.reasoning`). */
  | { type: "reasoning-delta"; index: number; delta: string }
  /** A tool call the completion made, whole (its arguments complete), before the completion's end. */
  | { type: "tool-call"; index: number; toolCall: ToolCall }
  | {
      type: "completion-end";
      index: number;
      finishReason: FinishReason;
      completionTokens: number;
      /** Of them, the thinking's, where known (see `Completion.reasoningTokens`). */
      reasoningTokens?: number;
      stoppedBy?: "end-of-text" | "stop-sequence";
      stopSequence?: string;
    }
  /** Work a strategy did that is not yet the answer (a candidate finished, a vote changed). */
  | { type: "progress"; message: string; usage: Usage; data?: Record<string, unknown> }
  /** A typed event a strategy recorded as it happened (a strategy wrapped as a model streams them); `run` is its run's index when `n` > 1. */
  | { type: "trace"; run: number; event: TraceEvent }
  | { type: "end"; usage: Usage; metadata?: ResultMetadata }
  | { type: "error"; error: unknown };
