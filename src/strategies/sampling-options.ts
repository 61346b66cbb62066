/** Option fields the sampling strategies share, declared once (each strategy's schema spreads them). */
import { z } from "zod";

export const samplesOption = (fallback: number, description = "Samples to draw") => z.number().int().min(1).max(1024).default(fallback).describe(description);

export const temperatureOption = (fallback: number) => z.number().min(0).max(5).default(fallback).describe("Sampling temperature");

export const waveSizeOption = () =>
  z
    .number()
    .int()
    .min(1)
    .max(1024)
    .optional()
    .describe("Samples per backend call; the budget is checked between calls. Absent: n without a budget, 4 with one");

/** A `|`-separated list of model specs (model specs hold `:` and `,`, never `|`). */
export const modelListOption = (description: string) => z.string().min(1).optional().describe(description);

/** The specs of a `modelListOption` value, in order; `[undefined]` (the run's model alone) where none is given. */
export const modelList = (value: string | undefined): (string | undefined)[] =>
  value === undefined
    ? [undefined]
    : value
        .split("|")
        .map((spec) => spec.trim())
        .filter(Boolean);

export const samplingOptions = {
  n: samplesOption(16),
  temperature: temperatureOption(0.7),
  waveSize: waveSizeOption(),
};
