import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget, Strategy, StrategyResult } from "../core/strategy.js";
import type { StreamPart } from "../core/stream-part.js";
import { addUsage, emptyUsage } from "../core/usage.js";

/**
 * A strategy wrapped around a model is again a model: its completion is the strategy's chosen text,
 * its usage everything the strategy spent, and its result carries the strategy's report.
 * `n` runs the strategy that many times, concurrently.
 */
export function strategyModel(options: {
  strategy: Strategy;
  model: LanguageModel;
  budget?: Budget;
  extractAnswer?: (text: string) => string | undefined;
}): LanguageModel {
  const { strategy, model, budget } = options;
  const run = (call: CallOptions, onProgress?: (part: Extract<StreamPart, { type: "progress" }>) => void): Promise<StrategyResult> => {
    const { n: _n, abortSignal, ...rest } = call;
    return strategy.run({
      model,
      call: rest,
      ...(budget ? { budget } : {}),
      ...(abortSignal ? { abortSignal } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(options.extractAnswer ? { extractAnswer: options.extractAnswer } : {}),
    });
  };
  const toResult = (results: StrategyResult[]): GenerateResult => {
    const first = results[0] as StrategyResult;
    const usage = results.reduce((total, result) => addUsage(total, result.usage), emptyUsage());
    return {
      completions: results.map((result) => ({
        text: result.text,
        finishReason: result.stopReason === "abort" ? "abort" : result.stopReason === "budget" ? "length" : "stop",
        completionTokens: result.usage.completionTokens,
      })),
      usage,
      warnings: first.warnings,
      strategy: { ...first, usage },
    };
  };
  return {
    specificationVersion: "v1",
    provider: "mull-strategy",
    modelId: `${strategy.name}/${model.modelId}`,
    ...(model.formatProblem ? { formatProblem: model.formatProblem } : {}),
    supportsRawPrompt: model.supportsRawPrompt ?? true,
    async doGenerate(call) {
      const count = call.n ?? 1;
      return toResult(await Promise.all(Array.from({ length: count }, () => run(call))));
    },
    async doStream(call) {
      const count = call.n ?? 1;
      return new ReadableStream<StreamPart>({
        async start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          try {
            const results = await Promise.all(Array.from({ length: count }, () => run(call, (part) => controller.enqueue(part))));
            const merged = toResult(results);
            merged.completions.forEach((completion, index) => {
              controller.enqueue({ type: "text-delta", index, delta: completion.text });
              controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
            });
            controller.enqueue({ type: "end", usage: merged.usage, ...(merged.strategy ? { strategy: merged.strategy } : {}) });
          } catch (error) {
            controller.enqueue({ type: "error", error });
          }
          controller.close();
        },
      });
    },
  };
}
