/**
 * `mull serve --config mull.config.json|yaml`: the models a server holds (embedded files, upstream pools
 * with their API keys read from environment variables), the verifiers requests may use, and routes, public
 * model names bound to a strategy, a model, a verifier and a budget. Validated with zod; an error names the
 * field, never a secret.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { openAICompatibleBackend, openAICompatibleOptions } from "../backends/openai-compatible/openai-compatible-backend.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import { optionsOfKind } from "../extension/option-schema.js";
import { formatSpec, parseSpec } from "../extension/spec.js";
import type { ModelRequest, Mull } from "../runtime/create-mull.js";
import { type BudgetSettings, budgetSettingsSchema } from "../runtime/run-settings.js";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "use letters, digits, '.', '_', ':' and '-' (no '/')");

/**
 * An upstream pool written out field by field: its URLs, model name and key, and the OpenAI-compatible backend's
 * own settings (its schema, the one that also reads a spec's query), passed to the runtime as an object.
 */
const upstreamSchema = openAICompatibleOptions.extend({
  /** Base URLs of the replicas, each ending in `/v1`. */
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** The model name the upstream serves. Defaults to `default`. */
  model: z.string().min(1).default("default"),
  /** The environment variable holding the upstream's API key. Defaults to the runtime's key (`MULL_API_KEY`, else `OPENAI_API_KEY`). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
});

/** A route written out: the strategy spec, and the model and verifier by their names in this file. */
const routeObjectSchema = z.strictObject({
  strategy: z.string().min(1),
  /** A model name of this file. Defaults to the first model. */
  model: name.optional(),
  /** A verifier name of this file, for strategies that use one. Defaults to the first verifier. */
  verifier: name.optional(),
  /** The most a request on this route may spend; a request may ask for less, never more. Defaults to no limit. */
  budget: budgetSettingsSchema.optional(),
});

const keySchema = z.strictObject({
  key: z.string().min(16),
  name: z.string().min(1),
  models: z.array(z.string().min(1)).optional(),
  requestsPerMinute: z.number().int().min(1).optional(),
  tokensPerDay: z.number().int().min(1).optional(),
});

export const keysSchema = z.array(keySchema).min(1);

export const serverConfigSchema = z.strictObject({
  /** Models by public name: a spec (bundled name, .gguf path, URL spec) or an upstream pool. The first is the default. */
  models: z.record(name, z.union([z.string().min(1), upstreamSchema])).refine((models) => Object.keys(models).length > 0, "name at least one model"),
  /** Verifiers by name: a spec each (`prm`, `judge:model=...`, `vllm-prm:url=...,model=...`). Defaults to `{ prm: "prm" }`. */
  verifiers: z.record(name, z.string().min(1)).optional(),
  /** Public model names bound to a strategy: `"<strategy spec> over <model> with <verifier>"`, or the object form. Defaults to none. */
  routes: z.record(name, z.union([z.string().min(1), routeObjectSchema])).optional(),
  /** API keys clients must send; absent, the server is open. */
  keys: keysSchema.optional(),
  /** A JSON file holding the keys instead, kept apart from the config (relative to the config file). */
  keysFile: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  /** Log level of the JSON logs on stderr. Defaults to `info`. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  /** Serves the live debugger at `/debug`. Defaults to `false`. */
  debug: z.boolean().optional(),
  /**
   * Options by strategy name that strategies run with where a spec leaves them out (`{ "<strategy>": { "<option>":
   * value } }`, e.g. a profile from `mull tune`); files relative to the config file. Defaults to none.
   */
  strategyDefaults: z.record(z.string().min(1), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  /** Unknown request fields are a 400 naming the field rather than a warning. Defaults to `false`. */
  strictFields: z.boolean().optional(),
  /** How long /v1/responses keeps answered responses for previous_response_id, in ms; 0 keeps none. Defaults to `3600000`. */
  responseStoreTtlMs: z.number().int().min(0).optional(),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type Upstream = z.output<typeof upstreamSchema>;

/** A route resolved to specs: what a request on it runs. */
export type Route = {
  strategy: string;
  model: string;
  verifier?: string | undefined;
  budget?: BudgetSettings | undefined;
};

/** Reads and validates a config file (JSON, or YAML by extension `.yaml`/`.yml`). */
export function readServerConfig(path: string): ServerConfig {
  let raw: unknown;
  try {
    const text = readFileSync(path, "utf8");
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "--config", value: path, message: `cannot read ${path}: ${(error as Error).message.split("\n")[0]}` });
  }
  return parseServerConfig(raw, path);
}

/** Validates a config object; errors name the field path and the file. */
export function parseServerConfig(raw: unknown, source = "config"): ServerConfig {
  const parsed = serverConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError({
      parameter: "--config",
      value: source,
      message: `${source}: ${issue?.path.join(".") || "(top level)"}: ${describeIssue(issue)}`,
    });
  }
  const config = parsed.data;
  if (config.keys && config.keysFile)
    throw new InvalidArgumentError({ parameter: "--config", value: source, message: `${source}: give keys or keysFile, not both` });
  for (const [routeName, route] of Object.entries(config.routes ?? {})) {
    if (routeName in config.models)
      throw new InvalidArgumentError({ parameter: "--config", value: source, message: `${source}: routes.${routeName}: a model has the same name` });
    const resolved = resolveRoute(config, routeName, route);
    if (!(resolved.model in config.models))
      throw new InvalidArgumentError({
        parameter: "--config",
        value: source,
        message: `${source}: routes.${routeName}: no model named ${JSON.stringify(resolved.model)}; models: ${Object.keys(config.models).join(", ")}`,
      });
    if (resolved.verifier !== undefined && !(resolved.verifier in verifiersOf(config)))
      throw new InvalidArgumentError({
        parameter: "--config",
        value: source,
        message: `${source}: routes.${routeName}: no verifier named ${JSON.stringify(resolved.verifier)}; verifiers: ${Object.keys(verifiersOf(config)).join(", ")}`,
      });
  }
  return config;
}

/** The config's verifiers by name, `{ prm: "prm" }` when it names none. */
export const verifiersOf = (config: ServerConfig): Record<string, string> => config.verifiers ?? { prm: "prm" };

/** A route's short form `"<strategy spec> [over <model>] [with <verifier>]"`, or its object form, as specs. */
export function resolveRoute(config: ServerConfig, routeName: string, route: string | z.output<typeof routeObjectSchema>): Route {
  const firstModel = Object.keys(config.models)[0] as string;
  if (typeof route !== "string") return { strategy: route.strategy, model: route.model ?? firstModel, verifier: route.verifier, budget: route.budget };
  const match = /^\s*(\S+)(?:\s+over\s+(\S+))?(?:\s+with\s+(\S+))?\s*$/.exec(route);
  if (!match)
    throw new InvalidArgumentError({
      parameter: "--config",
      value: route,
      message: `routes.${routeName}: expected "<strategy spec> [over <model>] [with <verifier>]"`,
    });
  return { strategy: match[1] as string, model: match[2] ?? firstModel, verifier: match[3] };
}

/** An upstream pool as the runtime's model request: its URLs and model as the spec, its settings as an object (never a query string). */
export function upstreamModel(upstream: Upstream): ModelRequest {
  const { urls, model, apiKeyEnv: _key, ...settings } = upstream;
  return { backend: openAICompatibleBackend.name, spec: `${urls.map((url) => url.replace(/\/+$/, "")).join(",")}#${model}`, options: settings };
}

/** The upstream's API key from its environment variable; a missing variable is an error naming it. */
export function upstreamApiKey(upstream: Upstream, modelName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (upstream.apiKeyEnv === undefined) return undefined;
  const key = env[upstream.apiKeyEnv];
  if (!key)
    throw new InvalidArgumentError({
      parameter: "--config",
      value: upstream.apiKeyEnv,
      message: `models.${modelName}.apiKeyEnv: the environment variable ${upstream.apiKeyEnv} is not set`,
    });
  return key;
}

/** Reads and validates a JSON list of API keys; an error names the field, never a key. */
export function readKeysFile(path: string, parameter = "--keys"): z.output<typeof keysSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError({ parameter, value: path, message: `cannot read ${path}: ${(error as Error).message.split("\n")[0]}` });
  }
  const parsed = keysSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidArgumentError({ parameter, value: path, message: `${path}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}` });
}

