import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { runAdaptiveVote } from "./adaptive-vote.js";
import { windowRule } from "./stopping-rules.js";

/** ESC (Li et al., 2024): sample in windows and stop when a window is unanimous. */
export const esc = defineStrategy({
  name: "esc",
  description: "Early-stopping self-consistency: stop when a window of samples is unanimous (Li et al., 2024)",
  options: z.strictObject({
    maxSamples: samplesOption(40, "Most samples"),
    window: z.number().int().min(1).max(1024).default(5).describe("Samples that must agree"),
    waveSize: z.number().int().min(1).max(1024).optional().describe("Samples in flight at once. Absent: the window"),
    temperature: temperatureOption(0.7),
  }),
  resolve: (options) => ({ ...options, waveSize: options.waveSize ?? options.window }),
  run: (context) => runAdaptiveVote(context, windowRule({ window: context.options.window }), context.options.waveSize ?? context.options.window),
});

export type EscOptions = NonNullable<Parameters<typeof esc.create>[0]>;

export const createEsc = (options: EscOptions = {}) => esc.create(options);
