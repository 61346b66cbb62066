import { findLlamaServer, startLlamaServerProcess } from "../../src/backends/llama-cpp/llama-server-process.js";

/** Where `scripts/build-llama-server.sh` caches the binary for the llama.cpp release node-llama-cpp ships. */
export const llamaServerPath = findLlamaServer;

/** Starts llama.cpp's server on 127.0.0.1 with a GGUF file; resolves once `/health` answers 200. */
export async function startLlamaServer(options: {
  binary: string;
  model: string;
  slots: number;
  /** Defaults to 512. */
  contextPerSlot?: number;
  /** CPU threads. Defaults to 1. */
  threads?: number;
  /** `--poll`. Defaults to 0. */
  poll?: number;
  /** More arguments (`--jinja`, ...). */
  extraArgs?: readonly string[];
}): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await startLlamaServerProcess({
    binary: options.binary,
    modelPath: options.model,
    slots: options.slots,
    contextPerSlot: options.contextPerSlot ?? 512,
    threads: options.threads ?? 1,
    ...(options.poll !== undefined ? { poll: options.poll } : {}),
    ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
  });
  return { url: `${server.root}/v1`, stop: () => server.stop() };
}
