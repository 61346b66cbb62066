/**
 * The one composition root: a runtime resolves models, verifiers and strategies from specs, owns their
 * lifetimes, and builds the environment every run gets (`environment`), so a spec means the same thing, with
 * the same defaults and services, from every entry point: the library, the CLI, the server, the AI SDK
 * middleware and the bench all run strategies through `run` or `asModel`.
 */
import { createHash } from "node:crypto";
import type { ChatMessage } from "../core/call-options.js";
import type { CodeSandbox } from "../core/code-sandbox.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Budget, RunEnvironment, Strategy, StrategyResult, StrategyRunOptions } from "../core/strategy.js";
import type { ToolVote } from "../core/tools.js";
import type { Verifier } from "../core/verifier.js";
import { type BackendDefinition, type OwnedModel, splitSpecQuery } from "../extension/define-backend.js";
import type { StrategyDefinition } from "../extension/define-strategy.js";
import type { VerifierDefinition } from "../extension/define-verifier.js";
import { optionsFromStrings } from "../extension/option-schema.js";
import { formatSpec, parseSpec } from "../extension/spec.js";
import type { ModelMiddleware } from "../middleware/model-middleware.js";
import { openTelemetryMiddleware } from "../middleware/open-telemetry-middleware.js";
import { wrapModel } from "../middleware/wrap-model.js";
import { builtinBackends } from "../registry/builtin-backends.js";
import { builtinStrategies } from "../registry/builtin-strategies.js";
import { builtinVerifiers } from "../registry/builtin-verifiers.js";
import { defaults } from "../registry/defaults.js";
import { createSandbox, type Sandbox } from "../sandbox/create-sandbox.js";
import type { SandboxOptions } from "../sandbox/sandbox-options.js";
import { createRegistry, type Registry } from "./registry.js";
import { type StrategyModelOptions, strategyModel } from "./strategy-model.js";
import { applyStrategyPolicy, type StrategyPolicy } from "./strategy-policy.js";

export { defaults } from "../registry/defaults.js";
export type { StrategyPolicy } from "./strategy-policy.js";

export type MullConfig = {
  /** Strategies besides the built-in ones (a definition with a built-in's name replaces it). Defaults to none. */
  strategies?: readonly StrategyDefinition[];
  /** Verifier kinds besides the built-in `prm`, `judge`, `vllm-prm` and `oracle`. Defaults to none. */
  verifiers?: readonly VerifierDefinition[];
  /** Backends tried before the built-in ones for a model spec. Defaults to none. */
  backends?: readonly BackendDefinition[];
  /** API key for URL specs. Defaults to `MULL_API_KEY`, else `OPENAI_API_KEY`; never logged or reported. */
  apiKey?: string;
  /**
   * Middleware around every model the runtime resolves, the policy's and the verifiers' alike (first is
   * outermost): tracing, a process-wide concurrency limit, retries. Defaults to none.
   */
  middleware?: readonly ModelMiddleware[];
  /** The sandbox model-written code runs in (created on first use, closed by `dispose`). Defaults to `createSandbox()`'s. */
  sandbox?: SandboxOptions;
};

/** A model asked for by its spec's model part and its settings as an object (validated by the backend's schema). */
export type ModelRequest = {
  spec: string;
  /** The backend's settings (`mull backends <name>`); they win over the spec's query. Defaults to none. */
  options?: Record<string, unknown>;
  /** The backend, by name. Defaults to the first whose `matches` takes the spec. */
  backend?: string;
};

/** A strategy asked for by spec (`<name>:n=8`), with more options on top (the server's `mull` object). */
export type StrategyRequest = { spec: string; options?: Record<string, unknown> };

/** One problem (or prompt) through one strategy: what `mull solve`, a server request and a bench unit each are. */
export type RunRequest = {
  /** A spec, or a strategy already built (callers that run one many times build it once). Defaults to {@link defaults.strategy}. */
  strategy?: string | StrategyRequest | Strategy;
  /** A model spec or a model. Defaults to {@link defaults.model}. */
  model?: string | LanguageModel;
  /** A verifier spec, loaded only where the strategy uses one. Defaults to {@link defaults.verifier}. */
  verifier?: string;
  /** A bare problem, wrapped in the model's prompt format (a user message for chat models). */
  problem?: string;
  /** A prompt sent as is (raw text or chat messages); takes the place of `problem`. */
  prompt?: string | ChatMessage[];
  /** Most tokens per completion; `null` sends no cap (the model's own default, as the AI SDK leaves it). Defaults to {@link defaults.maxTokens}. */
  maxTokens?: number | null;
  /** Sequences that end a completion. Defaults to none. */
  stop?: string[];
  /** A thinking budget for reasoning models (see `CallOptions.maxReasoningTokens`). Defaults to none. */
  maxReasoningTokens?: number;
  seed?: number;
  budget?: Budget;
  abortSignal?: AbortSignal;
  onProgress?: StrategyRunOptions["onProgress"];
  onTrace?: StrategyRunOptions["onTrace"];
  /** Extracts the answer candidates are voted on. Defaults to the strategy's own. */
  extractAnswer?: (text: string) => string | undefined;
  /** How candidates that call tools are voted on. Defaults to `"arguments"`. */
  toolVote?: ToolVote;
};

