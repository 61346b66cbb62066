/**
 * An architecture (after Archon, Saad-Falcon et al., 2024): a JSON document of layers of components, run in
 * order, each layer taking the previous one's candidates. Versioned and validated here; errors name the field
 * (`layers[1][0].topK: ...`). `run-architecture.ts` runs it; `archon` (strategy) loads one from a file.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";

const temperature = (fallback: number) => z.number().min(0).max(5).default(fallback).describe(`Sampling temperature. Default: ${fallback}`);
const template = z
  .string()
  .min(1)
  .optional()
  .describe("The prompt, with {problem}, {candidate}, {critique} or {candidates} where they go. Default: the role's own (after its paper)");
const maxTokens = z.number().int().min(1).max(100_000).optional().describe("Most tokens per call. Default: the run's");
const model = z
  .string()
  .min(1)
  .optional()
  .describe("The model it calls, by spec (over HTTP: the name of a model the server serves); several in a layer make an ensemble. Default: the run's");

const generatorSchema = z.strictObject({
  role: z.literal("generator"),
  model,
  samples: z.number().int().min(1).max(256).default(4).describe("Candidates it samples (with `strategy`: runs of it). Default: 4"),
  strategy: z
    .string()
    .min(1)
    .optional()
    .describe(
      "A strategy that generates instead of plain sampling (`self-consistency:n=4`, `pot`): each run's chosen answer is one candidate, so a layer of generators with different strategies is an ensemble of them. Default: none (sampling)",
    ),
  temperature: temperature(0.7),
  maxTokens,
});

const criticSchema = z.strictObject({
  role: z.literal("critic"),
  model,
  using: z
    .enum(["verifier", "prompt"])
    .default("verifier")
    .describe("`verifier`: the run's process verifier marks the first step scored under `threshold`; `prompt`: the model writes a critique. Default: verifier"),
  threshold: z.number().min(0).max(1).default(0.5).describe("With `verifier`: a step scored under it is weak. Default: 0.5"),
  temperature: temperature(0),
  template,
  maxTokens,
});

const rankerSchema = z.strictObject({
  role: z.literal("ranker"),
  model,
  using: z
    .enum(["verifier", "prompt"])
    .default("verifier")
    .describe("`verifier`: by the run's verifier's scores; `prompt`: the model picks the best (GenSelect). Default: verifier"),
  topK: z.number().int().min(1).max(256).default(1).describe("Candidates it keeps. Default: 1"),
  mode: z.enum(["list", "tournament"]).default("list").describe("With `prompt`: all candidates in one list, or a knockout of pairs. Default: list"),
  temperature: temperature(0),
  template,
  maxTokens,
});

const fuserSchema = z.strictObject({
  role: z.literal("fuser"),
  model,
  using: z
    .enum(["vote", "weighted-vote", "prompt"])
    .default("vote")
    .describe(
      "`vote`: the first candidate with the majority's answer; `weighted-vote`: weighted by the verifier's scores; `prompt`: the model writes one answer from all (mixture-of-agents' aggregator). Default: vote",
    ),
  temperature: temperature(0),
  template,
  maxTokens,
});

const verifierSchema = z.strictObject({
  role: z.literal("verifier"),
  model,
  using: z
    .enum(["verifier", "prompt", "tests"])
    .default("verifier")
    .describe(
      "`verifier`: the run's verifier's score; `prompt`: the model answers whether the candidate is correct; `tests`: each candidate's program runs in the sandbox on the problem's examples (`>>>` lines) or on tests the model writes (Archon's unit-test generator and evaluator), and those passing the most stay. Default: verifier",
    ),
  tests: z.number().int().min(0).max(50).default(5).describe("With `tests`: tests the model writes where the problem shows no examples (0: none). Default: 5"),
  codeTimeoutMs: z.number().int().min(1).max(600_000).default(10_000).describe("With `tests`: each program's wall-time limit. Default: 10000"),
  threshold: z.number().min(0).max(1).default(0.5).describe("With `verifier`: the score a candidate needs to pass. Default: 0.5"),
  template,
});

const refinerSchema = z.strictObject({
  role: z.literal("refiner"),
  model,
  using: z
    .enum(["prompt", "resample"])
    .default("prompt")
    .describe(
      "`prompt`: the model revises each candidate given its critique (self-refine); `resample`: the policy continues from the step before the first weak step a verifier critic marked. Default: prompt",
    ),
  samples: z.number().int().min(1).max(64).default(1).describe("Revisions per candidate. Default: 1"),
  keepOriginal: z.boolean().default(true).describe("Whether the candidates it revised stay beside their revisions. Default: true"),
  temperature: temperature(0.7),
  template,
  maxTokens,
});

export const componentSchema = z.discriminatedUnion("role", [generatorSchema, criticSchema, rankerSchema, fuserSchema, verifierSchema, refinerSchema]);

export type ComponentSpec = z.output<typeof componentSchema>;

export const architectureSchema = z
  .strictObject({
    kind: z.literal("mull-architecture"),
    version: z.literal(1),
    name: z.string().optional(),
    description: z.string().optional(),
    layers: z
      .array(z.array(componentSchema).min(1, "a layer needs at least one component"))
      .min(1, "an architecture needs at least one layer")
      .describe("Run in order; each layer's components take the previous layer's candidates"),
    select: z
      .enum(["vote", "first", "best"])
      .default("vote")
      .describe("How the answer is taken from the last layer's candidates: a majority vote, the first (a ranker's best) or the highest score. Default: vote"),
  })
  .superRefine((architecture, issues) => {
    architecture.layers.forEach((layer, index) => {
      const role = layer[0]?.role;
      layer.forEach((component, position) => {
        if (component.role !== role)
          issues.addIssue({ code: "custom", path: ["layers", index, position, "role"], message: `a layer holds one role; this layer's first is ${role}` });
      });
    });
    architecture.layers.forEach((layer, index) => {
      layer.forEach((component, position) => {
        if (component.model !== undefined && !callsModel(component))
          issues.addIssue({
            code: "custom",
            path: ["layers", index, position, "model"],
            message: `a ${component.role} using ${"using" in component ? component.using : "votes"} calls no model; drop model, or use a prompt ${component.role}`,
          });
      });
    });
    if (architecture.layers[0]?.[0]?.role !== "generator")
      issues.addIssue({ code: "custom", path: ["layers", 0], message: "the first layer must hold generators (the others work on candidates)" });
  });

export type Architecture = z.output<typeof architectureSchema>;
export type ArchitectureInput = z.input<typeof architectureSchema>;

/** Whether the architecture runs programs in the sandbox (a component using tests). */
export const architectureRunsCode = (architecture: Architecture): boolean =>
  architecture.layers.some((layer) => layer.some((component) => "using" in component && component.using === "tests"));

