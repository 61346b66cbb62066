/**
 * `mull/ai-sdk`: a language-model middleware for the AI SDK's `wrapLanguageModel`, which runs a mull
 * strategy around any AI SDK model, so that `generateText` and `streamText` get self-consistency,
 * best-of-N or a search without a proxy. The wrapped call's usage is everything the strategy spent; its
 * `providerMetadata.mull` carries the answer, confidence, votes and stop reason.
 */
import type { JSONObject, LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3GenerateResult, LanguageModelV3Middleware } from "@ai-sdk/provider";
import type { Budget, Strategy, StrategyResult } from "../core/strategy.js";
import type { ToolVote } from "../core/tools.js";
import { createMull, defaults, type Mull, type StrategyRequest } from "../runtime/create-mull.js";
import { aiSdkModel, toChatMessages } from "./ai-sdk-model.js";

export type MullMiddlewareOptions = {
  /** A strategy spec (`self-consistency:n=8`), a spec with options, or a strategy built already. Defaults to `self-consistency`. */
  strategy?: string | StrategyRequest | Strategy;
  /** A verifier spec, for strategies that score candidates (`prm`, `judge:model=...`). Defaults to the runtime's (`prm`). */
  verifier?: string;
  /**
   * The runtime strategies run through: it resolves specs and gives runs their environment (other models by spec,
   * the sandbox code strategies run programs in, started on first use). Defaults to a runtime of the built-in
   * extensions, made on first use; pass your own to dispose of it (and its sandbox's processes) when done.
   */
  mull?: Mull;
  /** The most each wrapped call may spend. Defaults to no limit. */
  budget?: Budget;
  /** Extracts the answer candidates are voted on. Defaults to mull's extraction (`\boxed{}`, "the answer is", `####`, ...). */
  extractAnswer?: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. Defaults to `"arguments"`. */
  toolVote?: ToolVote;
};

export function mullMiddleware(options: MullMiddlewareOptions = {}): LanguageModelV3Middleware {
  let runtime: { mull: Mull; strategy: Strategy } | undefined;
  const resolve = () => {
    if (runtime) return runtime;
    const mull = options.mull ?? createMull();
    const requested = options.strategy ?? defaults.strategy;
    const strategy =
      typeof requested === "object" && "run" in requested
        ? requested
        : mull.strategy(requested, options.verifier !== undefined ? { verifier: options.verifier } : {});
    runtime = { mull, strategy };
    return runtime;
  };
  const run = async (model: LanguageModelV3, params: LanguageModelV3CallOptions): Promise<StrategyResult> => {
    const messages = toChatMessages(params.prompt);
    const { mull, strategy } = resolve();
    // The run goes through the runtime, so it gets the same environment as the library's, the CLI's and the server's.
    const result = await mull.run({
      strategy,
      model: aiSdkModel({ model, params, messages }),
      prompt: messages,
      maxTokens: params.maxOutputTokens ?? null,
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(params.stopSequences ? { stop: params.stopSequences } : {}),
      ...(options.verifier !== undefined ? { verifier: options.verifier } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
      ...(params.abortSignal ? { abortSignal: params.abortSignal } : {}),
      ...(options.extractAnswer ? { extractAnswer: options.extractAnswer } : {}),
      ...(options.toolVote ? { toolVote: options.toolVote } : {}),
    });
    // A cancelled call rejects, as the AI SDK's own providers do, rather than answering with what was left.
    params.abortSignal?.throwIfAborted();
    return result;
  };
  return {
    specificationVersion: "v3",
    wrapGenerate: async ({ model, params }) => toGenerateResult(await run(model, params)),
    // The strategy chooses among whole candidates, so the answer streams once it is chosen.
    wrapStream: async ({ model, params }) => {
      const result = toGenerateResult(await run(model, params));
      return {
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue({ type: "stream-start", warnings: result.warnings });
            for (const part of result.content) {
              if (part.type === "text") {
                controller.enqueue({ type: "text-start", id: "0" });
                controller.enqueue({ type: "text-delta", id: "0", delta: part.text });
                controller.enqueue({ type: "text-end", id: "0" });
              } else if (part.type === "tool-call") controller.enqueue(part);
            }
            controller.enqueue({
              type: "finish",
              usage: result.usage,
              finishReason: result.finishReason,
              ...(result.providerMetadata ? { providerMetadata: result.providerMetadata } : {}),
            });
            controller.close();
          },
        }),
      };
    },
  };
}

function toGenerateResult(result: StrategyResult): LanguageModelV3GenerateResult {
  const toolCalls = result.toolCalls ?? [];
  const finish = result.stopReason === "budget" ? "length" : toolCalls.length > 0 ? "tool-calls" : "stop";
  return {
    content: [
      ...(result.text !== "" || toolCalls.length === 0 ? [{ type: "text" as const, text: result.text }] : []),
      ...toolCalls.map((call) => ({ type: "tool-call" as const, toolCallId: call.id, toolName: call.function.name, input: call.function.arguments })),
    ],
    finishReason: { unified: finish, raw: result.stopReason },
    usage: {
      inputTokens: { total: result.usage.promptTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: result.usage.completionTokens, text: undefined, reasoning: undefined },
    },
    providerMetadata: {
      mull: {
        strategy: result.strategy,
        settings: result.settings as unknown as JSONObject,
        answer: result.answer ?? null,
        confidence: result.confidence,
        votes: result.votes,
        stopReason: result.stopReason,
        calls: result.usage.calls,
        candidates: result.candidates.length,
      },
    },
    warnings: result.warnings.map((warning) => ({ type: "other" as const, message: JSON.stringify(warning) })),
  };
}