/** What a caller lets a run reach besides the runtime's defaults (the server: only the models it serves, no files from a request). */
export type EnvironmentPolicy = {
  /**
   * The models a run's parts may name, by name (a request must not make a server load a file or reach a URL).
   * Defaults to any spec the runtime resolves, each loaded once.
   */
  models?: Readonly<Record<string, LanguageModel>>;
  /** How strategies a run's parts name are built (their verifier, files, operator defaults). Defaults to the runtime's. */
  strategies?: StrategyPolicy;
  /** See `RunEnvironment.extractAnswer`. Defaults to the strategy's own. */
  extractAnswer?: (text: string) => string | undefined;
  /** See `RunEnvironment.toolVote`. Defaults to `"arguments"`. */
  toolVote?: ToolVote;
};

export type Mull = {
  readonly strategies: Registry<StrategyDefinition>;
  readonly verifiers: Registry<VerifierDefinition>;
  readonly backends: readonly BackendDefinition[];
  /**
   * A model by spec (its settings in the spec's query), or by spec and settings as an object (a config's fields,
   * never turned into a string), loaded once per spec and settings and disposed with the runtime. `apiKey`
   * overrides the runtime's key for this model (an upstream with a key of its own).
   */
  model(spec?: string | ModelRequest, options?: { sequences?: number; apiKey?: string }): OwnedModel;
  /** A verifier by spec, built once per canonical spec; `spec` is the canonical spec with defaults filled in. */
  verifier(spec?: string): { verifier: Verifier; spec: string };
  /** The canonical form of a verifier spec (validated, defaults filled in), without building anything. */
  verifierSpec(spec?: string): string;
  /** A strategy's definition and its options as given (not yet validated). */
  parseStrategy(request: string | StrategyRequest): { definition: StrategyDefinition; input: Record<string, unknown> };
  /**
   * A runnable strategy; its verifier is resolved (and loaded) only where its options use one. `policy` says
   * whose spec it is (a request may not name files) and what the operator set beneath it.
   */
  strategy(request: string | StrategyRequest, policy?: StrategyPolicy): Strategy;
  /**
   * The services a run gets (other models and strategies by spec, the sandbox, answer grading, tool votes)
   * under a caller's policy. Every entry point's runs get theirs here, and runs inside runs inherit it.
   */
  environment(policy?: EnvironmentPolicy): RunEnvironment;
  /**
   * A strategy wrapped around a model, as a model again (what the server serves and strategies compose):
   * runs get `environment`, or the runtime's own where absent.
   */
  asModel(options: StrategyModelOptions): LanguageModel;
  /** Formats a bare problem for a model: its own prompt format, else a user chat message. */
  promptFor(model: LanguageModel, problem: string): string | ChatMessage[];
  run(request: RunRequest): Promise<StrategyResult>;
  /** Where model-written code runs: strategies and the bench's code grading use it (processes start on first use). */
  readonly sandbox: CodeSandbox;
  /** Disposes every model the runtime loaded, and ends the sandbox's processes. */
  dispose(): Promise<void>;
};