/** `layers.1.0.topK` as a reader would write it: `layers[1][0].topK`. */
const fieldName = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((name, key) => (typeof key === "number" ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)), "") || "(root)";

/** Validates an architecture document; the error names the field and, where given, the file. */
export function parseArchitecture(document: unknown, source = "architecture"): Architecture {
  const parsed = architectureSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidArgumentError({
    parameter: source === "architecture" ? "architecture" : "config",
    value: source,
    message: `${source}: ${fieldName(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`,
  });
}

/** Reads and validates an architecture file. */
export function loadArchitecture(path: string): Architecture {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "config", value: path, message: `cannot read the architecture file ${path}: ${(error as Error).message}` });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "config", value: path, message: `${path} is not JSON: ${(error as Error).message}` });
  }
  return parseArchitecture(document, path);
}

/** A component's name in traces, with the model it calls where that is not the run's (`critic:prompt@judge`). */
export const componentName = (name: string, spec: { model?: string | undefined }) => (spec.model === undefined ? name : `${name}@${spec.model}`);

/** Whether a component calls a model (a generator, a prompt role, a resampling refiner), so that its `model` means something. */
export const callsModel = (component: ComponentSpec): boolean =>
  component.role === "generator" || component.role === "refiner" || component.using === "prompt" || component.using === "tests";

/** The strategies its generators run. */
export const architectureStrategies = (architecture: Architecture): string[] => [
  ...new Set(
    architecture.layers.flatMap((layer) =>
      layer.flatMap((component) => (component.role === "generator" && component.strategy !== undefined ? [component.strategy] : [])),
    ),
  ),
];

/** The models its components name besides the run's. */
export const architectureModels = (architecture: Architecture): string[] => [
  ...new Set(architecture.layers.flatMap((layer) => layer.flatMap((component) => (component.model !== undefined ? [component.model] : [])))),
];

/** Whether running it needs the run's verifier. */
export const architectureNeedsVerifier = (architecture: Architecture): boolean =>
  architecture.select === "best" ||
  architecture.layers.some((layer) =>
    layer.some(
      (component) =>
        ((component.role === "critic" || component.role === "ranker" || component.role === "verifier") && component.using === "verifier") ||
        (component.role === "fuser" && component.using === "weighted-vote"),
    ),
  );

/** Whether it continues partial solutions (a resampling refiner). */
export const architectureContinuesText = (architecture: Architecture): boolean =>
  architecture.layers.some((layer) => layer.some((component) => component.role === "refiner" && component.using === "resample"));
