/**
 * Tools in the model's text (`TextTool`): each completion is generated in segments; a segment that stops at a
 * tool's trigger gets the tool's output appended, and the next segment continues the text so far. The caller
 * sees one completion per candidate: the whole text (tool outputs included), the tokens the model generated
 * (tool outputs are not the model's), and the log-probabilities of the model's own tokens. Against a server
 * that splits reasoning off, each segment's parts are joined back into the raw text the next one continues,
 * and the whole is split again at the end.
 */
import type { CallOptions } from "../core/call-options.js";
import type { Completion, GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { TextTool } from "../core/text-tool.js";
import { addUsage, type Usage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { callSeedStride, seedAt } from "../internal/seeds.js";
import { continuedText, splitThinking } from "../internal/think-tags.js";
import { continuePrompt } from "./continue-prompt.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { collectStream, streamOfResult } from "./result-stream.js";

export type ToolLoopOptions = {
  tools: readonly TextTool[];
  /** Most tool outputs per completion; past it the model goes on unaided. Defaults to 32. */
  maxToolCalls?: number;
  /** Receives each tool call (for traces). */
  onToolCall?: (event: { tool: string; trigger: string; output: string | undefined; candidate: number }) => void;
};

/** The embedded backend's default, used where the caller sets none. */
const defaultMaxTokens = 256;

type Segmented = { completion: Completion; usage: Usage | undefined; warnings: Warning[]; toolCalls: number };

/**
 * Whether a segment whose stop the server did not name (llama.cpp's chat route names none) stopped at the one
 * trigger there is: it did when it stopped inside thinking still open, where the end of the text cannot come.
 */
function stoppedAtOnlyTrigger(options: { tools: readonly TextTool[]; completion: Completion; text: string }): boolean {
  if (options.completion.stopSequence !== undefined || options.tools.flatMap((tool) => tool.triggers).length !== 1) return false;
  return splitThinking(options.text)?.closed === false;
}

/** Which tool acts on a segment that stopped: the one whose trigger the backend reports, else the first that answers. */
async function toolOutput(options: { tools: readonly TextTool[]; completion: Completion; text: string; callerStops: readonly string[]; signal?: AbortSignal }) {
  const { completion } = options;
  if (completion.finishReason !== "stop" || completion.stoppedBy === "end-of-text") return undefined;
  if (completion.stopSequence !== undefined && options.callerStops.includes(completion.stopSequence)) return undefined;
  for (const tool of options.tools) {
    for (const trigger of tool.triggers) {
      if (completion.stopSequence !== undefined && completion.stopSequence !== trigger) continue;
      const output = await tool.respond({ text: options.text + trigger, trigger, ...(options.signal ? { signal: options.signal } : {}) });
      const kept = tool.keepsTrigger === false && output !== undefined ? "" : trigger;
      if (output !== undefined || completion.stopSequence === trigger || stoppedAtOnlyTrigger(options))
        return { tool: tool.name, trigger, kept, output: output ?? "" };
    }
  }
  return undefined;
}

/** The candidate's one completion: the last segment's ending with the whole text, split again where the backend splits reasoning. */
function wholeCompletion(options: {
  last: Completion;
  text: string;
  splitsReasoning: boolean;
  generated: number;
  logprobs: NonNullable<Completion["logprobs"]>;
}): Completion {
  const { text: _last, reasoning: _reasoning, completionTokens: _tokens, logprobs: _logprobs, ...ending } = options.last;
  const thinking = options.splitsReasoning ? splitThinking(options.text) : undefined;
  const parts = thinking ? { text: thinking.content, reasoning: thinking.reasoning } : { text: options.text };
  return { ...ending, ...parts, completionTokens: options.generated, ...(options.logprobs.length > 0 ? { logprobs: options.logprobs } : {}) };
}

async function generateOne(args: {
  call: CallOptions;
  index: number;
  next: (options: CallOptions) => Promise<GenerateResult>;
  model: LanguageModel;
  options: ToolLoopOptions;
}): Promise<Segmented> {
  const { call, next, model, options } = args;
  const callerStops = call.stop ?? [];
  const triggers = options.tools.flatMap((tool) => tool.triggers);
  const budget = call.maxTokens ?? defaultMaxTokens;
  const maxToolCalls = options.maxToolCalls ?? 32;
  const warnings: Warning[] = [];
  let text = "";
  let generated = 0;
  let toolCalls = 0;
  let usage: Usage | undefined;
  // Whether the backend splits reasoning off: the text is then joined raw, and split again at the end.
  let splitsReasoning = false;
  const logprobs: NonNullable<Completion["logprobs"]> = [];
  for (let segment = 0; ; segment++) {
    const seed = seedAt(call.seed, args.index * 1000 + segment, callSeedStride);
    const result = await next({
      ...call,
      n: 1,
      prompt: continuePrompt({ prompt: call.prompt, prefix: text, model, feature: "tool use" }),
      stop: toolCalls < maxToolCalls ? [...callerStops, ...triggers] : callerStops,
      maxTokens: Math.max(1, budget - generated),
      ...(seed !== undefined ? { seed } : {}),
    });
    usage = usage ? addUsage(usage, result.usage) : result.usage;
    warnings.push(...result.warnings);
    const completion = result.completions[0] as Completion;
    splitsReasoning ||= completion.reasoning !== undefined;
    text += continuedText({ prefix: text, completion });
    generated += completion.completionTokens;
    logprobs.push(...(completion.logprobs ?? []));
    const acted =
      toolCalls < maxToolCalls && generated < budget
        ? await toolOutput({ tools: options.tools, completion, text, callerStops, ...(call.abortSignal ? { signal: call.abortSignal } : {}) })
        : undefined;
    if (!acted) return { completion: wholeCompletion({ last: completion, text, splitsReasoning, generated, logprobs }), usage, warnings, toolCalls };
    // A trigger the tool let pass (an opening code fence) is not a call.
    if (acted.output !== "") {
      toolCalls++;
      options.onToolCall?.({ tool: acted.tool, trigger: acted.trigger, output: acted.output, candidate: args.index });
    }
    text += acted.kept + acted.output;
  }
}

async function generateWithTools(
  call: CallOptions,
  next: (options: CallOptions) => Promise<GenerateResult>,
  model: LanguageModel,
  options: ToolLoopOptions,
): Promise<GenerateResult> {
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: call.n ?? 1 }, (_, index) => generateOne({ call, index, next, model, options })));
  const usage = results.reduce<Usage | undefined>((sum, result) => (sum && result.usage ? addUsage(sum, result.usage) : (result.usage ?? sum)), undefined);
  const warnings = new Map(results.flatMap((result) => result.warnings).map((warning) => [JSON.stringify(warning), warning]));
  return {
    completions: results.map((result) => result.completion),
    usage: { ...(usage ?? { promptTokens: 0, completionTokens: 0, calls: 0, wallMs: 0 }), wallMs: Date.now() - started },
    warnings: [...warnings.values()],
  };
}

/** Runs `tools` inside every completion of the wrapped model; a stream is generated whole, then streamed. */
export function toolLoopMiddleware(options: ToolLoopOptions): ModelMiddleware {
  return {
    name: "tool-loop",
    wrapGenerate: ({ options: call, next, model }) => generateWithTools(call, next, model, options),
    async wrapStream({ options: call, next, model }) {
      return streamOfResult(await generateWithTools(call, (segment) => collectStream(next, segment), model, options));
    },
  };
}
