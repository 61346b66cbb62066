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
        controller.enqueue({ type: "text-delta", index, delta: completion.text });
        controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
      });
      controller.enqueue({ type: "end", usage: result.usage });
      controller.close();
    },
  });
}

/** A streamed call read whole, as a generate result. */
export async function collectStream(next: (options: CallOptions) => Promise<ReadableStream<StreamPart>>, call: CallOptions): Promise<GenerateResult> {
  const reader = (await next(call)).getReader();
  const texts: string[] = [];
  const completions: Completion[] = [];
  const result: GenerateResult = { completions, usage: { promptTokens: 0, completionTokens: 0, calls: 1, wallMs: 0 }, warnings: [] };
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    const part = step.value;
    if (part.type === "stream-start") result.warnings.push(...part.warnings);
    else if (part.type === "text-delta") texts[part.index] = (texts[part.index] ?? "") + part.delta;
    else if (part.type === "completion-end")
      completions[part.index] = {
        text: texts[part.index] ?? "",
        finishReason: part.finishReason,
        completionTokens: part.completionTokens,
        ...(part.stoppedBy ? { stoppedBy: part.stoppedBy } : {}),
        ...(part.stopSequence !== undefined ? { stopSequence: part.stopSequence } : {}),
      };
    else if (part.type === "end") result.usage = part.usage;
    else if (part.type === "error") throw part.error;
  }
  return result;
}
