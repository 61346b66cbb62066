/** A scripted test model for strategy mechanics only. Lives under test/, never exported. */
import type { CallOptions } from "../../src/core/call-options.js";
import type { GenerateResult } from "../../src/core/generate-result.js";
import type { LanguageModel } from "../../src/core/language-model.js";

export function createScriptedModel(texts: string[], tokensPerCompletion = 10): LanguageModel & { calls: CallOptions[] } {
  let cursor = 0;
  const calls: CallOptions[] = [];
  return {
    specificationVersion: "v1",
    provider: "test",
    modelId: "scripted",
    calls,
    async doGenerate(options): Promise<GenerateResult> {
      calls.push(options);
      const n = options.n ?? 1;
      const completions = Array.from({ length: n }, () => {
        const text = texts[cursor++ % texts.length] ?? "";
        return { text, finishReason: "stop" as const, completionTokens: Math.min(tokensPerCompletion, options.maxTokens ?? Number.POSITIVE_INFINITY) };
      });
      return {
        completions,
        usage: { promptTokens: 5 * n, completionTokens: completions.reduce((sum, completion) => sum + completion.completionTokens, 0), calls: 1, wallMs: 1 },
        warnings: [],
      };
    },
    async doStream(options) {
      const result = await this.doGenerate(options);
      return new ReadableStream({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          result.completions.forEach((completion, index) => {
            controller.enqueue({ type: "text-delta", index, delta: completion.text });
            controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
          });
          controller.enqueue({ type: "end", usage: result.usage });
          controller.close();
        },
      });
    },
  };
}
