import { z } from "zod";

/** mull's own request extension: `{"mull": {"strategy": "self-consistency", "n": 16, "budgetTokens": 4000}}`. */
export const mullRequestSchema = z
  .object({
    strategy: z.string().optional(),
    n: z.number().int().min(1).max(1024).optional(),
    temperature: z.number().min(0).max(5).optional(),
    threshold: z.number().gt(0).max(1).optional(),
    k: z.number().int().positive().optional(),
    weightBy: z.enum(["verifier", "logprob"]).optional(),
    waveSize: z.number().int().min(1).optional(),
    // Step-level search (beam-search, dvts, lookahead, particle-filter, rebase, mcts).
    stepDelimiter: z.string().min(1).optional(),
    maxSteps: z.number().int().min(1).max(1000).optional(),
    select: z.enum(["best", "weighted-vote", "majority"]).optional(),
    beamWidth: z.number().int().min(1).max(1024).optional(),
    lookahead: z.number().int().min(1).max(40).optional(),
    softmaxTemperature: z.number().gt(0).optional(),
    sweeps: z.number().int().min(1).max(64).optional(),
    balanceTemperature: z.number().gt(0).optional(),
    expansionWidth: z.number().int().min(1).max(64).optional(),
    explorationConstant: z.number().gt(0).optional(),
    budgetTokens: z.number().int().positive().optional(),
    budgetCalls: z.number().int().positive().optional(),
    budgetMs: z.number().int().positive().optional(),
  })
  .strict();

const common = {
  model: z.string().min(1),
  n: z.number().int().min(1).max(128).optional(),
  temperature: z.number().min(0).max(5).optional(),
  top_p: z.number().gt(0).max(1).optional(),
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
  })
  .passthrough();

export const chatRequestSchema = z
  .object({
    ...common,
    messages: z
      .array(
        z.object({ role: z.enum(["system", "user", "assistant", "tool", "developer"]), content: z.union([z.string(), z.null()]).optional() }).passthrough(),
      )
      .min(1),
    logprobs: z.boolean().optional().nullable(),
    top_logprobs: z.number().int().min(0).max(20).optional().nullable(),
  })
  .passthrough();

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;
