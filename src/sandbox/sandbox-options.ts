/** The sandbox's options and a run request's checks: one schema each, the source of defaults and errors. */
import { z } from "zod";
import { sandboxLanguages } from "../core/code-sandbox.js";

export const sandboxOptionsSchema = z.strictObject({
  timeoutMs: z.number().int().min(1).max(600_000).default(5000).describe("Default wall-time limit per run, in ms"),
  memoryMb: z.number().int().min(64).max(16_384).default(512).describe("Default memory limit per run (the whole sandbox process, runtime included), in MiB"),
  outputLimitBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .default(65_536)
    .describe("Default limit on stdout plus stderr per run, in bytes"),
  warm: z.number().int().min(0).max(64).default(1).describe("Processes kept started per language, so that a run need not wait for one to load"),
  concurrency: z.number().int().min(1).max(256).optional().describe("Runs at once; default: the machine's available parallelism"),
  isolation: z
    .enum(["auto", "namespaces", "process"])
    .default("auto")
    .describe("auto: new user, network and PID namespaces where the host allows them; namespaces: require them; process: permission model only"),
});

export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;

export const sandboxRequestSchema = z.strictObject({
  language: z.enum(sandboxLanguages as ["python", "javascript"]),
  code: z.string(),
  stdin: z.string().default(""),
  files: z
    .record(
      z.string().refine((path) => path !== "" && !path.startsWith("/") && !path.split("/").includes(".."), "must be a relative path without .."),
      z.string(),
    )
    .default({}),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  memoryMb: z.number().int().min(64).max(16_384).optional(),
  outputLimitBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
