import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { defaults } from "../runtime/create-mull.js";
import type { CliContext } from "./cli-context.js";
import { collect, integerOption } from "./parse-flags.js";

type ServeFlags = { model: string[]; verifier?: string[]; host: string; port: number; keys?: string };

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
    .option("--keys <file>", "a JSON list of API keys ({ key, name, models?, requestsPerMinute?, tokensPerDay? }); without it the server is open")
    .action((flags: ServeFlags) => serveCommand(flags, context()));
}

/** Starts the server and returns once it listens; it closes when the context's signal aborts. */
async function serveCommand(flags: ServeFlags, context: CliContext): Promise<void> {
  const { mull } = context;
  const { startServer } = await import("../server/start-server.js");
  const specs = flags.model ?? [defaults.model];
  const models = Object.fromEntries(specs.map((spec) => mull.model(spec)).map((model) => [model.modelId, model]));
  const keys = flags.keys !== undefined ? readKeys(flags.keys) : undefined;
  const server = await startServer({
    models,
    mull,
    verifiers: flags.verifier ?? [defaults.verifier],
    host: flags.host,
    port: flags.port,
    ...(keys ? { keys } : {}),
  });
  const ids = Object.keys(models);
  context.out(`mull serving ${ids.join(", ")} at ${server.url} (strategies: ${mull.strategies.names.join(", ")}, as <strategy>/${ids[0]})`);
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.close();
}

const keysSchema = z
  .array(
    z.strictObject({
      key: z.string().min(16),
      name: z.string().min(1),
      models: z.array(z.string().min(1)).optional(),
      requestsPerMinute: z.number().int().min(1).optional(),
      tokensPerDay: z.number().int().min(1).optional(),
    }),
  )
  .min(1);

/** The keys file, validated; an error names the field, never a key. */
function readKeys(path: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "--keys", value: path, message: `cannot read ${path}: ${(error as Error).message.split("\n")[0]}` });
  }
  const parsed = keysSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidArgumentError({
    parameter: "--keys",
    value: path,
    message: `${path}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`,
  });
}
