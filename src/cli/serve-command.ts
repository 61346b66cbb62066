import type { Command } from "commander";
import { defaults } from "../runtime/create-mull.js";
import type { CliContext } from "./cli-context.js";
import { collect, integerOption } from "./parse-flags.js";

type ServeFlags = { model: string[]; verifier?: string[]; host: string; port: number };

export function addServeCommand(program: Command, context: () => CliContext): void {
  program
    .command("serve")
    .description("Serve an OpenAI-compatible API over models; strategies by model id or a `mull` body object")
    .option(
      "-m, --model <spec>",
      `a model to serve (repeatable; the first is the default): a bundled name, a .gguf path or a base URL (default ${defaults.model})`,
      collect,
    )
    .option(
      "--verifier <spec>",
      `a verifier requests may name in mull.verifier (repeatable; the first is the default, ${defaults.verifier} when absent)`,
      collect,
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("-p, --port <port>", "port (0 picks a free one)", integerOption("--port", 0), 8080)
    .action((flags: ServeFlags) => serveCommand(flags, context()));
}

/** Starts the server and returns once it listens; it closes when the context's signal aborts. */
async function serveCommand(flags: ServeFlags, context: CliContext): Promise<void> {
  const { mull } = context;
  const { startServer } = await import("../server/start-server.js");
  const specs = flags.model ?? [defaults.model];
  const models = Object.fromEntries(specs.map((spec) => mull.model(spec)).map((model) => [model.modelId, model]));
  const server = await startServer({ models, mull, verifiers: flags.verifier ?? [defaults.verifier], host: flags.host, port: flags.port });
  const ids = Object.keys(models);
  context.out(`mull serving ${ids.join(", ")} at ${server.url} (strategies: ${mull.strategies.names.join(", ")}, as <strategy>/${ids[0]})`);
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.close();
}
