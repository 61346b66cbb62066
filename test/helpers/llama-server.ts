import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where `scripts/build-llama-server.sh` caches the binary for the llama.cpp release node-llama-cpp ships. */
export function llamaServerPath(): string | undefined {
  if (process.env.MULL_LLAMA_SERVER) return existsSync(process.env.MULL_LLAMA_SERVER) ? process.env.MULL_LLAMA_SERVER : undefined;
  const info = JSON.parse(readFileSync("node_modules/node-llama-cpp/llama/llama.cpp.info.json", "utf8")) as { tag: string };
  const path = join(process.env.MULL_LLAMA_SERVER_CACHE ?? join(homedir(), ".cache/mull/llama-server"), info.tag, "llama-server");
  return existsSync(path) ? path : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts llama.cpp's server on 127.0.0.1 with a GGUF file; resolves once `/health` answers 200. */
export async function startLlamaServer(options: {
  binary: string;
  model: string;
  slots: number;
  contextPerSlot?: number;
  /** CPU threads. Defaults to 1. */
  threads?: number;
}): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.binary,
    [
      "-m",
      options.model,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "-np",
      String(options.slots),
      "-c",
      String(options.slots * (options.contextPerSlot ?? 512)),
      "-t",
      String(options.threads ?? 1),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk) => {
    log = (log + String(chunk)).slice(-4000);
  });
  const root = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}: ${log}`);
    const ok = await fetch(`${root}/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok)
      return {
        url: `${root}/v1`,
        stop: async () => {
          child.kill("SIGTERM");
          await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
        },
      };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`llama-server did not become healthy: ${log}`);
}
