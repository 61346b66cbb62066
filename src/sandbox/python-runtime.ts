/** CPython through Pyodide (WebAssembly), loaded once per sandbox process; one run per process. */
import { dirname, join, normalize } from "node:path";
import type { ChildRuntime, RuntimeOutcome } from "./child-protocol.js";

// Runs the code in a fresh `__main__`-like scope; the result is the last expression's repr, errors are
// printed as Python prints them and summarised as "Type: message".
const driver = `
import json, traceback
from pyodide.code import eval_code_async

async def __mull_run(source):
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        value = await eval_code_async(source, globals=scope, filename="<sandbox>")
    except SystemExit as stop:
        if stop.code is None or stop.code == 0:
            return json.dumps({"exitReason": "ok"})
        return json.dumps({"exitReason": "error", "error": f"SystemExit: {stop.code}"})
    except MemoryError:
        return json.dumps({"exitReason": "memory", "error": "MemoryError"})
    except BaseException as error:
        # The traceback from the code's own frames on (the driver's are of no use to the reader).
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != "<sandbox>":
            frames = frames.tb_next
        traceback.print_exception(type(error), error, frames)
        return json.dumps({"exitReason": "error", "error": f"{type(error).__name__}: {error}"})
    return json.dumps({"exitReason": "ok", **({} if value is None else {"result": repr(value)})})
`;

export async function loadPythonRuntime(): Promise<ChildRuntime> {
  const { loadPyodide } = await import("pyodide");
  let write: (stream: "stdout" | "stderr", text: string) => void = () => {};
  // A null-prototype object: Python's `js` module shows nothing of the host's globals.
  const pyodide = await loadPyodide({ jsglobals: Object.create(null) as object, env: { HOME: "/sandbox" } });
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  for (const stream of ["stdout", "stderr"] as const) {
    const handler = {
      write: (bytes: Uint8Array) => {
        write(stream, decoders[stream].decode(bytes, { stream: true }));
        return bytes.length;
      },
    };
    if (stream === "stdout") pyodide.setStdout(handler);
    else pyodide.setStderr(handler);
  }
  pyodide.FS.mkdirTree("/sandbox");
  await pyodide.runPythonAsync(driver);
  const run = pyodide.globals.get("__mull_run") as (source: string) => Promise<string>;
  return {
    async run(request, output) {
      write = (stream, text) => output.write(stream, text);
      // Byte-level reads, so that the code reads exactly what was given (the line-based form adds newlines).
      const input = new TextEncoder().encode(request.stdin);
      let offset = 0;
      pyodide.setStdin({
        read: (buffer: Uint8Array) => {
          const count = Math.min(buffer.length, input.length - offset);
          buffer.set(input.subarray(offset, offset + count));
          offset += count;
          return count;
        },
      });
      for (const [path, content] of Object.entries(request.files)) {
        const target = join("/sandbox", normalize(path));
        pyodide.FS.mkdirTree(dirname(target));
        pyodide.FS.writeFile(target, content);
      }
      pyodide.FS.chdir("/sandbox");
      try {
        return JSON.parse(await run(request.code)) as RuntimeOutcome;
      } catch (error) {
        // A fatal error of the interpreter itself (e.g. the WebAssembly stack overflowed).
        return { exitReason: "error", error: error instanceof Error ? `${error.name}: ${error.message.split("\n").at(-1) ?? ""}` : String(error) };
      }
    },
  };
}
