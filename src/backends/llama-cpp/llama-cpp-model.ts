/**
 * Embedded llama.cpp backend through node-llama-cpp (loaded lazily, only here).
 *
 * `n` candidates run concurrently, each on a sequence of its own context. One context with several
 * sequences would batch them, but with node-llama-cpp 3.21.1 on CPU that path gave wrong results for
 * the bundled model: greedy completions decoded beside other sequences differed from the same
 * completion decoded alone, with probability-1 tokens flipping (scratch test: 77 of 128 agreed),
 * whatever the KV cache type, flash attention or batch size. One sequence per context matches
 * PyTorch to 4e-4 (the parity test). Tokens are drawn in JavaScript from the full next-token
 * distribution, which gives exact log-probabilities and reproducible seeds.
 *
 * A sequence keeps what it evaluated after a call ends; the next candidate takes the free sequence
 * whose tokens share the longest prefix with its prompt and evaluates only the rest (step-level search
 * continues the same partial solution many times). `npm run bench:prefix-reuse` measures what it saves.
 */
import { setMaxListeners } from "node:events";
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CallOptions, ChatMessage } from "../../core/call-options.js";
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import { DisposedError } from "../../core/errors/disposed-error.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { ModelLoadError } from "../../core/errors/model-load-error.js";
import type { Completion, FinishReason, GenerateResult, TokenLogprob } from "../../core/generate-result.js";
import type { LanguageModel } from "../../core/language-model.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { Warning } from "../../core/warning.js";
import { importOptional } from "../../internal/optional-package.js";
import { sampleToken } from "../../internal/sample-token.js";
import { createRandom } from "../../internal/seeded-random.js";
import { validateCallOptions } from "../../internal/validate-call-options.js";
import { SequencePool } from "./sequence-pool.js";

/** The bundled policy model, shipped inside the package. */
export const BUNDLED_POLICY_MODEL = fileURLToPath(new URL("../../../models/mull-tiny-policy.gguf", import.meta.url));
/** The bundled process reward model. */
export const BUNDLED_PRM_MODEL = fileURLToPath(new URL("../../../models/mull-tiny-prm.gguf", import.meta.url));

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
  /** Candidates generated at once, each in a context of its own. Defaults to `4`. */
  sequences?: number;
  /** Tokens of context per sequence. Defaults to the model's training context, at most `2048`. */
  contextSizePerSequence?: number;
  /** `false` for CPU only, `"auto"` to use a GPU where there is one. Defaults to `false`. */
  gpu?: false | "auto";
  /** Default generation cap when a call sets no `maxTokens`. Defaults to `256`. */
  defaultMaxTokens?: number;
  /** Wraps a bare problem for this model. Defaults to `Q: <problem>\nA: ` (the bundled models' format). */
  formatProblem?: (problem: string) => string;
  /** Ends one reasoning step in this model's solutions. Defaults to `"\n"` (the bundled models' format). */
  stepDelimiter?: string;
  /**
   * Reuse the evaluated prefix a sequence already holds when a new prompt starts with it, instead of
   * evaluating the whole prompt again. Defaults to `true`.
   */
  reusePrefix?: boolean;
};

