import { z } from "zod";
import { defineVerifier } from "../extension/define-verifier.js";
import { stepAggregations } from "./process-reward-model.js";
import { createVllmRewardModel } from "./vllm-reward-model.js";

/** `vllm-prm:url=http://host:8000/v1,model=Qwen/Qwen2.5-Math-PRM-7B`: a PRM on vLLM's pooling API. */
export const vllmPrmVerifier = defineVerifier({
  name: "vllm-prm",
  kind: "process",
  description: "A process reward model on vLLM's pooling API (e.g. Qwen2.5-Math-PRM)",
  positional: "url",
  options: z.strictObject({
    url: z
      .string()
      .regex(/^https?:\/\//)
      .describe("The server's base URL, e.g. http://127.0.0.1:8000/v1"),
    model: z.string().min(1).describe("The served model name"),
    aggregation: z.enum(stepAggregations).default("min").describe("How step scores become one score"),
    stepSeparator: z.string().min(1).default("<extra_0>").describe("The tag after each step the PRM scores"),
    stepDelimiter: z.string().min(1).default("\n\n").describe("How a solution splits into steps"),
    maxRetries: z.number().int().min(0).max(10).default(2).describe("Retries of a retryable failure (429, 5xx, lost connection, timeout)"),
    timeoutMs: z.number().int().min(1).default(120_000).describe("Per-request timeout in milliseconds"),
    parameters: z.number().positive().optional().describe("The PRM's parameter count, for its FLOPs (default unknown: runs report no total FLOPs)"),
  }),
  create: (options, services) =>
    createVllmRewardModel({
      baseURL: options.url,
      model: options.model,
      aggregation: options.aggregation,
      stepSeparator: options.stepSeparator,
      stepDelimiter: options.stepDelimiter,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs,
      ...(options.parameters !== undefined ? { cost: { parameters: options.parameters } } : {}),
      ...(services.apiKey ? { apiKey: services.apiKey } : {}),
    }),
});
