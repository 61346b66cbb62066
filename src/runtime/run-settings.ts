/**
 * The settings of a run besides its strategy and model, declared once: a budget, a seed, the most tokens per
 * completion, how answers are graded and how tool calls are voted on. The HTTP `mull` object, a route's budget
 * and a bench suite's fields are built from these fields, so each is validated, bounded and documented the same
 * way wherever it is written.
 */
import { z } from "zod";
import type { Budget } from "../core/strategy.js";

/** What one run may spend; every limit is optional, absent means none. */
export const budgetSettingsSchema = z.strictObject({
  tokens: z.number().int().positive().optional().describe("Prompt plus completion tokens. Default: no limit"),
  calls: z.number().int().positive().optional().describe("Backend calls. Default: no limit"),
  ms: z.number().int().positive().optional().describe("Wall-clock milliseconds. Default: no limit"),
  flops: z
    .number()
    .positive()
    .optional()
    .describe("FLOPs of every model the run calls, each at its own size, the verifier included (every model needs a known size). Default: no limit"),
  money: z.number().positive().optional().describe("Money across every model called, at each one's price (every model needs one). Default: no limit"),
  countVerifier: z.boolean().optional().describe("Whether the verifier's FLOPs and money count toward flops and money. Default: true"),
});

export type BudgetSettings = z.output<typeof budgetSettingsSchema>;

export const runSettingsSchema = z.strictObject({
  budget: budgetSettingsSchema.optional().describe("What the run may spend. Default: no limit"),
  seed: z.number().int().optional().describe("Seed for reproducible sampling. Default: none"),
  maxTokens: z.number().int().min(1).optional().describe("Most tokens per completion. Default: 256"),
  answerPattern: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("The answer is this RE2 pattern's last match in a completion (its first group where it has one); votes count it. Default: mull's extraction"),
  equations: z.enum(["lenient", "strict"]).optional().describe("`strict` keeps `x = 11` apart from `11` when answers are compared. Default: lenient"),
  toolVote: z
    .enum(["name", "arguments"])
    .optional()
    .describe("How candidates that call tools are voted on: by tool name, or by name and canonical arguments. Default: arguments"),
});

export type RunSettingsInput = z.output<typeof runSettingsSchema>;

/** A budget's settings as the runtime's `Budget`. */
export function budgetOf(settings: BudgetSettings | undefined): Budget {
  return {
    ...(settings?.tokens !== undefined ? { maxTokens: settings.tokens } : {}),
    ...(settings?.calls !== undefined ? { maxCalls: settings.calls } : {}),
    ...(settings?.ms !== undefined ? { maxWallMs: settings.ms } : {}),
    ...(settings?.flops !== undefined ? { maxFlops: settings.flops } : {}),
    ...(settings?.money !== undefined ? { maxMoney: settings.money } : {}),
    ...(settings?.countVerifier !== undefined ? { countVerifier: settings.countVerifier } : {}),
  };
}
