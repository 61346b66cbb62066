/**
 * Self-refine (Madaan et al., 2023): generate, critique, revise, `rounds` times. With `using=prompt` the model
 * critiques and revises its own answer; with `using=verifier` (for a policy that cannot read a critique, as
 * the bundled one) a process verifier marks each candidate's first weak step and the policy resamples from
 * the step before it; the highest scored candidate is the answer. An architecture (`run-architecture.ts`).
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { type Architecture, parseArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

const options = z.strictObject({
  using: z
    .enum(["prompt", "verifier"])
    .default("prompt")
    .describe("Who critiques and revises: the model by prompt, or a process verifier and resampling. Default: prompt"),
  samples: samplesOption(1, "First candidates. Default: 1"),
  rounds: z.number().int().min(1).max(16).default(2).describe("Critique-and-revise rounds. Default: 2"),
  revisions: z.number().int().min(1).max(64).default(1).describe("Revisions of each candidate per round. Default: 1"),
  threshold: z.number().min(0).max(1).default(0.5).describe("With `using=verifier`: a step scored under it is weak. Default: 0.5"),
  temperature: temperatureOption(0.7),
});

export function selfRefineArchitecture(settings: z.output<typeof options>): Architecture {
  const byVerifier = settings.using === "verifier";
  const round = [
    [byVerifier ? { role: "critic", using: "verifier", threshold: settings.threshold } : { role: "critic", using: "prompt" }],
    [
      {
        role: "refiner",
        using: byVerifier ? "resample" : "prompt",
        samples: settings.revisions,
        temperature: settings.temperature,
        // The verifier ranks every candidate at the end, so originals stay; a prompt revision replaces its original.
        keepOriginal: byVerifier,
      },
    ],
  ];
  return parseArchitecture({
    kind: "mull-architecture",
    version: 1,
    name: `self-refine (${settings.using})`,
    layers: [
      [{ role: "generator", samples: settings.samples, temperature: settings.temperature }],
      ...Array.from({ length: settings.rounds }, () => round).flat(),
    ],
    select: byVerifier ? "best" : "vote",
  });
}

export const selfRefine = defineStrategy({
  name: "self-refine",
  description: "Generate, critique, revise (Madaan et al., 2023); with using=verifier a PRM marks the first weak step and the policy resamples from there",
  options,
  verifier: (settings) => (settings.using === "verifier" ? "required" : "none"),
  async run(context) {
    return runArchitecture(context, selfRefineArchitecture(context.options));
  },
});

export type SelfRefineOptions = Parameters<typeof selfRefine.create>[0];

export const createSelfRefine = (options: SelfRefineOptions) => selfRefine.create(options);
