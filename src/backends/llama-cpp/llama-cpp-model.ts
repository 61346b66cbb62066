/**
 * Embedded llama.cpp backend through node-llama-cpp (loaded lazily, only in `load-llama-model.ts`).
 * The pieces, one file each: loading and the context pool (`load-llama-model.ts`, `sequence-pool.ts`),
 * prefix reuse (`claim-sequence.ts`), sampling with stop detection (`decode-candidate.ts`,
 * `stop-detector.ts`), running `n` candidates as one stream (`generate-candidates.ts`) and scoring
 * (`score-text.ts`). This file holds the settings and the `LanguageModel` they make.
 */

import { fileURLToPath } from "node:url";
import type { CallOptions, ChatMessage } from "../../core/call-options.js";
import type { ModelCost } from "../../core/compute-cost.js";
import { DisposedError } from "../../core/errors/disposed-error.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { Completion, GenerateResult } from "../../core/generate-result.js";
import type { LanguageModel } from "../../core/language-model.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { Usage } from "../../core/usage.js";
import type { Warning } from "../../core/warning.js";
import { contentText, lastUserText } from "../../internal/prompt-text.js";
import { validateCallOptions } from "../../internal/validate-call-options.js";
import { type EffortBudgets, thinkingBudgetMiddleware } from "../../middleware/thinking-budget-middleware.js";
import { wrapModel } from "../../middleware/wrap-model.js";
import { fileHasChatTemplate, renderChatTemplate } from "./chat-template.js";
import { generateCandidates } from "./generate-candidates.js";
import { ggufParameterCount } from "./gguf-parameters.js";
import { disposeLlamaModel, type LoadedLlamaModel, loadLlamaModel, type Token, tokenizeWithBos } from "./load-llama-model.js";
import { grammarFor } from "./output-grammar.js";
import { scorePositions, scoreTokens } from "./score-text.js";

/** The bundled policy model, shipped inside the package. */
export const BUNDLED_POLICY_MODEL = fileURLToPath(new URL("../../../models/mull-tiny-policy.gguf", import.meta.url));
/** The bundled process reward model. */
export const BUNDLED_PRM_MODEL = fileURLToPath(new URL("../../../models/mull-tiny-prm.gguf", import.meta.url));
/** The bundled chat model (a chat template, `<think>` reasoning, Hermes tool calls). */
export const BUNDLED_CHAT_MODEL = fileURLToPath(new URL("../../../models/mull-tiny-chat.gguf", import.meta.url));

export type LlamaCppModelSettings = {
  /** Path of a GGUF file. Defaults to the bundled policy model (`models/mull-tiny-policy.gguf`). */
  modelPath?: string;
  /** Model id reported to callers. Defaults to the file name without `.gguf`. */
  modelId?: string;
  /**
   * CPU threads for evaluation. Defaults to `1`: on the 2-core machines mull targets, one thread was
   * measured faster than two, since Node's own thread shares the cores (`npm run bench:threads` measures it).
   */
  threads?: number;
  /**
   * Candidates generated at once. In-process, each in a context of its own; defaults to `4`. With the
   * llama-server engine, the server's slots, decoded together in one batch; defaults to `16`.
   */
  sequences?: number;
  /**
   * What decodes: `"node-llama-cpp"`, in this process (one context per sequence: exact, slower), or
   * `"llama-server"`, llama.cpp's own server built from the source node-llama-cpp ships
   * (`npm run build:llama-server`), run as a child process that batches every sequence (about 4 times the
   * tokens per second on 2 cores; `npm run bench:engine`). Calls with a response format, and scoring, stay
   * in-process. Defaults to `"node-llama-cpp"`.
   */
  engine?: "node-llama-cpp" | "llama-server";
  /** The llama-server binary. Defaults to `MULL_LLAMA_SERVER`, else `scripts/build-llama-server.sh`'s cache. */
  serverBinary?: string;
  /** CPU threads of the llama-server engine. Defaults to `2`. */
  serverThreads?: number;
  /** Tokens of context per sequence. Defaults to the model's training context, at most `2048`. */
  contextSizePerSequence?: number;
  /** `false` for CPU only, `"auto"` to use a GPU where there is one. Defaults to `false`. */
  gpu?: false | "auto";
  /** Default generation cap when a call sets no `maxTokens`. Defaults to `256`. */
  defaultMaxTokens?: number;
  /** Wraps a bare problem for this model. Defaults to `Q: <problem>\nA: ` (the bundled policy's format); a chat model has none. */
  formatProblem?: (problem: string) => string;
  /**
   * Chat messages go through the GGUF's chat template (`tokenizer.chat_template`), and a bare problem is sent as a
   * user message. Defaults to whether the file stores a template (read from its header when the model is created).
   */
  chat?: boolean;
  /** Ends one reasoning step in this model's solutions. Defaults to `"\n"` (the bundled models' format). */
  stepDelimiter?: string;
  /**
   * Thinking budgets that `reasoningEffort` stands for on a chat model (which takes no effort of its own).
   * Defaults to `{ minimal: 16, low: 128, medium: 512, high: none }`; a model without a chat template ignores the
   * effort, with a warning.
   */
  effortBudgets?: EffortBudgets;
  /**
   * Reuse the evaluated prefix a sequence already holds when a new prompt starts with it, instead of
   * evaluating the whole prompt again (`npm run bench:prefix-reuse` measures it). Defaults to `true`.
   */
  reusePrefix?: boolean;
  /**
   * Its size and price, for what its calls cost. Defaults to the parameter count read from the GGUF's tensor table
   * and no price (a local model costs compute, not money, unless you give it one).
   */
  cost?: ModelCost;
};

