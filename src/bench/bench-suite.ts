/**
 * A versioned bench suite (`mull bench --config suite.json`): the flags of a run written in a file, validated
 * like every other config (an error names the field), the run settings' fields from their one schema.
 */
import { z } from "zod";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { runSettingsSchema } from "../runtime/run-settings.js";

const count = (minimum: number) => z.number().int().min(minimum).optional();

export const benchSuiteSchema = z.strictObject({
  dataset: z.string().min(1).optional().describe("A dataset name (arith-hard, mixed, ...) or a file"),
  format: z.enum(["gsm8k", "math", "choice", "humaneval", "jsonl", "csv"]).optional().describe("The file's format. Default: from its extension"),
  promptField: z.string().min(1).optional(),
  answerField: z.string().min(1).optional(),
  template: z.string().min(1).optional(),
  limit: count(1).describe("Most items"),
  fewShot: count(0).describe("Worked solutions from the file's first records, shown before each question"),
  strategies: z.string().min(1).optional().describe("Comma-separated strategy specs, as on the command line"),
  budgets: z.string().min(1).optional().describe("Comma-separated token budgets, or none"),
  budgetTotal: count(1).describe("One generated-token budget for the whole set (the batch allocator)"),
  model: z.string().min(1).optional(),
  verifier: z.string().min(1).optional(),
  concurrency: count(1),
  maxTokens: runSettingsSchema.shape.maxTokens,
  maxReasoningTokens: count(1).describe("A thinking budget for every call: a reasoning model's <think> is closed after this many tokens"),
  answerPattern: runSettingsSchema.shape.answerPattern,
  equations: runSettingsSchema.shape.equations,
  tolerance: z.number().min(0).optional(),
  failOnMalformed: z.boolean().optional(),
  parameters: count(1).describe("Model parameters, for the GFLOPs of units that stored no compute (older runs); a remote model takes its size in its spec"),
});

export type BenchSuite = z.output<typeof benchSuiteSchema>;

/** A suite file's contents, validated; an error names the file and the field. */
export function parseBenchSuite(raw: unknown, source: string): BenchSuite {
  const parsed = benchSuiteSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === "unrecognized_keys" ? issue.keys[0] : issue?.path.join(".");
  throw new InvalidArgumentError({
    parameter: "--config",
    value: source,
    message: `${source}: ${field || "(top level)"}: ${issue?.code === "unrecognized_keys" ? `no such field; a suite takes ${Object.keys(benchSuiteSchema.shape).join(", ")}` : (issue?.message ?? "invalid")}`,
  });
}
