/** JavaScript through QuickJS (WebAssembly): the code sees only the functions defined here. */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import type { ChildRequest, ChildRuntime, OutputCollector, RuntimeOutcome } from "./child-protocol.js";

const format = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));

function defineGlobals(vm: QuickJSContext, request: ChildRequest, output: OutputCollector) {
  const printer =
    (stream: "stdout" | "stderr") =>
    (...args: QuickJSHandle[]) => {
      output.write(stream, `${args.map((arg) => format(vm.dump(arg))).join(" ")}\n`);
    };
  const console = vm.newObject();
  for (const [name, stream] of [
    ["log", "stdout"],
    ["info", "stdout"],
    ["debug", "stdout"],
    ["warn", "stderr"],
    ["error", "stderr"],
  ] as const) {
    vm.newFunction(name, printer(stream)).consume((fn) => vm.setProp(console, name, fn));
  }
  vm.setProp(vm.global, "console", console);
  console.dispose();
  vm.newFunction("print", printer("stdout")).consume((fn) => vm.setProp(vm.global, "print", fn));
  vm.newFunction("readStdin", () => vm.newString(request.stdin)).consume((fn) => vm.setProp(vm.global, "readStdin", fn));
  vm.newFunction("readFile", (pathHandle) => {
    const path = vm.getString(pathHandle);
    const content = request.files[path];
    if (content === undefined) return { error: vm.newError(`no such file: ${path}`) };
    return vm.newString(content);
  }).consume((fn) => vm.setProp(vm.global, "readFile", fn));
}

function outcomeOfError(error: unknown): RuntimeOutcome {
  const described =
    error && typeof error === "object" && "message" in error
      ? `${String((error as { name?: unknown }).name ?? "Error")}: ${String(error.message)}`
      : `Uncaught: ${format(error)}`;
  return { exitReason: /out of memory/i.test(described) ? "memory" : "error", error: described };
}

export async function loadJavaScriptRuntime(): Promise<ChildRuntime> {
  const { getQuickJS } = await import("quickjs-emscripten");
  const quickJs = await getQuickJS();
  return {
    async run(request, output) {
      const runtime = quickJs.newRuntime();
      // QuickJS's heap gets three quarters of the limit, the rest is the process around it (about 60 MiB), so
      // that a memory bomb ends as QuickJS's own out-of-memory error rather than by the parent's kill.
      runtime.setMemoryLimit(Math.floor(request.memoryBytes * 0.75));
      // Under WebAssembly's own stack, so that deep recursion is QuickJS's "stack overflow" error, not a crash.
      runtime.setMaxStackSize(256 * 1024);
      const vm = runtime.newContext();
      defineGlobals(vm, request, output);
      const evaluated = vm.evalCode(request.code, "main.js");
      if (evaluated.error) return outcomeOfError(vm.dump(evaluated.error));
      // Settle promises the code started (async functions, then-chains).
      for (;;) {
        const jobs = runtime.executePendingJobs();
        if (jobs.error) return outcomeOfError(vm.dump(jobs.error));
        if (jobs.value === 0) break;
      }
      const state = vm.getPromiseState(evaluated.value);
      if (state.type === "rejected") return outcomeOfError(vm.dump(state.error));
      const value = state.type === "fulfilled" ? vm.dump(state.value) : undefined;
      // The process ends after the run, so nothing is disposed (QuickJS asserts on handles still alive).
      return { exitReason: "ok", ...(value === undefined ? {} : { result: format(value) }) };
    },
  };
}
