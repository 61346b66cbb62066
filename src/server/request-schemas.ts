import { z } from "zod";
import { reasoningEfforts } from "../core/call-options.js";
import { budgetSettingsSchema, runSettingsSchema } from "../runtime/run-settings.js";

/**
 * mull's own request extension: `{"mull": {"strategy": "<spec>", "n": 16, "budgetTokens": 4000}}`.
 * Keys besides these are the strategy's options, validated by the strategy's own schema (so the server
 * accepts and refuses exactly what the library and the CLI do).
 */
export const mullRequestSchema = z
  .object({
    /** A strategy spec (`<name>:<option>=<value>...`, as `mull strategies` lists them). */
    strategy: z.string().min(1).optional(),
    /** A verifier spec among those the server was started with. */
    verifier: z.string().min(1).optional(),
    // The run settings (`runtime/run-settings.ts`), the budget's limits flattened as the wire has always named them.
    budgetTokens: budgetSettingsSchema.shape.tokens,
    budgetCalls: budgetSettingsSchema.shape.calls,
    budgetMs: budgetSettingsSchema.shape.ms,
    budgetFlops: budgetSettingsSchema.shape.flops,
    budgetMoney: budgetSettingsSchema.shape.money,
    budgetCountsVerifier: budgetSettingsSchema.shape.countVerifier,
    answerPattern: runSettingsSchema.shape.answerPattern,
    equations: runSettingsSchema.shape.equations,
    toolVote: runSettingsSchema.shape.toolVote,
    /** A thinking budget for a reasoning model (see `CallOptions.maxReasoningTokens`), on any route. Defaults to none. */
    maxReasoningTokens: z.number().int().min(1).optional(),
    /** Least thinking, by budget forcing (see `CallOptions.minReasoningTokens`). Defaults to none. */
    minReasoningTokens: z.number().int().min(1).optional(),
    /** Unknown request fields are a 400 rather than a warning. Defaults to the server's `strictFields` (off). */
    strict: z.boolean().optional(),
  })
  // The strategy's own schema validates the rest (a document option takes a JSON object; a file option is refused).
  .catchall(z.unknown());

const toolSchema = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '_' or '-'"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormatSchema = z.union([
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const penalty = z.number().min(-2).max(2).optional().nullable();

const common = {
  model: z.string().min(1),
  n: z.number().int().min(1).max(128).optional(),
  temperature: z.number().min(0).max(5).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  // -1 is vLLM's "off", as 0 is llama.cpp's.
  top_k: z.number().int().min(-1).optional().nullable(),
  min_p: z.number().min(0).max(1).optional().nullable(),
  presence_penalty: penalty,
  frequency_penalty: penalty,
  repetition_penalty: z.number().gt(0).max(10).optional().nullable(),
  repeat_penalty: z.number().gt(0).max(10).optional().nullable(),
  thinking_token_budget: z.number().int().min(1).optional().nullable(),
  logit_bias: z.record(z.string().regex(/^\d+$/, "keys are token ids"), z.number().min(-100).max(100)).optional().nullable(),
  max_tokens: z.number().int().min(1).optional().nullable(),
  max_completion_tokens: z.number().int().min(1).optional().nullable(),
  stop: z
    .union([z.string(), z.array(z.string()).max(16)])
    .optional()
    .nullable(),
  seed: z.number().int().optional().nullable(),
  stream: z.boolean().optional().nullable(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().optional().nullable(),
  user: z.string().optional(),
  mull: mullRequestSchema.optional(),
};

export const completionRequestSchema = z
  .object({
    ...common,
    prompt: z.union([z.string(), z.array(z.string()).length(1)]),
    logprobs: z.number().int().min(0).max(20).optional().nullable(),
    echo: z.literal(false).optional(),
    response_format: responseFormatSchema.optional().nullable(),
  })
  .passthrough();

export const chatRequestSchema = z
  .object({
    ...common,
    messages: z
      .array(
        z
          .object({
            role: z.enum(["system", "user", "assistant", "tool", "developer"]),
            // A string, or content parts (`{ type: "text", text }`; other parts are refused by name in the handler).
            content: z.union([z.string(), z.null(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
          })
          .passthrough(),
      )
      .min(1),
    logprobs: z.boolean().optional().nullable(),
    top_logprobs: z.number().int().min(0).max(20).optional().nullable(),
    tools: z.array(toolSchema).max(128).optional().nullable(),
    tool_choice: toolChoiceSchema.optional().nullable(),
    parallel_tool_calls: z.boolean().optional().nullable(),
    response_format: responseFormatSchema.optional().nullable(),
    reasoning_effort: z.enum(reasoningEfforts).optional().nullable(),
  })
  .passthrough();

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type MullRequest = z.infer<typeof mullRequestSchema>;
