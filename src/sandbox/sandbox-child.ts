/**
 * The sandbox process's entry (run by `sandbox-process.ts`, never imported). It runs under Node's permission
 * model (read-only access to its own code and node_modules, no writes, no child processes, no workers, no
 * addons) with an empty environment, and inside new user, network and PID namespaces where the host allows
 * them. Model code can reach this process's JavaScript (Pyodide's FFI hands out host functions), so the
 * boundary is the process, not the interpreter; this file only takes away what the process could still do.
 *
 * Protocol: fd 3 carries JSON lines to the parent (`ready`, then one `result`); stdin carries one request.
 */
import { writeSync } from "node:fs";
import { harden, prepareForRuntime } from "./child-hardening.js";
import { type ChildRequest, OutputCollector } from "./child-protocol.js";

const protocolFd = 3;
const send = (message: object) => writeSync(protocolFd, `${JSON.stringify(message)}\n`);
let token: string | undefined;

async function readRequest(): Promise<ChildRequest> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) {
    text += chunk;
    const end = text.indexOf("\n");
    if (end >= 0) return JSON.parse(text.slice(0, end)) as ChildRequest;
  }
  throw new Error("the parent closed stdin before sending a request");
}

async function main() {
  const language = process.argv[2];
  if (language !== "python" && language !== "javascript") throw new Error(`unknown language ${language}`);
  prepareForRuntime();
  const runtime =
    language === "python"
      ? await (await import("./python-runtime.js")).loadPythonRuntime()
      : await (await import("./javascript-runtime.js")).loadJavaScriptRuntime();
  await harden();
  send({ type: "ready" });
  const request = await readRequest();
  token = request.token;
  // Over the output limit the collector has reported; end at once, whatever the code is doing.
  const result = (outcome: object) => send({ type: "result", token: request.token, ...outcome });
  const output = new OutputCollector(request.outputLimitBytes, send, (outcome) => {
    result(outcome);
    process.exit(0);
  });
  result(output.finish(await runtime.run(request, output)));
  process.exit(0);
}

main().catch((error: unknown) => {
  try {
    send({ type: "failed", token, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  } finally {
    process.exit(1);
  }
});
