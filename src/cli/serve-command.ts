import type { Command } from "commander";
import { pino } from "pino";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { defaults } from "../runtime/create-mull.js";
import type { CliContext } from "./cli-context.js";
import { collect, integerOption } from "./parse-flags.js";
import { startTelemetry } from "./start-telemetry.js";

type ServeFlags = {
  model?: string[];
  verifier?: string[];
  host?: string;
  port?: number;
  keys?: string;
  config?: string;
  logLevel?: string;
  debug?: boolean;
  profile?: string;
  strictFields?: boolean;
};

export function addServeCommand(program: Command, context: () => CliContext): void {
  program
    .command("serve")
    .description("Serve OpenAI-compatible and Anthropic Messages APIs over models; strategies by model id or a `mull` body object")
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
    .option("--host <host>", "address to listen on (default 127.0.0.1, or the config's host)")
    .option("-p, --port <port>", "port, 0 picks a free one (default 8080, or the config's port)", integerOption("--port", 0))
    .option("--log-level <level>", "JSON logs on stderr: fatal, error, warn, info, debug, trace or silent (default info, or the config's logLevel)")
    .option("--debug", "serve the live debugger at /debug: recent requests and their strategies' timelines (default off, or the config's debug)")
    .option("-c, --config <file>", "a config file (JSON or YAML): models, upstream pools, verifiers, routes, keys; see the README's deployment section")
    .option(
      "--profile <file>",
      "a profile from mull tune: auto runs with it (default none, or the config's strategyDefaults.auto.profile: auto's default policy)",
    )
    .option("--strict-fields", "unknown request fields are a 400 naming the field, not a warning (default off, or the config's strictFields)")
    .option("--keys <file>", "a JSON list of API keys ({ key, name, models?, requestsPerMinute?, tokensPerDay? }); without it the server is open")
    .action((flags: ServeFlags) => serveCommand(flags, context()));
}

/** Starts the server and returns once it listens; it closes when the context's signal aborts. */
async function serveCommand(flags: ServeFlags, context: CliContext): Promise<void> {
  const { mull } = context;
  const { startServer } = await import("../server/start-server.js");
  const { readServerConfig, readKeysFile, serverOptionsFromConfig } = await import("../server/server-config.js");
  let options: Parameters<typeof startServer>[0];
  let logLevel = flags.logLevel;
  if (flags.config !== undefined) {
    if (flags.model !== undefined || flags.verifier !== undefined || flags.keys !== undefined)
      throw new InvalidArgumentError({
        parameter: "--config",
        message: "--model, --verifier and --keys go in the config file when --config is given (models, verifiers, keys)",
      });
    const config = readServerConfig(flags.config);
    logLevel ??= config.logLevel;
    options = { mull, ...serverOptionsFromConfig({ mull, config, configPath: flags.config }) };
  } else {
    const specs = flags.model ?? [defaults.model];
    const models = Object.fromEntries(specs.map((spec) => mull.model(spec)).map((model) => [model.modelId, model]));
    options = { models, mull, verifiers: flags.verifier ?? [defaults.verifier], ...(flags.keys !== undefined ? { keys: readKeysFile(flags.keys) } : {}) };
  }
  // Flags given on the command line win over the file's.
  const host = flags.host ?? options.host ?? "127.0.0.1";
  const port = flags.port ?? options.port ?? 8080;
  const logger = createLogger(logLevel ?? "info", context);
  const stopTelemetry = await startTelemetry();
  // --profile is auto's tuned profile, set as an operator's default for it (a config sets it as strategyDefaults.auto.profile).
  const strategyDefaults =
    flags.profile !== undefined
      ? { ...options.strategyDefaults, auto: { ...options.strategyDefaults?.auto, profile: flags.profile } }
      : options.strategyDefaults;
  const server = await startServer({
    ...options,
    host,
    port,
    logger,
    ...(flags.debug ? { debug: true } : {}),
    ...(flags.strictFields ? { strictFields: true } : {}),
    ...(strategyDefaults ? { strategyDefaults } : {}),
  });
  logger.info(
    { url: server.url, models: Object.keys(options.models), routes: Object.keys(options.routes ?? {}), tracing: stopTelemetry !== undefined },
    "listening",
  );
  const ids = Object.keys(options.models);
  const routes = Object.keys(options.routes ?? {});
  context.out(`mull serving ${[...routes, ...ids].join(", ")} at ${server.url} (strategies: ${mull.strategies.names.join(", ")}, as <strategy>/${ids[0]})`);
  if (flags.debug || options.debug) context.out(`debugger at ${server.url.replace(/\/v1$/, "")}/debug`);
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.info({ inFlight: "draining" }, "closing");
  await server.close();
  await stopTelemetry?.();
}

const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** JSON lines on the context's stderr; fields that could hold a secret are censored wherever they appear. */
function createLogger(level: string, context: CliContext) {
  if (!levels.includes(level)) throw new InvalidArgumentError({ parameter: "--log-level", value: level, message: `must be one of ${levels.join(", ")}` });
  return pino(
    {
      level,
      base: { service: "mull" },
      redact: { paths: ["authorization", "*.authorization", "apiKey", "*.apiKey", "headers", "*.headers"], censor: "[redacted]" },
    },
    { write: (line: string) => context.err(line) },
  );
}
