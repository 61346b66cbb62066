import type { CallOptions } from "../../src/core/call-options.js";
import type { GenerateResult, TokenLogprob } from "../../src/core/generate-result.js";
import type { LanguageModel } from "../../src/core/language-model.js";

/** Mechanics only: scripted traces whose tokens are sure (one likely token) or unsure (two equally likely). */
export function confidenceModel(script: { answer: string; sure: boolean }[]): LanguageModel & { calls: CallOptions[] } {
  let cursor = 0;
  const calls: CallOptions[] = [];
  const draw = () => {
    const { answer, sure } = script[cursor++ % script.length] as { answer: string; sure: boolean };
    const text = `step\n#### ${answer}`;
    const logprobs = [...text].map((token): TokenLogprob => {
      const top = sure ? [-0.01, -8, -9] : [-1, -1.1, -1.2];
      return { token, logprob: top[0] as number, topLogprobs: top.map((logprob, index) => ({ token: index === 0 ? token : `~${index}`, logprob })) };
    });
    return { text, finishReason: "stop" as const, completionTokens: text.length, logprobs };
  };
  const generate = async (options: CallOptions): Promise<GenerateResult> => {
    calls.push(options);
    const completions = Array.from({ length: options.n ?? 1 }, draw);
    return {
      completions,
      usage: { promptTokens: 0, completionTokens: completions.reduce((sum, item) => sum + item.completionTokens, 0), calls: 1, wallMs: 1 },
      warnings: [],
    };
  };
  return {
    specificationVersion: "v1",
    provider: "test",
    modelId: "confidence-script",
    calls,
    doGenerate: generate,
    async doStream(options) {
      const result = await generate(options);
      return new ReadableStream({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          result.completions.forEach((completion, index) => {
            for (const item of completion.logprobs ?? []) controller.enqueue({ type: "text-delta", index, delta: item.token, logprobs: [item] });
            controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
          });
          controller.enqueue({ type: "end", usage: result.usage });
          controller.close();
        },
      });
    },
  };
}