export type LlamaCppModel = LanguageModel & {
  /** Loads the model now (it otherwise loads on first use). */
  load(): Promise<void>;
  /** Next-token probabilities after each listed position of `text` (one pass), for scoring. */
  scorePositions(options: { text: string; positions: number[]; abortSignal?: AbortSignal }): Promise<Map<Token, number>[]>;
  /** Tokens of `text` as this model's tokenizer splits it (without BOS). */
  tokenize(text: string): Promise<Token[]>;
  detokenize(tokens: Token[]): Promise<string>;
  /** Candidates decoding right now, over all calls. */
  readonly activeCandidates: number;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

const defaultEffortBudgets: EffortBudgets = { minimal: 16, low: 128, medium: 512, high: undefined };

const defaultFormatProblem = (problem: string): string => `Q: ${problem}\nA: `;

/**
 * The text a prompt becomes: raw text as it is; chat messages through the GGUF's chat template where the model is
 * a chat model, else (a model without one) the last user message as a problem, and a final assistant message after
 * it as the start of the answer, which the completion continues.
 */
async function renderPrompt(prompt: string | ChatMessage[], loaded: LoadedLlamaModel, defaults: CallDefaults, warnings: Warning[]): Promise<string> {
  if (typeof prompt === "string") return prompt;
  if (defaults.chat) {
    if (loaded.chatTemplate === undefined)
      throw new InvalidArgumentError({ parameter: "chat", message: "is set, but the model's file has no chat template (tokenizer.chat_template)" });
    return renderChatTemplate({ template: loaded.chatTemplate, messages: prompt, bosToken: "", eosToken: "" });
  }
  const formatProblem = defaults.formatProblem ?? defaultFormatProblem;
  const last = prompt.at(-1);
  const prefill = last?.role === "assistant" ? contentText(last.content) : "";
  const before = last?.role === "assistant" ? prompt.slice(0, -1) : prompt;
  if (before.length > 1)
    warnings.push({ type: "unsupported", feature: "chat-history", details: "the embedded model has no chat template; only the last user message was used" });
  return formatProblem(lastUserText(before)) + prefill;
}

function checkSettings(settings: { sequences: number; threads: number; serverThreads: number }): void {
  if (!Number.isInteger(settings.sequences) || settings.sequences < 1 || settings.sequences > 256)
    throw new InvalidArgumentError({ parameter: "sequences", value: settings.sequences, message: "must be an integer from 1 to 256" });
  for (const parameter of ["threads", "serverThreads"] as const)
    if (!Number.isInteger(settings[parameter]) || settings[parameter] < 1)
      throw new InvalidArgumentError({ parameter, value: settings[parameter], message: "must be a positive integer" });
}

type CallDefaults = { defaultMaxTokens: number; formatProblem: ((problem: string) => string) | undefined; chat: boolean; reusePrefix: boolean };

/**
 * After a candidate could not reach the server at `root`: if that process has ended (or ends within a
 * second, as a killed one does), the running server's root, started again unless another candidate already
 * did; undefined when it is still running (the failure is then the candidate's).
 */
async function recoverServer(loaded: LoadedLlamaModel, root: string): Promise<string | undefined> {
  const server = loaded.server;
  if (!server || !loaded.restartServer) return undefined;
  if (server.root !== root) return server.root;
  await Promise.race([server.ended, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  if (!server.exited) return undefined;
  return (await loaded.restartServer()).root;
}

/** The whole call as parts: `stream-start`, the candidates' parts, `end`; returns the completions. */
async function* callParts(options: {
  call: CallOptions;
  load: () => Promise<LoadedLlamaModel>;
  defaults: CallDefaults;
  controller: AbortController;
  onActive: (change: 1 | -1) => void;
}): AsyncGenerator<StreamPart, { completions: Completion[]; usage: Usage }> {
  const { call, defaults, controller, onActive } = options;
  validateCallOptions(call);
  if (call.tools && call.tools.length > 0)
    throw new InvalidArgumentError({ parameter: "tools", message: "the embedded backend cannot call tools; use an upstream model that does" });
  const loaded = await options.load();
  const grammar = await grammarFor(loaded, call.responseFormat);
  const warnings: Warning[] = [];
  const promptTokens = tokenizeWithBos(loaded, await renderPrompt(call.prompt, loaded, defaults, warnings), defaults.chat && typeof call.prompt !== "string");
  const room = loaded.contextPerSequence - promptTokens.length;
  if (room < 1)
    throw new InvalidArgumentError({
      parameter: "prompt",
      message: `is ${promptTokens.length} tokens; the context holds ${loaded.contextPerSequence} per sequence`,
    });
  let maxTokens = call.maxTokens ?? defaults.defaultMaxTokens;
  if (maxTokens > room) {
    warnings.push({ type: "other", message: `maxTokens lowered from ${maxTokens} to ${room} to fit the context` });
    maxTokens = room;
  }
  if (call.reasoningEffort !== undefined)
    warnings.push({
      type: "unsupported",
      feature: "reasoningEffort",
      details: "the model has no chat template and does not think apart; the effort was ignored",
    });
  yield { type: "stream-start", warnings };
  const decode = {
    maxTokens,
    temperature: call.temperature ?? 1,
    topP: call.topP ?? 1,
    seed: call.seed ?? Math.floor(Math.random() * 2 ** 31),
    stops: call.stop ?? [],
    logprobs: call.logprobs === true,
    topLogprobs: call.topLogprobs,
    reusePrefix: defaults.reusePrefix,
    shape: {
      topK: call.topK,
      minP: call.minP,
      presencePenalty: call.presencePenalty,
      frequencyPenalty: call.frequencyPenalty,
      repetitionPenalty: call.repetitionPenalty,
      logitBias: tokenBiases(call.logitBias, loaded),
    },
    grammar,
  };
  // The server engine decodes unless the call needs what only the in-process one gives (a response format).
  const running = call.responseFormat === undefined ? loaded.server : undefined;
  const server = running ? { root: running.root, recover: (root: string) => recoverServer(loaded, root) } : undefined;
  const result = yield* generateCandidates({ loaded, promptTokens, n: call.n ?? 1, settings: decode, server, controller, onActive });
  yield { type: "end", usage: result.usage };
  return result;
}

/** `logitBias` as token ids of this model; an id outside its vocabulary is refused by name. */
function tokenBiases(logitBias: Record<string, number> | undefined, loaded: LoadedLlamaModel): Map<Token, number> | undefined {
  if (!logitBias) return undefined;
  const size = loaded.vocabularySize ?? Number.POSITIVE_INFINITY;
  const biases = new Map<Token, number>();
  for (const [id, bias] of Object.entries(logitBias)) {
    const token = Number(id);
    if (token >= size)
      throw new InvalidArgumentError({ parameter: `logitBias.${id}`, message: `is not a token of this model (its vocabulary has ${size} tokens)` });
    biases.set(token as Token, bias);
  }
  return biases;
}

/** A controller that follows the caller's signal, detached when the call ends. */
function callController(signal: AbortSignal | undefined) {
  const controller = new AbortController();
  if (signal?.aborted) controller.abort(signal.reason);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  return { controller, detach: () => signal?.removeEventListener("abort", onAbort) };
}

/** The call's parts as a web stream; cancelling it stops every candidate and waits until they have stopped. */
function partsStream(iterator: AsyncGenerator<StreamPart, unknown>, call: { controller: AbortController; detach: () => void }): ReadableStream<StreamPart> {
  return new ReadableStream<StreamPart>({
    async pull(stream) {
      try {
        const { value, done } = await iterator.next();
        if (done) {
          call.detach();
          stream.close();
        } else stream.enqueue(value);
      } catch (error) {
        call.detach();
        stream.enqueue({ type: "error", error });
        stream.close();
      }
    },
    async cancel() {
      call.controller.abort(new DOMException("the stream was cancelled", "AbortError"));
      call.detach();
      await iterator.return(undefined);
    },
  });
}

/** What loading takes from the settings, defaults applied and checked. */
function loadOptions(settings: LlamaCppModelSettings, modelPath: string): Parameters<typeof loadLlamaModel>[0] {
  const engine = settings.engine ?? "node-llama-cpp";
  if (engine !== "node-llama-cpp" && engine !== "llama-server")
    throw new InvalidArgumentError({ parameter: "engine", value: engine, message: 'must be "node-llama-cpp" or "llama-server"' });
  const sequences = settings.sequences ?? (engine === "llama-server" ? 16 : 4);
  const threads = settings.threads ?? 1;
  const serverThreads = settings.serverThreads ?? 2;
  checkSettings({ sequences, threads, serverThreads });
  // With the server engine, a few in-process contexts remain for scoring and response formats.
  const server = engine === "llama-server" ? { binary: settings.serverBinary, slots: sequences, threads: serverThreads } : undefined;
  return {
    modelPath,
    gpu: settings.gpu ?? false,
    sequences: server ? Math.min(sequences, 4) : sequences,
    threads,
    contextSizePerSequence: settings.contextSizePerSequence,
    server,
  };
}

export function createLlamaCppModel(settings: LlamaCppModelSettings = {}): LlamaCppModel {
  const modelPath = settings.modelPath ?? BUNDLED_POLICY_MODEL;
  const modelId = settings.modelId ?? (modelPath.split("/").at(-1) ?? "model").replace(/\.gguf$/i, "");
  const options = loadOptions(settings, modelPath);
  const defaultMaxTokens = settings.defaultMaxTokens ?? 256;
  const chat = settings.chat ?? fileHasChatTemplate(modelPath);
  // A chat model takes problems as user messages; the raw `Q: ...\nA: ` format is the policy's.
  const formatProblem = chat ? settings.formatProblem : (settings.formatProblem ?? defaultFormatProblem);
  const reusePrefix = settings.reusePrefix ?? true;
  let loading: Promise<LoadedLlamaModel> | undefined;
  let disposed = false;
  let activeCandidates = 0;

  const load = (): Promise<LoadedLlamaModel> => {
    if (disposed) return Promise.reject(new DisposedError({ what: `llama.cpp model ${modelId}` }));
    loading ??= loadLlamaModel(options);
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  const defaults: CallDefaults = { defaultMaxTokens, formatProblem, chat, reusePrefix };
  const onActive = (change: 1 | -1) => {
    activeCandidates += change;
  };
  const start = (call: CallOptions) => {
    const controlled = callController(call.abortSignal);
    return { ...controlled, iterator: callParts({ call, load, defaults, controller: controlled.controller, onActive }) };
  };

  const generate = async (options: CallOptions): Promise<GenerateResult> => {
    const { iterator, detach } = start(options);
    try {
      let warnings: Warning[] = [];
      for (let step = await iterator.next(); ; step = await iterator.next()) {
        if (step.done) return { completions: step.value.completions, usage: step.value.usage, warnings };
        if (step.value.type === "stream-start") warnings = step.value.warnings;
      }
    } finally {
      detach();
    }
  };
  const stream = async (options: CallOptions) => {
    const { iterator, ...call } = start(options);
    return partsStream(iterator, call);
  };
  const thinking = wrapModel({
    model: { specificationVersion: "v1", provider: "llama-cpp", modelId, continuesAssistantMessage: true, doGenerate: generate, doStream: stream },
    middleware: thinkingBudgetMiddleware(chat ? { effortBudgets: settings.effortBudgets ?? defaultEffortBudgets } : {}),
  });

  const parameters = settings.cost?.parameters ?? ggufParameterCount(modelPath);
  const cost: ModelCost = { ...settings.cost, ...(parameters !== undefined ? { parameters } : {}) };

  const self: LlamaCppModel = {
    specificationVersion: "v1",
    provider: "llama-cpp",
    modelId,
    cost,
    ...(formatProblem ? { formatProblem } : {}),
    supportsRawPrompt: true,
    supportsResponseFormat: true,
    stepDelimiter: settings.stepDelimiter ?? "\n",
    continuesAssistantMessage: true,
    get activeCandidates() {
      return activeCandidates;
    },
    // A thinking budget (maxReasoningTokens) is the shared middleware's; the rest is this backend's own.
    doGenerate: (options) => thinking.doGenerate(options),
    doStream: (options) => thinking.doStream(options),
    async load() {
      await load();
    },
    async scorePositions(options) {
      return (await scorePositions({ loaded: await load(), reusePrefix, ...options })).distributions;
    },
    async doScoreTokens(options) {
      return scoreTokens({ loaded: await load(), reusePrefix, ...options });
    },
    async tokenize(text) {
      return (await load()).model.tokenize(text, false);
    },
    async detokenize(tokens) {
      return (await load()).model.detokenize(tokens);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const current = loading;
      loading = undefined;
      const loaded = await current?.catch(() => undefined);
      if (loaded) await disposeLlamaModel(loaded);
    },
    [Symbol.asyncDispose]() {
      return self.dispose();
    },
  };
  return self;
}
