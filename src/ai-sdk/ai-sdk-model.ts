/**
 * An AI SDK language model (specification v3) seen as a mull model, so that a strategy can sample from it:
 * `n` becomes parallel calls, each with the call's own temperature, seed, token cap and stop sequences.
 * The caller's prompt, tools and output format are the AI SDK call's own, passed through untouched; a
 * strategy that rewrites the prompt (a search continuing a partial answer) gets it as text messages.
 */
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Content, LanguageModelV3Prompt } from "@ai-sdk/provider";
import type { CallOptions, ChatMessage } from "../core/call-options.js";
import type { Completion, FinishReason, GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import type { ToolCall } from "../core/tools.js";
import { addUsage, emptyUsage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { contentText } from "../internal/prompt-text.js";
import { seedAt } from "../internal/seeds.js";

/** The AI SDK prompt as mull's chat messages: text parts joined, tool calls and results left out. */
export function toChatMessages(prompt: LanguageModelV3Prompt): ChatMessage[] {
  return prompt.map((message) => {
    if (message.role === "system") return { role: "system", content: message.content };
    const text = message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
    return { role: message.role, content: text };
  });
}

function toPrompt(prompt: string | ChatMessage[]): LanguageModelV3Prompt {
  const messages: ChatMessage[] = typeof prompt === "string" ? [{ role: "user", content: prompt }] : prompt;
  return messages.map((message) => {
    const text = contentText(message.content);
    if (message.role === "system" || message.role === "developer") return { role: "system", content: text };
    if (message.role === "assistant") return { role: "assistant", content: [{ type: "text", text }] };
    return { role: "user", content: [{ type: "text", text }] };
  });
}

const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  "content-filter": "content-filter",
  "tool-calls": "tool-calls",
  error: "error",
};

function toCompletion(content: readonly LanguageModelV3Content[], finish: string, outputTokens: number): Completion {
  const text = content.map((part) => (part.type === "text" ? part.text : "")).join("");
  const reasoning = content.map((part) => (part.type === "reasoning" ? part.text : "")).join("");
  const toolCalls: ToolCall[] = content.flatMap((part) =>
    part.type === "tool-call" ? [{ id: part.toolCallId, type: "function" as const, function: { name: part.toolName, arguments: part.input } }] : [],
  );
  return {
    text,
    finishReason: finishReasons[finish] ?? "other",
    completionTokens: outputTokens,
    ...(reasoning ? { reasoning } : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
  };
}

/**
 * `params` is the AI SDK call the strategy answers; `messages` is its prompt as mull sees it. A call whose
 * prompt is that very array sends the original prompt (images, tool results and all).
 */
export function aiSdkModel(options: { model: LanguageModelV3; params: LanguageModelV3CallOptions; messages: ChatMessage[] }): LanguageModel {
  const { model, params, messages } = options;
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    const n = call.n ?? 1;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: n }, (_, index) => {
        const seed = seedAt(call.seed, index, 1);
        return model.doGenerate({
          ...params,
          prompt: call.prompt === messages ? params.prompt : toPrompt(call.prompt),
          ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
          ...(call.topP !== undefined ? { topP: call.topP } : {}),
          ...(call.maxTokens !== undefined ? { maxOutputTokens: call.maxTokens } : {}),
          ...(call.stop !== undefined ? { stopSequences: call.stop } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(call.abortSignal ? { abortSignal: call.abortSignal } : {}),
        });
      }),
    );
    let usage = emptyUsage();
    const warnings: Warning[] = [];
    const completions = results.map((result) => {
      const outputTokens = result.usage.outputTokens.total ?? 0;
      usage = addUsage(usage, { promptTokens: result.usage.inputTokens.total ?? 0, completionTokens: outputTokens, calls: 1, wallMs: 0 });
      for (const warning of result.warnings) warnings.push({ type: "other", message: `${model.modelId}: ${JSON.stringify(warning)}` });
      return toCompletion(result.content, result.finishReason.unified, outputTokens);
    });
    return { completions, usage: { ...usage, wallMs: Date.now() - started }, warnings };
  };
  return {
    specificationVersion: "v1",
    provider: `ai-sdk:${model.provider}`,
    modelId: model.modelId,
    supportsRawPrompt: false,
    supportsTools: true,
    supportsResponseFormat: true,
    doGenerate: generate,
    // Strategies sample whole completions; a stream here is the generated result replayed as parts.
    async doStream(call) {
      const result = await generate(call);
      return new ReadableStream<StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: result.warnings });
          result.completions.forEach((completion, index) => {
            if (completion.text) controller.enqueue({ type: "text-delta", index, delta: completion.text });
            for (const toolCall of completion.toolCalls ?? []) controller.enqueue({ type: "tool-call", index, toolCall });
            controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
          });
          controller.enqueue({ type: "end", usage: result.usage });
          controller.close();
        },
      });
    },
  };
}
