/** DeepConf's options, declared once for its offline and online modes. */
import { z } from "zod";
import { samplingOptions } from "../sampling-options.js";

export const deepConfOptions = z.strictObject({
  ...samplingOptions,
  mode: z
    .enum(["offline", "online"])
    .default("offline")
    .describe("offline: draw n traces, filter, vote; online: calibrate on warmup traces, stop weak traces and settled runs early"),
  keep: z.number().gt(0).max(1).default(0.9).describe("Share of traces kept by confidence (the paper's 0.9 is DeepConf-high, 0.1 DeepConf-low)"),
  metric: z
    .enum(["lowest-group", "tail", "mean"])
    .default("lowest-group")
    .describe("The trace confidence filtered and weighted on: lowest mean over `window` tokens, the last `window` tokens, or all"),
  window: z.number().int().min(1).max(4096).default(16).describe("Tokens per group for lowest-group and tail confidence"),
  topLogprobs: z.number().int().min(2).max(20).default(5).describe("Top tokens per position whose log-probabilities make a token's confidence"),
  warmup: z.number().int().min(1).max(1024).default(8).describe("online: traces drawn whole to calibrate the threshold"),
  consensus: z.number().gt(0).max(1).default(0.95).describe("online: stop once the leading answer holds this share of the weighted vote"),
});

export type DeepConfSettings = z.output<typeof deepConfOptions>;