export function createMull(config: MullConfig = {}): Mull {
  const strategies = createRegistry<StrategyDefinition>("strategy", [...builtinStrategies, ...(config.strategies ?? [])]);
  const verifiers = createRegistry<VerifierDefinition>("verifier", [...builtinVerifiers, ...(config.verifiers ?? [])]);
  const backends = [...(config.backends ?? []), ...builtinBackends];
  const apiKey = config.apiKey ?? process.env.MULL_API_KEY ?? process.env.OPENAI_API_KEY;
  const models = new Map<string, OwnedModel>();
  const builtVerifiers = new Map<string, Verifier>();

  const model = (requested: string | ModelRequest = defaults.model, options: { sequences?: number; apiKey?: string } = {}): OwnedModel => {
    const request = typeof requested === "string" ? { spec: requested } : requested;
    // The cache key holds a digest of a model's own API key, never the key.
    const keyDigest = options.apiKey === undefined ? null : createHash("sha256").update(options.apiKey).digest("hex");
    const key = JSON.stringify([request.spec, request.options ?? null, request.backend ?? null, options.sequences ?? null, keyDigest]);
    const known = models.get(key);
    if (known) return known;
    const { backend, spec, settings } = resolveBackend(backends, request);
    const created = backend.create({ spec, settings, apiKey: options.apiKey ?? apiKey, sequences: options.sequences });
    // A span per call (no cost until an OpenTelemetry SDK is registered), inside the caller's middleware.
    const middleware = [...(config.middleware ?? []), openTelemetryMiddleware()];
    const owned: OwnedModel = { ...wrapModel({ model: created, middleware }), ...(created.dispose ? { dispose: () => created.dispose!() } : {}) };
    models.set(key, owned);
    return owned;
  };

  const parseVerifier = (spec: string) => {
    const parsed = parseSpec({ spec, parameter: "verifier", positional: verifierPositional(verifiers, spec) });
    const definition = verifiers.get(parsed.name);
    const options = definition.parseOptions(optionsFromStrings(definition.options, parsed.pairs));
    return { definition, options, canonical: formatSpec(definition.name, options) };
  };

  const verifier = (spec: string = defaults.verifier): { verifier: Verifier; spec: string } => {
    const { definition, options, canonical } = parseVerifier(spec);
    const known = builtVerifiers.get(canonical);
    if (known) return { verifier: known, spec: canonical };
    const built = definition.create(options, { model, apiKey });
    builtVerifiers.set(canonical, built);
    return { verifier: built, spec: canonical };
  };

  const lazySandbox = createLazySandbox(config.sandbox ?? {});

  const parseStrategy = (request: string | StrategyRequest) => parsePolicyStrategy(strategies, request, {});
  const strategy = (request: string | StrategyRequest, policy: StrategyPolicy = {}): Strategy =>
    buildStrategy(parsePolicyStrategy(strategies, request, policy), verifier, policy.verifier);
  const environment = (policy: EnvironmentPolicy = {}) => runEnvironment({ policy, model, strategy, sandbox: lazySandbox.sandbox });

  return {
    strategies,
    verifiers,
    backends,
    model,
    verifier,
    verifierSpec: (spec = defaults.verifier) => parseVerifier(spec).canonical,
    parseStrategy,
    strategy,
    promptFor,
    environment,
    asModel: (options) => strategyModel({ ...options, environment: options.environment ?? environment() }),
    sandbox: lazySandbox.sandbox,
    async run(request) {
      const target = typeof request.model === "object" ? request.model : model(request.model);
      const policy = request.verifier !== undefined ? { verifier: request.verifier } : {};
      const requested = request.strategy ?? defaults.strategy;
      const chosen = isStrategy(requested) ? requested : strategy(requested, policy);
      const prompt = request.prompt ?? (request.problem !== undefined ? promptFor(target, request.problem) : undefined);
      if (prompt === undefined) throw new InvalidArgumentError({ parameter: "problem", message: "a run needs a problem or a prompt" });
      // Components that name another model or strategy get it from this runtime (models loaded once per spec).
      const services = environment({
        strategies: policy,
        ...(request.extractAnswer ? { extractAnswer: request.extractAnswer } : {}),
        ...(request.toolVote ? { toolVote: request.toolVote } : {}),
      });
      return chosen.run({ model: target, call: callOf(request, prompt), ...runOptionsOf(request), environment: services });
    },
    async dispose() {
      const owned = [...models.values()];
      models.clear();
      builtVerifiers.clear();
      await lazySandbox.close();
      await Promise.all(owned.map((item) => item.dispose?.()));
    },
  };
}

/** Formats a bare problem for a model: its own prompt format, else a user chat message. */
const promptFor = (target: LanguageModel, problem: string): string | ChatMessage[] =>
  target.formatProblem ? target.formatProblem(problem) : [{ role: "user" as const, content: problem }];

/** The backend a model request names or its spec matches, the spec's model part, and the settings validated by the backend's schema. */
function resolveBackend(backends: readonly BackendDefinition[], request: ModelRequest) {
  const backend = request.backend !== undefined ? backends.find((item) => item.name === request.backend) : backends.find((item) => item.matches(request.spec));
  if (!backend)
    throw new InvalidArgumentError({
      parameter: "model",
      value: request.backend ?? request.spec,
      message:
        request.backend !== undefined
          ? `no backend is named ${JSON.stringify(request.backend)}; known: ${backends.map((item) => item.name).join(", ")}`
          : `${JSON.stringify(request.spec)} is not a model spec; expected ${backends.map((item) => item.specHelp).join(", or ")}`,
    });
  const { model: spec, pairs } = splitSpecQuery(request.spec);
  const settings = backend.parseOptions({ ...optionsFromStrings(backend.options, pairs), ...request.options });
  return { backend, spec, settings };
}

