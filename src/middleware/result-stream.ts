/** A whole generate result as stream parts, and back: for middleware that must see a call whole before streaming it. */
import type { CallOptions } from "../core/call-options.js";
import type { Completion, GenerateResult } from "../core/generate-result.js";
import type { StreamPart } from "../core/stream-part.js";

/** A finished result, streamed: each completion's reasoning and text in one delta, then its end, then the usage. */
export function streamOfResult(result: GenerateResult): ReadableStream<StreamPart> {
  return new ReadableStream<StreamPart>({
    start(controller) {
      controller.enqueue({ type: "stream-start", warnings: result.warnings });
      result.completions.forEach((completion, index) => {
        if (completion.reasoning) controller.enqueue({ type: "reasoning-delta", index, delta: completion.reasoning });
        controller.enqueue({ type: "text-delta", index, delta: completion.text, ...(completion.logprobs ? { logprobs: completion.logprobs } : {}) });
        for (const toolCall of completion.toolCalls ?? []) controller.enqueue({ type: "tool-call", index, toolCall });
        controller.enqueue({
          type: "completion-end",
          index,
          finishReason: completion.finishReason,
          completionTokens: completion.completionTokens,
          ...(completion.reasoningTokens !== undefined ? { reasoningTokens: completion.reasoningTokens } : {}),
          ...(completion.stoppedBy ? { stoppedBy: completion.stoppedBy } : {}),
          ...(completion.stopSequence !== undefined ? { stopSequence: completion.stopSequence } : {}),
        });
      });
      controller.enqueue({ type: "end", usage: result.usage, ...(result.metadata ? { metadata: result.metadata } : {}) });
      controller.close();
    },
  });
}

/** One completion's parts so far. */
type Draft = { text: string; reasoning: string; logprobs: NonNullable<Completion["logprobs"]>; toolCalls: NonNullable<Completion["toolCalls"]> };

/** Adds a delta to its completion's draft. */
function addDelta(drafts: Map<number, Draft>, part: Extract<StreamPart, { type: "text-delta" | "reasoning-delta" | "tool-call" }>): void {
  const draft = drafts.get(part.index) ?? { text: "", reasoning: "", logprobs: [], toolCalls: [] };
  drafts.set(part.index, draft);
  if (part.type === "tool-call") draft.toolCalls.push(part.toolCall);
  else if (part.type === "reasoning-delta") draft.reasoning += part.delta;
  else {
    draft.text += part.delta;
    draft.logprobs.push(...(part.logprobs ?? []));
  }
}

/** A finished completion from its draft and its end. */
function completionOf(draft: Draft | undefined, end: Extract<StreamPart, { type: "completion-end" }>): Completion {
  return {
    text: draft?.text ?? "",
    finishReason: end.finishReason,
    completionTokens: end.completionTokens,
    ...(end.reasoningTokens !== undefined ? { reasoningTokens: end.reasoningTokens } : {}),
    ...(draft?.reasoning ? { reasoning: draft.reasoning } : {}),
    ...(draft && draft.logprobs.length > 0 ? { logprobs: draft.logprobs } : {}),
    ...(draft && draft.toolCalls.length > 0 ? { toolCalls: draft.toolCalls } : {}),
    ...(end.stoppedBy ? { stoppedBy: end.stoppedBy } : {}),
    ...(end.stopSequence !== undefined ? { stopSequence: end.stopSequence } : {}),
  };
}

/** A streamed call read whole, as a generate result: texts, reasoning, log-probabilities and tool calls kept. */
export async function collectStream(next: (options: CallOptions) => Promise<ReadableStream<StreamPart>>, call: CallOptions): Promise<GenerateResult> {
  const reader = (await next(call)).getReader();
  const drafts = new Map<number, Draft>();
  const completions: Completion[] = [];
  const result: GenerateResult = { completions, usage: { promptTokens: 0, completionTokens: 0, calls: 1, wallMs: 0 }, warnings: [] };
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    const part = step.value;
    if (part.type === "stream-start") result.warnings.push(...part.warnings);
    else if (part.type === "text-delta" || part.type === "reasoning-delta" || part.type === "tool-call") addDelta(drafts, part);
    else if (part.type === "completion-end") completions[part.index] = completionOf(drafts.get(part.index), part);
    else if (part.type === "end") result.usage = part.usage;
    else if (part.type === "error") throw part.error;
  }
  return result;
}