/**
 * What `startServer` takes, from a config: each model loaded through the runtime (an upstream with its own
 * key from its environment variable), verifiers and routes as specs, and the keys.
 */
export function serverOptionsFromConfig(options: { mull: Mull; config: ServerConfig; configPath?: string; env?: NodeJS.ProcessEnv }) {
  const { mull, config, env = process.env } = options;
  const models = Object.fromEntries(
    Object.entries(config.models).map(([modelName, entry]) => {
      if (typeof entry === "string") return [modelName, mull.model(entry)];
      const apiKey = upstreamApiKey(entry, modelName, env);
      return [modelName, mull.model(upstreamModel(entry), apiKey !== undefined ? { apiKey } : {})];
    }),
  ) as Record<string, LanguageModel>;
  const routes = Object.fromEntries(
    Object.entries(config.routes ?? {}).map(([routeName, route]) => {
      const resolved = resolveRoute(config, routeName, route);
      return [routeName, options.configPath ? { ...resolved, strategy: filesRelativeTo(mull, resolved.strategy, dirname(options.configPath)) } : resolved];
    }),
  );
  const keysPath = config.keysFile !== undefined && options.configPath ? resolvePath(dirname(options.configPath), config.keysFile) : config.keysFile;
  const keys = config.keys ?? (keysPath !== undefined ? readKeysFile(keysPath, "keysFile") : undefined);
  return {
    models,
    verifiers: verifiersOf(config),
    routes,
    ...(keys ? { keys } : {}),
    ...(config.host !== undefined ? { host: config.host } : {}),
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.debug ? { debug: true } : {}),
    ...(config.strictFields ? { strictFields: true } : {}),
    ...(config.responseStoreTtlMs !== undefined ? { responseStoreTtlMs: config.responseStoreTtlMs } : {}),
    ...(config.strategyDefaults !== undefined
      ? { strategyDefaults: options.configPath ? defaultsRelativeTo(mull, config.strategyDefaults, dirname(options.configPath)) : config.strategyDefaults }
      : {}),
  };
}

