/**
 * `createSandbox()`: runs model-written Python (Pyodide) and JavaScript (QuickJS), each run in a fresh
 * process taken from a warm pool, under wall-time, memory and output limits. See `sandbox-child.ts` for
 * what contains the code.
 */
import { availableParallelism } from "node:os";
import type { CodeSandbox, SandboxLanguage, SandboxRunRequest, SandboxRunResult } from "../core/code-sandbox.js";
import { DisposedError } from "../core/errors/disposed-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { namespaceLauncher, type SandboxIsolation } from "./sandbox-isolation.js";
import { type SandboxOptions, sandboxOptionsSchema, sandboxRequestSchema } from "./sandbox-options.js";
import { SandboxProcess } from "./sandbox-process.js";

export type Sandbox = CodeSandbox & {
  /** How runs are contained here: `namespaces` (no network, own PID space) or `process` (permission model only). */
  readonly isolation: SandboxIsolation;
};

function parse<Schema extends import("zod").ZodType>(schema: Schema, value: unknown, parameter: string): import("zod").output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${parameter}.${issue.path.join(".")}` : parameter;
  throw new InvalidArgumentError({ parameter: field, message: issue?.message ?? "invalid" });
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const settings = parse(sandboxOptionsSchema, options, "sandbox options");
  const launcher = settings.isolation === "process" ? undefined : namespaceLauncher();
  if (settings.isolation === "namespaces" && !launcher)
    throw new InvalidArgumentError({
      parameter: "isolation",
      value: "namespaces",
      message: "this host does not allow unprivileged user, network and PID namespaces (unshare)",
    });
  const isolation: SandboxIsolation = launcher ? "namespaces" : "process";
  const concurrency = settings.concurrency ?? availableParallelism();
  // Heap for the JavaScript side of the process; the memory limit is enforced on the whole process from outside.
  const heapMb = Math.max(256, settings.memoryMb);
  const warm = new Map<SandboxLanguage, SandboxProcess[]>();
  const live = new Set<SandboxProcess>();
  let running = 0;
  const waiting: (() => void)[] = [];
  let closed = false;

  const start = (language: SandboxLanguage) => {
    const started = new SandboxProcess({ language, heapMb, launcher });
    live.add(started);
    return started;
  };
  const refill = (language: SandboxLanguage) => {
    const pool = warm.get(language) ?? [];
    while (!closed && pool.length < settings.warm) pool.push(start(language));
    warm.set(language, pool);
  };
  const take = (language: SandboxLanguage) => {
    const taken = warm.get(language)?.shift() ?? start(language);
    refill(language);
    return taken;
  };

  async function run(request: SandboxRunRequest): Promise<SandboxRunResult> {
    if (closed) throw new DisposedError({ what: "sandbox" });
    const checked = parse(sandboxRequestSchema, request, "request");
    checked.signal?.throwIfAborted();
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    const sandboxProcess = take(checked.language);
    try {
      const memoryMb = checked.memoryMb ?? settings.memoryMb;
      const result = await sandboxProcess.run({
        code: checked.code,
        stdin: checked.stdin,
        files: checked.files,
        outputLimitBytes: checked.outputLimitBytes ?? settings.outputLimitBytes,
        memoryBytes: memoryMb * 1024 * 1024,
        memoryMb,
        timeoutMs: checked.timeoutMs ?? settings.timeoutMs,
        ...(checked.signal ? { signal: checked.signal } : {}),
      });
      return { language: checked.language, ...result };
    } finally {
      live.delete(sandboxProcess);
      running--;
      waiting.shift()?.();
    }
  }

  return {
    isolation,
    run,
    async close() {
      closed = true;
      for (const sandboxProcess of live) sandboxProcess.kill();
      live.clear();
      warm.clear();
    },
  };
}