export type LlamaCppModel = LanguageModel & {
  /** Loads the model now (it otherwise loads on first use). */
  load(): Promise<void>;
  /** Next-token probabilities after each listed position of `text` (one pass), for scoring. */
  scorePositions(options: { text: string; positions: number[]; abortSignal?: AbortSignal }): Promise<Map<Token, number>[]>;
  /** Tokens of `text` as this model's tokenizer splits it (without BOS). */
  tokenize(text: string): Promise<Token[]>;
  detokenize(tokens: Token[]): Promise<string>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

type Token = import("node-llama-cpp").Token;

type Loaded = {
  llama: import("node-llama-cpp").Llama;
  model: import("node-llama-cpp").LlamaModel;
  contexts: import("node-llama-cpp").LlamaContext[];
  pool: SequencePool<import("node-llama-cpp").LlamaContextSequence>;
  contextPerSequence: number;
  bos: Token | undefined;
  eos: Token | undefined;
  hasChatTemplate: boolean;
};

const defaultFormatProblem = (problem: string): string => `Q: ${problem}\nA: `;

/** Checks the file before handing it to llama.cpp, so that a bad path is an error that names the file. */
function checkModelFile(path: string): void {
  if (!existsSync(path)) throw new ModelLoadError({ path, reason: "the file does not exist" });
  const stats = statSync(path);
  if (!stats.isFile()) throw new ModelLoadError({ path, reason: "not a file" });
  const handle = openSync(path, "r");
  try {
    const magic = Buffer.alloc(4);
    const read = readSync(handle, magic, 0, 4, 0);
    if (read < 4 || magic.toString("latin1") !== "GGUF") throw new ModelLoadError({ path, reason: "not a GGUF file (bad magic bytes)" });
  } finally {
    closeSync(handle);
  }
}

export function createLlamaCppModel(settings: LlamaCppModelSettings = {}): LlamaCppModel {
  const modelPath = settings.modelPath ?? BUNDLED_POLICY_MODEL;
  const modelId = settings.modelId ?? (modelPath.split("/").at(-1) ?? "model").replace(/\.gguf$/i, "");
  const sequences = settings.sequences ?? 4;
  const threads = settings.threads ?? 1;
  const defaultMaxTokens = settings.defaultMaxTokens ?? 256;
  const formatProblem = settings.formatProblem ?? defaultFormatProblem;
  const reusePrefix = settings.reusePrefix ?? true;
  if (!Number.isInteger(sequences) || sequences < 1 || sequences > 256)
    throw new InvalidArgumentError({ parameter: "sequences", value: sequences, message: "must be an integer from 1 to 256" });
  if (!Number.isInteger(threads) || threads < 1)
    throw new InvalidArgumentError({ parameter: "threads", value: threads, message: "must be a positive integer" });
  let loading: Promise<Loaded> | undefined;
  let disposed = false;

  const load = (): Promise<Loaded> => {
    if (disposed) return Promise.reject(new DisposedError({ what: `llama.cpp model ${modelId}` }));
    loading ??= (async () => {
      checkModelFile(modelPath);
      const { getLlama, LlamaLogLevel } = await importOptional("node-llama-cpp", "The embedded backend", () => import("node-llama-cpp"));
      const llama = await getLlama({ gpu: settings.gpu ?? false, build: "never", logLevel: LlamaLogLevel.error });
      let model: import("node-llama-cpp").LlamaModel;
      try {
        model = await llama.loadModel({ modelPath });
      } catch (error) {
        throw new ModelLoadError({ path: modelPath, reason: error instanceof Error ? error.message : String(error), cause: error });
      }
      const contextPerSequence = settings.contextSizePerSequence ?? Math.min(2048, model.trainContextSize);
      const contexts: import("node-llama-cpp").LlamaContext[] = [];
      for (let index = 0; index < sequences; index++)
        contexts.push(await model.createContext({ contextSize: contextPerSequence, sequences: 1, threads, batchSize: contextPerSequence }));
      const pool = new SequencePool(contexts.map((context) => context.getSequence()));
      const hasChatTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === "string";
      return { llama, model, contexts, pool, contextPerSequence, bos: model.tokens.bos ?? undefined, eos: model.tokens.eos ?? undefined, hasChatTemplate };
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  /** Renders chat messages for a model without a chat template: the last user message, as a problem. */
  const renderPrompt = (prompt: string | ChatMessage[], warnings: Warning[]): string => {
    if (typeof prompt === "string") return prompt;
    const lastUser = [...prompt].reverse().find((message) => message.role === "user");
    if (!lastUser || typeof lastUser.content !== "string")
      throw new InvalidArgumentError({ parameter: "messages", message: "needs at least one user message with text content" });
    if (prompt.length > 1)
      warnings.push({ type: "unsupported", feature: "chat-history", details: "the embedded model has no chat template; only the last user message was used" });
    return formatProblem(lastUser.content);
  };

  async function* generateAll(options: CallOptions): AsyncGenerator<StreamPart> {
    validateCallOptions(options);
    const loaded = await load();
    const warnings: Warning[] = [];
    const text = renderPrompt(options.prompt, warnings);
    const promptTokens = [...(loaded.bos !== undefined ? [loaded.bos] : []), ...loaded.model.tokenize(text, false)];
    const room = loaded.contextPerSequence - promptTokens.length;
    if (room < 1)
      throw new InvalidArgumentError({
        parameter: "prompt",
        message: `is ${promptTokens.length} tokens; the context holds ${loaded.contextPerSequence} per sequence`,
      });
    let maxTokens = options.maxTokens ?? defaultMaxTokens;
    if (maxTokens > room) {
      warnings.push({ type: "other", message: `maxTokens lowered from ${maxTokens} to ${room} to fit the context` });
      maxTokens = room;
    }
    yield { type: "stream-start", warnings };
    const n = options.n ?? 1;
    const temperature = options.temperature ?? 1;
    const topP = options.topP ?? 1;
    const baseSeed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    const stops = options.stop ?? [];
    const signal = options.abortSignal;
    // Every candidate waiting for a sequence listens on the signal; that is expected, not a leak.
    if (signal) setMaxListeners(Math.max(20, n + 10), signal);
    const started = Date.now();
    // Parts from all candidates are merged into one queue, so that the stream interleaves them.
    const queue: StreamPart[] = [];
    let wake: (() => void) | undefined;
    const push = (part: StreamPart) => {
      queue.push(part);
      wake?.();
    };
    const completions: Completion[] = [];
    let generatedTokens = 0;
    let evaluatedPromptTokens = 0;
    let cachedPromptTokens = 0;

    const runCandidate = async (index: number): Promise<void> => {
      const random = createRandom(baseSeed + index * 7919);
      let sequence: import("node-llama-cpp").LlamaContextSequence | undefined;
      let finishReason: FinishReason = "length";
      let stoppedBy: "end-of-text" | "stop-sequence" | undefined;
      let stopSequence: string | undefined;
      let produced = "";
      let emitted = 0;
      const tokens: Token[] = [];
      const logprobs: TokenLogprob[] = [];
      try {
        // At least the prompt's last token is evaluated again: its next-token distribution is needed.
        const claimed = await claimSequence(loaded, promptTokens, promptTokens.length - 1, signal);
        sequence = claimed.sequence;
        const reused = claimed.reused;
        evaluatedPromptTokens += promptTokens.length;
        cachedPromptTokens += reused;
        let input: import("node-llama-cpp").ControlledEvaluateInputItem[] = promptTokens.slice(reused);
        while (tokens.length < maxTokens) {
          if (signal?.aborted) {
            finishReason = "abort";
            break;
          }
          const last = input.length - 1;
          input[last] = [input[last] as Token, { generateNext: { probabilities: true } }];
          const output = await sequence.controlledEvaluate(input);
          const probabilities = output[last]?.next?.probabilities;
          if (!probabilities) throw new BackendCallError({ message: "llama.cpp returned no next-token probabilities", isRetryable: false });
          const token = sampleToken({ probabilities, temperature, topP, random }) as Token;
          if (token === loaded.eos || loaded.model.isEogToken(token)) {
            finishReason = "stop";
            stoppedBy = "end-of-text";
            break;
          }
          tokens.push(token);
          generatedTokens++;
          produced = loaded.model.detokenize(tokens);
          let stopAt = -1;
          for (const stop of stops) {
            const at = produced.indexOf(stop, Math.max(0, emitted - stop.length));
            if (at !== -1 && (stopAt === -1 || at < stopAt)) {
              stopAt = at;
              stopSequence = stop;
            }
          }
          if (options.logprobs) {
            const top = options.topLogprobs
              ? [...probabilities.entries()]
                  .sort((a, b) => b[1] - a[1])
                  .slice(0, options.topLogprobs)
                  .map(([id, probability]) => ({ token: loaded.model.detokenize([id]), logprob: Math.log(Math.max(probability, Number.MIN_VALUE)) }))
              : undefined;
            logprobs.push({
              token: loaded.model.detokenize([token]),
              logprob: Math.log(Math.max(probabilities.get(token) ?? 0, Number.MIN_VALUE)),
              ...(top ? { topLogprobs: top } : {}),
            });
          }
          if (stopAt !== -1) {
            produced = produced.slice(0, stopAt);
            finishReason = "stop";
            stoppedBy = "stop-sequence";
          }
          // Hold back text that may be the start of a stop sequence.
          const holdBack = finishReason === "stop" ? 0 : stops.reduce((hold, stop) => Math.max(hold, longestStopPrefix(produced, stop)), 0);
          const safeEnd = produced.length - holdBack;
          if (safeEnd > emitted) {
            push({ type: "text-delta", index, delta: produced.slice(emitted, safeEnd), ...(options.logprobs ? { logprobs: logprobs.slice(-1) } : {}) });
            emitted = safeEnd;
          }
          if (finishReason === "stop") break;
          input = [token];
        }
        if (produced.length > emitted) push({ type: "text-delta", index, delta: produced.slice(emitted) });
      } catch (error) {
        // A sequence left mid-evaluation may hold a partial state: start it afresh.
        if (sequence) await sequence.clearHistory().catch(() => {});
        if (signal?.aborted) finishReason = "abort";
        else throw error;
      } finally {
        if (sequence) {
          if (!reusePrefix) await sequence.clearHistory().catch(() => {});
          loaded.pool.release(sequence);
        }
      }
      completions[index] = {
        text: produced,
        finishReason,
        completionTokens: tokens.length,
        ...(stoppedBy ? { stoppedBy } : {}),
        ...(stoppedBy === "stop-sequence" && stopSequence !== undefined ? { stopSequence } : {}),
        ...(options.logprobs ? { logprobs } : {}),
      };
      push({
        type: "completion-end",
        index,
        finishReason,
        completionTokens: tokens.length,
        ...(stoppedBy ? { stoppedBy } : {}),
        ...(stoppedBy === "stop-sequence" && stopSequence !== undefined ? { stopSequence } : {}),
      });
    };

    let failure: unknown;
    let settled = 0;
    for (let index = 0; index < n; index++) {
      runCandidate(index)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          settled++;
          wake?.();
        });
    }
    while (settled < n || queue.length > 0) {
      const part = queue.shift();
      if (part) {
        yield part;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    if (failure) throw failure;
    yield {
      type: "end",
      usage: { promptTokens: evaluatedPromptTokens, cachedPromptTokens, completionTokens: generatedTokens, calls: 1, wallMs: Date.now() - started },
    };
  }

  /**
   * Takes the free sequence holding the longest prefix of `tokens` (any free one without prefix reuse) and
   * erases what it holds past that prefix, at most `mostReused` tokens. Returns how many tokens it kept.
   */
  async function claimSequence(loaded: Loaded, tokens: Token[], mostReused: number, signal: AbortSignal | undefined) {
    const sequence = await loaded.pool.acquire(signal, reusePrefix ? (held) => sharedPrefixLength(held.contextTokens, tokens) : undefined);
    try {
      const reused = reusePrefix ? Math.max(0, Math.min(sharedPrefixLength(sequence.contextTokens, tokens), mostReused)) : 0;
      if (sequence.contextTokens.length > reused) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
      return { sequence, reused };
    } catch (error) {
      await sequence.clearHistory().catch(() => {});
      loaded.pool.release(sequence);
      throw error;
    }
  }

  /** Next-token distributions after `positions` of `text`, evaluating only what no free sequence already holds. */
  async function scoreWithUsage({ text, positions, abortSignal }: { text: string; positions: number[]; abortSignal?: AbortSignal }) {
    const loaded = await load();
    const tokens = [...(loaded.bos !== undefined ? [loaded.bos] : []), ...loaded.model.tokenize(text, false)];
    const wanted = positions.map((position) => position + (loaded.bos !== undefined ? 1 : 0));
    if (tokens.length > loaded.contextPerSequence)
      throw new InvalidArgumentError({
        parameter: "text",
        message: `is ${tokens.length} tokens; the context holds ${loaded.contextPerSequence} per sequence`,
      });
    // Positions before the first wanted one may come from a sequence's cache; wanted ones are evaluated.
    const { sequence, reused } = await claimSequence(loaded, tokens, Math.min(tokens.length - 1, ...wanted), abortSignal);
    try {
      const wantedSet = new Set(wanted);
      const input = tokens
        .slice(reused)
        .map((token, index) => (wantedSet.has(index + reused) ? ([token, { generateNext: { probabilities: true } }] as const) : token));
      const output = await sequence.controlledEvaluate(input as import("node-llama-cpp").ControlledEvaluateInputItem[]);
      return {
        distributions: wanted.map((index) => output[index - reused]?.next?.probabilities ?? new Map<Token, number>()),
        usage: { promptTokens: tokens.length, cachedPromptTokens: reused },
      };
    } catch (error) {
      await sequence.clearHistory().catch(() => {});
      throw error;
    } finally {
      if (!reusePrefix) await sequence.clearHistory().catch(() => {});
      loaded.pool.release(sequence);
    }
  }

  const self: LlamaCppModel = {
    specificationVersion: "v1",
    provider: "llama-cpp",
    modelId,
    formatProblem,
    supportsRawPrompt: true,
    stepDelimiter: settings.stepDelimiter ?? "\n",
    async doGenerate(options) {
      const texts: string[] = [];
      const finished: Completion[] = [];
      const logprobs: TokenLogprob[][] = [];
      let warnings: Warning[] = [];
      let result: GenerateResult | undefined;
      for await (const part of generateAll(options)) {
        if (part.type === "stream-start") warnings = part.warnings;
        else if (part.type === "text-delta") {
          texts[part.index] = (texts[part.index] ?? "") + part.delta;
          if (part.logprobs) {
            const list = logprobs[part.index] ?? [];
            list.push(...part.logprobs);
            logprobs[part.index] = list;
          }
        } else if (part.type === "completion-end") {
          finished[part.index] = {
            text: texts[part.index] ?? "",
            finishReason: part.finishReason,
            completionTokens: part.completionTokens,
            ...(part.stoppedBy ? { stoppedBy: part.stoppedBy } : {}),
            ...(part.stopSequence !== undefined ? { stopSequence: part.stopSequence } : {}),
            ...(options.logprobs ? { logprobs: logprobs[part.index] ?? [] } : {}),
          };
        } else if (part.type === "end") result = { completions: finished, usage: part.usage, warnings };
      }
      if (!result) throw new BackendCallError({ message: "generation ended without a result", isRetryable: false });
      return result;
    },
    async doStream(options) {
      const iterator = generateAll(options);
      return new ReadableStream<StreamPart>({
        async pull(controller) {
          try {
            const { value, done } = await iterator.next();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            controller.enqueue({ type: "error", error });
            controller.close();
          }
        },
        async cancel() {
          await iterator.return(undefined);
        },
      });
    },
    async load() {
      await load();
    },
    async scorePositions(options) {
      return (await scoreWithUsage(options)).distributions;
    },
    async doScoreTokens({ text, offsets, tokens, abortSignal }) {
      const loaded = await load();
      const ids = loaded.model.tokenize(text, false);
      // Map character offsets to token positions (the token that ends at the offset).
      const ends: number[] = [];
      let decoded = "";
      for (const id of ids) {
        decoded += loaded.model.detokenize([id]);
        ends.push(decoded.length);
      }
      const positions = offsets.map((offset) => {
        const position = ends.indexOf(offset);
        if (position === -1)
          throw new InvalidArgumentError({ parameter: "offsets", value: offset, message: `offset ${offset} does not fall on a token boundary` });
        return position;
      });
      const candidateIds = tokens.map((token) => {
        const tokenIds = loaded.model.tokenize(token, false);
        if (tokenIds.length !== 1)
          throw new InvalidArgumentError({ parameter: "tokens", value: token, message: `${JSON.stringify(token)} is not a single token of this model` });
        return tokenIds[0] as Token;
      });
      const { distributions, usage } = await scoreWithUsage({ text, positions, ...(abortSignal ? { abortSignal } : {}) });
      return { probabilities: distributions.map((distribution) => candidateIds.map((id) => distribution.get(id) ?? 0)), usage };
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
      if (current) {
        const loaded = await current.catch(() => undefined);
        for (const context of loaded?.contexts ?? []) await context.dispose();
        await loaded?.model.dispose();
      }
    },
    [Symbol.asyncDispose]() {
      return self.dispose();
    },
  };
  return self;
}

/** Length of the longest suffix of `text` that is a proper prefix of `stop`. */
function longestStopPrefix(text: string, stop: string): number {
  for (let length = Math.min(stop.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(stop.slice(0, length))) return length;
  }
  return 0;
}

function sharedPrefixLength(held: readonly Token[], tokens: readonly Token[]): number {
  const limit = Math.min(held.length, tokens.length);
  let length = 0;
  while (length < limit && held[length] === tokens[length]) length++;
  return length;
}