/** Options with the files they name (options of kind `file` in the strategy's schema) relative to `directory`. */
function optionsRelativeTo<Value>(mull: Mull, strategy: string, options: Record<string, Value>, directory: string): Record<string, Value | string> {
  const files = optionsOfKind(mull.strategies.get(strategy).options, "file").filter(
    (key) => typeof options[key] === "string" && !isAbsolute(options[key] as string),
  );
  return { ...options, ...Object.fromEntries(files.map((key) => [key, resolvePath(directory, options[key] as string)])) };
}

/** A route's strategy spec with the files it names relative to the config file, as its other paths are. */
function filesRelativeTo(mull: Mull, strategy: string, directory: string): string {
  const { name, pairs } = parseSpec({ spec: strategy, parameter: "routes" });
  const resolved = optionsRelativeTo(mull, name, pairs, directory);
  return Object.keys(pairs).every((key) => resolved[key] === pairs[key]) ? strategy : formatSpec(name, resolved);
}

/** Strategy defaults with the files they name relative to the config file. */
function defaultsRelativeTo(mull: Mull, defaults: Record<string, Record<string, string | number | boolean>>, directory: string) {
  return Object.fromEntries(Object.entries(defaults).map(([strategy, options]) => [strategy, optionsRelativeTo(mull, strategy, options, directory)]));
}

/** zod's message, or for a bad record key (reported as "Invalid key in record") what is wrong with the key. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return "invalid";
  // Earlier configs set a tuned profile at the top; it is now a strategy's option like any other.
  if (issue.code === "unrecognized_keys" && issue.path.length === 0 && issue.keys.includes("profile"))
    return 'a top-level "profile" is no longer read: set a strategy\'s options, a tuned profile included, under strategyDefaults ({ "<strategy>": { "profile": "<file>" } })';
  if (issue.code === "invalid_key") return `bad name: ${issue.issues[0]?.message ?? issue.message}`;
  return issue.message;
}
