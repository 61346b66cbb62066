/**
 * One sandbox process: started warm (runtime loaded), used for one run, then killed. The parent enforces the
 * wall-time and memory limits from outside (SIGKILL to the process group), so nothing the code does inside
 * can outlast them; the child enforces the output limit, and the parent caps what it reads as a backstop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import type { SandboxExitReason, SandboxLanguage, SandboxRunResult } from "../core/code-sandbox.js";
import type { ChildRequest, ChildResult } from "./child-protocol.js";
import { treeResidentBytes } from "./process-memory.js";
import { cpuLimitPrefix, namespaceArgs, nodeArguments } from "./sandbox-isolation.js";

const memoryPollMs = 20;
const startTimeoutMs = 60_000;
const diagnosticsLimit = 8192;

type Message =
  | { type: "ready" }
  | ({ type: "result"; token: string } & ChildResult)
  | { type: "failed"; error: string; token?: string }
  | { type: "output"; stream: "stdout" | "stderr"; text: string };

export type ProcessRunOptions = Omit<ChildRequest, "token"> & { timeoutMs: number; memoryMb: number; signal?: AbortSignal };

export class SandboxProcess {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly messages: Message[] = [];
  private notify: (() => void) | undefined;
  private exited = false;
  private diagnostics = "";
  private protocolBytes = 0;
  /** What the child may write on the protocol descriptor: its start messages, then a run's output with JSON's escapes. */
  private protocolLimit = 1024 * 1024;
  private flooded = false;
  private token = "";
  private readonly output = { stdout: "", stderr: "", bytes: 0, limit: Number.POSITIVE_INFINITY };

  constructor(options: { language: SandboxLanguage; heapMb: number; launcher: string | undefined }) {
    const node = [process.execPath, ...nodeArguments({ heapMb: options.heapMb }), options.language];
    const command = [...cpuLimitPrefix(), ...(options.launcher ? [options.launcher, ...namespaceArgs] : []), ...node];
    this.child = spawn(command[0] as string, command.slice(1), { env: {}, cwd: "/", stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
    this.child.stdin?.on("error", () => {});
    for (const stream of [this.child.stdout, this.child.stderr]) stream?.on("data", (chunk: Buffer) => this.keepDiagnostics(chunk));
    this.readProtocol(this.child.stdio[3] as Readable);
    this.child.on("exit", () => {
      this.exited = true;
      this.notify?.();
    });
    this.child.on("error", (error) => {
      this.diagnostics += `${error.message}\n`;
      this.exited = true;
      this.notify?.();
    });
    this.ready = this.waitForReady();
    this.ready.catch(() => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }

  async run(options: ProcessRunOptions): Promise<Omit<SandboxRunResult, "language">> {
    await this.ready;
    this.output.limit = options.outputLimitBytes;
    this.protocolLimit = this.protocolBytes + 6 * options.outputLimitBytes + 1024 * 1024;
    this.token = randomUUID();
    const started = performance.now();
    let limitHit: SandboxExitReason | undefined;
    let peak = 0;
    const stop = (reason: SandboxExitReason) => {
      limitHit ??= reason;
      this.kill();
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const poll = setInterval(() => {
      const bytes = this.child.pid === undefined ? undefined : treeResidentBytes(this.child.pid);
      if (bytes === undefined) return;
      peak = Math.max(peak, bytes);
      if (bytes > options.memoryMb * 1024 * 1024) stop("memory");
    }, memoryPollMs);
    const onAbort = () => stop("crashed");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const { timeoutMs: _t, memoryMb: _m, signal: _s, ...request } = options;
      (this.child.stdin as Writable).write(`${JSON.stringify({ ...request, token: this.token })}\n`);
      const message = await this.next((candidate) => candidate.type === "result" || candidate.type === "failed");
      if (this.flooded) limitHit ??= "output-limit";
      options.signal?.throwIfAborted();
      const durationMs = performance.now() - started;
      const memory = peak > 0 ? { memoryBytes: peak } : {};
      const { stdout, stderr } = this.output;
      if (message?.type === "result" && !limitHit) {
        const { type: _type, token: _token, ...result } = message;
        return { ...result, stdout, stderr, durationMs, ...memory };
      }
      return {
        exitReason: limitHit ?? "crashed",
        stdout,
        stderr,
        error: limitHit ? describeLimit(limitHit, options) : message?.type === "failed" ? message.error : this.crashDescription(),
        durationMs,
        ...memory,
      };
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
      options.signal?.removeEventListener("abort", onAbort);
      this.kill();
    }
  }

  private async waitForReady(): Promise<void> {
    const timer = setTimeout(() => this.kill(), startTimeoutMs);
    try {
      const message = await this.next((candidate) => candidate.type === "ready" || candidate.type === "failed");
      if (message?.type !== "ready")
        throw new Error(`the sandbox process did not start: ${message?.type === "failed" ? message.error : this.crashDescription()}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The first message matching `accept`, or undefined once the process has exited without one. */
  private async next(accept: (message: Message) => boolean): Promise<Message | undefined> {
    for (;;) {
      const index = this.messages.findIndex(accept);
      if (index >= 0) return this.messages.splice(index, 1)[0];
      if (this.exited) return undefined;
      await new Promise<void>((resolve) => {
        this.notify = resolve;
      });
    }
  }

  private readProtocol(stream: Readable) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.protocolBytes += chunk.length;
      // Model code can write to this descriptor too; a flood of it ends the run like too much output.
      if (this.protocolBytes > this.protocolLimit) {
        this.flooded = true;
        return this.kill();
      }
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        try {
          this.receive(JSON.parse(line) as Message);
        } catch {
          // Not ours (written by the code): ignored.
        }
      }
      this.notify?.();
    });
    stream.on("error", () => {});
  }

  private receive(message: Message) {
    // A result or failure without this run's token was written by the code, not by the child: not the run's.
    const started = this.token !== "";
    if ((message.type === "result" || (message.type === "failed" && started)) && message.token !== this.token) return;
    if (message.type !== "output") return void this.messages.push(message);
    // The child keeps to the limit; this only guards against output written past it by other means.
    const size = Buffer.byteLength(message.text);
    if (this.output.bytes + size > this.output.limit) {
      this.flooded = true;
      return this.kill();
    }
    this.output.bytes += size;
    this.output[message.stream] += message.text;
  }

  private keepDiagnostics(chunk: Buffer) {
    if (this.diagnostics.length < diagnosticsLimit) this.diagnostics += chunk.toString("utf8").slice(0, diagnosticsLimit - this.diagnostics.length);
  }

  private crashDescription(): string {
    const last = this.diagnostics.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
    return `the sandbox process exited without a result${last ? `: ${last}` : ""}`;
  }
}

function describeLimit(reason: SandboxExitReason, options: ProcessRunOptions): string {
  if (reason === "timeout") return `ran past ${options.timeoutMs} ms`;
  if (reason === "memory") return `used more than ${options.memoryMb} MiB`;
  if (reason === "output-limit") return `output over ${options.outputLimitBytes} bytes`;
  return "cancelled";
}
