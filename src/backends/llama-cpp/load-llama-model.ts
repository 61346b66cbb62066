/**
 * Loading for the embedded backend: the file checked first (so a bad path is an error naming the file),
 * node-llama-cpp imported only here, and one context per sequence, each decoding one row at a time: exact
 * (16 parallel greedy samples equal decoding alone, `npm run bench:engine`). Several sequences of one
 * context would share a batch, but with node-llama-cpp 3.21.1's prebuilt CPU build that buys no speed
 * (`scripts/bench-batch-decode.ts`), and llama.cpp multiplies one row with another kernel than several, so
 * batched rows differ from a lone one by rounding, up to about 1e-3 in probability
 * (`scripts/repro-batch-numerics.ts`). For speed, the llama-server engine (`llama-server-process.ts`) runs
 * llama.cpp's own server, built from the same source, beside the in-process contexts.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { ModelLoadError } from "../../core/errors/model-load-error.js";
import { importOptional } from "../../internal/optional-package.js";
import { findLlamaServer, type LlamaServerProcess, startLlamaServerProcess } from "./llama-server-process.js";
import { SequencePool } from "./sequence-pool.js";

export type Token = import("node-llama-cpp").Token;
export type Sequence = import("node-llama-cpp").LlamaContextSequence;

export type LoadedLlamaModel = {
  llama: import("node-llama-cpp").Llama;
  model: import("node-llama-cpp").LlamaModel;
  contexts: import("node-llama-cpp").LlamaContext[];
  pool: SequencePool<Sequence>;
  contextPerSequence: number;
  bos: Token | undefined;
  eos: Token | undefined;
  /** The GGUF's chat template (`tokenizer.chat_template`), where it has one. */
  chatTemplate: string | undefined;
  /** Tokens in the vocabulary, from the GGUF's `tokenizer.ggml.tokens`, where it lists them. */
  vocabularySize: number | undefined;
  /** The llama-server engine's process, when that engine decodes. */
  server?: LlamaServerProcess | undefined;
  /** Starts the server again after it ended (a crash or a kill); the engine's calls go on. */
  restartServer?: (() => Promise<LlamaServerProcess>) | undefined;
};

/** How the llama-server engine runs: its binary (found if absent), slots and threads. */
export type ServerEngineOptions = { binary: string | undefined; slots: number; threads: number };

/** Checks the file before handing it to llama.cpp. */
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

export async function loadLlamaModel(options: {
  modelPath: string;
  gpu: false | "auto";
  sequences: number;
  threads: number;
  contextSizePerSequence: number | undefined;
  /** Decode on llama.cpp's own server process; in-process contexts stay for scoring and exact log-probabilities. */
  server?: ServerEngineOptions | undefined;
}): Promise<LoadedLlamaModel> {
  const { modelPath, sequences, threads } = options;
  checkModelFile(modelPath);
  const { getLlama, LlamaLogLevel } = await importOptional("node-llama-cpp", "The embedded backend", () => import("node-llama-cpp"));
  const llama = await getLlama({ gpu: options.gpu, build: "never", logLevel: LlamaLogLevel.error });
  let model: import("node-llama-cpp").LlamaModel;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (error) {
    throw new ModelLoadError({ path: modelPath, reason: error instanceof Error ? error.message : String(error), cause: error });
  }
  const contextPerSequence = options.contextSizePerSequence ?? Math.min(2048, model.trainContextSize);
  const contexts: import("node-llama-cpp").LlamaContext[] = [];
  for (let index = 0; index < sequences; index++)
    contexts.push(await model.createContext({ contextSize: contextPerSequence, sequences: 1, threads, batchSize: contextPerSequence }));
  const pool = new SequencePool(contexts.map((context) => context.getSequence()));
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  const loaded: LoadedLlamaModel = {
    llama,
    model,
    contexts,
    pool,
    contextPerSequence,
    bos: model.tokens.bos ?? undefined,
    eos: model.tokens.eos ?? undefined,
    chatTemplate: typeof template === "string" ? template : undefined,
    vocabularySize: model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length,
  };
  if (options.server) {
    const binary = options.server.binary ?? findLlamaServer();
    if (!binary) {
      await disposeLlamaModel(loaded);
      throw new ModelLoadError({
        path: modelPath,
        reason:
          "the llama-server engine needs llama.cpp's server, not built here: run `npm run build:llama-server` (once, about 40 minutes on 2 cores) or set MULL_LLAMA_SERVER",
      });
    }
    const { slots, threads } = options.server;
    const start = () => startLlamaServerProcess({ binary, modelPath, slots, contextPerSlot: contextPerSequence, threads });
    let restarting: Promise<LlamaServerProcess> | undefined;
    loaded.restartServer = () => {
      restarting ??= start().then(
        (server) => {
          loaded.server = server;
          restarting = undefined;
          return server;
        },
        (error: unknown) => {
          restarting = undefined;
          throw error;
        },
      );
      return restarting;
    };
    try {
      loaded.server = await start();
    } catch (error) {
      await disposeLlamaModel(loaded);
      throw error;
    }
  }
  return loaded;
}

export async function disposeLlamaModel(loaded: LoadedLlamaModel): Promise<void> {
  await loaded.server?.stop();
  for (const context of loaded.contexts) await context.dispose();
  await loaded.model.dispose();
}

/** `text` as the model's tokens, with BOS first where the model has one; `specialTokens` reads control tokens written in it (a chat template's). */
export function tokenizeWithBos(loaded: LoadedLlamaModel, text: string, specialTokens = false): Token[] {
  return [...(loaded.bos !== undefined ? [loaded.bos] : []), ...loaded.model.tokenize(text, specialTokens)];
}
