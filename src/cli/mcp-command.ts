/** `mull mcp`: mull as an MCP server for agents, over stdio (the default) or streamable HTTP (`--port`). */
import type { Command } from "commander";
import { defaults } from "../runtime/create-mull.js";
import type { CliContext } from "./cli-context.js";
import { collect, integerOption } from "./parse-flags.js";

type McpFlags = { model?: string[]; strategy?: string; budgetTokens?: number; port?: number; host?: string };

export function addMcpCommand(program: Command, context: () => CliContext): void {
  program
    .command("mcp")
    .description("Serve mull as an MCP server: tools solve, compare and list_strategies (stdio, or streamable HTTP at /mcp with --port)")
    .option("-m, --model <spec>", `a model calls may name (repeatable; the first is the default) (default ${defaults.model})`, collect)
    .option("--strategy <spec>", "the strategy solve runs where a call names none (default self-consistency)")
    .option("--budget-tokens <n>", "most tokens one call may spend (default 20000)", integerOption("--budget-tokens", 1))
    .option("-p, --port <port>", "serve streamable HTTP on this port (0 picks one) instead of stdio (default: stdio)", integerOption("--port", 0))
    .option("--host <host>", "address for --port (default 127.0.0.1)")
    .action((flags: McpFlags) => mcpCommand(flags, context()));
}

async function mcpCommand(flags: McpFlags, context: CliContext): Promise<void> {
  const { mull } = context;
  const { mcpHttpHandler, serveMcpStdio } = await import("../mcp/mcp-server.js");
  const models = Object.fromEntries((flags.model ?? [defaults.model]).map((spec) => mull.model(spec)).map((model) => [model.modelId, model]));
  const options = {
    mull,
    models,
    ...(flags.strategy !== undefined ? { defaultStrategy: flags.strategy } : {}),
    ...(flags.budgetTokens !== undefined ? { maxBudgetTokens: flags.budgetTokens } : {}),
  };
  const stopped = new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  if (flags.port === undefined) {
    // stdout is the protocol's: nothing else may be written there.
    const served = await serveMcpStdio(options);
    context.err(`mull MCP server on stdio (models: ${Object.keys(models).join(", ")})\n`);
    await Promise.race([stopped, new Promise<void>((resolve) => process.stdin.once("end", () => resolve()))]);
    await served.close();
    return;
  }
  const port = flags.port;
  const [{ serve }, { Hono }] = await Promise.all([import("@hono/node-server"), import("hono")]);
  const handle = await mcpHttpHandler(options);
  const app = new Hono();
  app.all("/mcp", (hono) => handle(hono.req.raw));
  const host = flags.host ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      context.out(`mull MCP server at http://${host}:${info.port}/mcp (models: ${Object.keys(models).join(", ")})`);
      resolve(started);
    });
  });
  await stopped;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