/** A sandbox whose processes start only when a strategy first runs code; `close` ends them, and a later run starts them again. */
function createLazySandbox(options: SandboxOptions): { sandbox: CodeSandbox; close(): Promise<void> } {
  let sandbox: Sandbox | undefined;
  return {
    sandbox: {
      run: (request) => {
        sandbox ??= createSandbox(options);
        return sandbox.run(request);
      },
      close: async () => sandbox?.close(),
    },
    async close() {
      await sandbox?.close();
      sandbox = undefined;
    },
  };
}

/** The call a run request makes: its prompt, the token caps and its seed. */
function callOf(request: RunRequest, prompt: string | ChatMessage[]): StrategyRunOptions["call"] {
  return {
    prompt,
    ...(request.maxTokens !== null ? { maxTokens: request.maxTokens ?? defaults.maxTokens } : {}),
    ...(request.stop ? { stop: request.stop } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.maxReasoningTokens !== undefined ? { maxReasoningTokens: request.maxReasoningTokens } : {}),
  };
}

/** The run options a request sets besides its call and environment. */
function runOptionsOf(request: RunRequest): Omit<StrategyRunOptions, "model" | "call" | "environment"> {
  return {
    ...(request.budget ? { budget: request.budget } : {}),
    ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.onTrace ? { onTrace: request.onTrace } : {}),
  };
}

/** A strategy request's definition and options under a caller's policy (see `applyStrategyPolicy`). */
function parsePolicyStrategy(strategies: Registry<StrategyDefinition>, request: string | StrategyRequest, policy: StrategyPolicy) {
  const { spec, options = {} } = typeof request === "string" ? { spec: request } : request;
  const parsed = parseSpec({ spec, parameter: "strategy" });
  const definition = strategies.get(parsed.name);
  const fromSpec = optionsFromStrings(definition.options, parsed.pairs);
  return { definition, input: applyStrategyPolicy({ definition, fromSpec, given: options, policy }) };
}

/** The services a run gets under a caller's policy, from the runtime's resolvers and sandbox. */
function runEnvironment(options: {
  policy: EnvironmentPolicy;
  model: (spec: string) => LanguageModel;
  strategy: (spec: string, policy: StrategyPolicy) => Strategy;
  sandbox: CodeSandbox;
}): RunEnvironment {
  const { policy, model, strategy } = options;
  const { models } = policy;
  return {
    resolveModel: models ? (spec) => servedModel(models, spec) : (spec) => model(spec),
    resolveStrategy: (spec) => strategy(spec, policy.strategies ?? {}),
    sandbox: options.sandbox,
    ...(policy.extractAnswer ? { extractAnswer: policy.extractAnswer } : {}),
    ...(policy.toolVote ? { toolVote: policy.toolVote } : {}),
  };
}

/** A model a run's part names, among those a caller allows (a server's served models, by name). */
function servedModel(models: Readonly<Record<string, LanguageModel>>, name: string): LanguageModel {
  const found = models[name];
  if (found) return found;
  throw new InvalidArgumentError({
    parameter: "model",
    value: name,
    message: `this server does not serve a model named ${JSON.stringify(name)}; a component may name ${Object.keys(models).join(", ")}`,
  });
}

/**
 * Validates the options before loading anything, then resolves the verifier only where they use one:
 * a required verifier defaults to the runtime's, an optional one is used only when named.
 */
function buildStrategy(
  parsed: { definition: StrategyDefinition; input: Record<string, unknown> },
  verifier: (spec: string) => { verifier: Verifier; spec: string },
  verifierSpec: string | undefined,
): Strategy {
  const { definition, input } = parsed;
  const need = definition.verifierNeed(definition.parseOptions(input));
  if (need === "none" || (need === "optional" && verifierSpec === undefined)) return definition.create(input);
  const resolved = verifier(verifierSpec ?? defaults.verifier);
  return definition.create({ ...input, verifier: resolved.verifier, verifierSpec: resolved.spec });
}

const isStrategy = (value: string | StrategyRequest | Strategy): value is Strategy => typeof value === "object" && "run" in value;

/** The positional option of the verifier a spec names (unknown names are reported by the registry). */
function verifierPositional(verifiers: Registry<VerifierDefinition>, spec: string): string | undefined {
  const name = spec.trim().split(":")[0] ?? "";
  return verifiers.has(name) ? verifiers.get(name).positional : undefined;
}
