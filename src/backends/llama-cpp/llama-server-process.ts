/**
 * llama.cpp's own `llama-server`, built from the llama.cpp source node-llama-cpp ships
 * (`scripts/build-llama-server.sh`, cached outside the repository), run as a child process of the embedded
 * backend: its batched decoding of many sequences is about 4 times what node-llama-cpp 3.21.1's prebuilt
 * binaries reach on a 2-core CPU (`npm run bench:engine`). It listens on 127.0.0.1 only and dies with its model.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ModelLoadError } from "../../core/errors/model-load-error.js";

/** The llama.cpp release node-llama-cpp ships (the cache is keyed by it), or undefined without node-llama-cpp. */
function bundledRelease(): string | undefined {
  let folder: string;
  try {
    // Its entry point (dist/index.js); the package does not export its package.json.
    folder = dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  } catch {
    return undefined;
  }
  for (; dirname(folder) !== folder; folder = dirname(folder)) {
    const info = join(folder, "llama", "llama.cpp.info.json");
    if (existsSync(info)) return (JSON.parse(readFileSync(info, "utf8")) as { tag: string }).tag;
  }
  return undefined;
}

/**
 * Where the binary is: `MULL_LLAMA_SERVER` if set, else `scripts/build-llama-server.sh`'s cache
 * (`${MULL_LLAMA_SERVER_CACHE:-~/.cache/mull/llama-server}/<release>/llama-server`). Undefined when not built.
 */
export function findLlamaServer(): string | undefined {
  if (process.env.MULL_LLAMA_SERVER) return existsSync(process.env.MULL_LLAMA_SERVER) ? process.env.MULL_LLAMA_SERVER : undefined;
  const release = bundledRelease();
  if (!release) return undefined;
  const path = join(process.env.MULL_LLAMA_SERVER_CACHE ?? join(homedir(), ".cache", "mull", "llama-server"), release, "llama-server");
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

export type LlamaServerProcess = {
  /** `http://127.0.0.1:<port>`, without `/v1`. */
  readonly root: string;
  readonly pid: number | undefined;
  /** Whether the process has ended (stopped, crashed or killed). */
  readonly exited: boolean;
  /** Resolves when the process ends. */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
};

/** Children still running, killed if this process exits without disposing its models. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts the server on 127.0.0.1 with a GGUF file; resolves once `/health` answers 200 (at most `startTimeoutMs`). */
export async function startLlamaServerProcess(options: {
  binary: string;
  modelPath: string;
  /** Sequences decoded together (`-np`). */
  slots: number;
  /** Tokens of context per slot. */
  contextPerSlot: number;
  threads: number;
  /**
   * How hard its threads poll for the next decode, 0 to 100 (`--poll`). Defaults to `0`: threads that keep
   * polling after a decode take the cores from everything else on a small machine (another server, Node's
   * own thread), which cost the server beside it two thirds of its speed in `npm run bench:engine`.
   */
  poll?: number;
  /** Defaults to 60000. */
  startTimeoutMs?: number;
  /** More command-line arguments (`--jinja`, `--reasoning-format deepseek` to serve a chat model as an upstream). Defaults to none. */
  extraArgs?: readonly string[];
}): Promise<LlamaServerProcess> {
  const port = await freePort();
  const args = ["-m", options.modelPath, "--host", "127.0.0.1", "--port", String(port), "-np", String(options.slots)];
  args.push(
    "-c",
    String(options.slots * options.contextPerSlot),
    "-t",
    String(options.threads),
    "--poll",
    String(options.poll ?? 0),
    "--no-webui",
    ...(options.extraArgs ?? []),
  );
  const child = spawn(options.binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  const ended = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void ended.then(() => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const process of running) process.kill("SIGKILL");
    });
  }
  let log = "";
  child.stderr?.on("data", (chunk) => {
    log = (log + String(chunk)).slice(-4000);
  });
  const spawnFailure = new Promise<never>((_, reject) => child.once("error", reject));
  spawnFailure.catch(() => {});
  const root = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${log.trim().split("\n").slice(-3).join(" | ")}`);
      const healthy = await Promise.race([
        fetch(`${root}/health`).then(
          (response) => response.ok,
          () => false,
        ),
        spawnFailure,
      ]);
      if (healthy)
        return {
          root,
          pid: child.pid,
          get exited() {
            return child.exitCode !== null || child.signalCode !== null;
          },
          ended,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
          },
        };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("did not become healthy in time");
  } catch (error) {
    child.kill("SIGKILL");
    throw new ModelLoadError({
      path: options.modelPath,
      reason: `llama-server (${options.binary}) ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}
