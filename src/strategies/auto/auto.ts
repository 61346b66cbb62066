/**
 * `auto`: spend samples where they change the answer (after Snell et al., 2024, compute-optimal scaling by
 * question difficulty). A cheap probe of a few samples says how hard the question is for this model; `auto`
 * then runs the action that difficulty calls for (`auto-plan.ts`: the probe's vote, a vote of more samples, a
 * confidence-weighted vote, the verifier's best, or adaptive voting).
 *
 * With a profile (`profile=<file>`, written by `mull tune` on the user's own data) the probe's signals give a
 * calibrated estimate of how likely its vote is right, and the estimate's bin gives the action. Without one, the
 * default policy bins by the share the probe's leading answer holds:
 * - settled (every probe sample agrees): the probe's answer;
 * - split (the leader holds at least `splitAgreement`): adaptive-consistency's Beta rule, continuing from the
 *   probe, up to `maxSamples`;
 * - scattered: `hardSamples` more, then a DeepConf-style vote (the most confident 90%, weighted by confidence),
 *   or with `scattered=verifier` the one the verifier scores highest.
 * What it saw and chose is in its trace (`auto-choice`).
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext, RunOutcome } from "../../extension/run-context.js";
import { seedAt, waveSeedStride } from "../../internal/seeds.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { runAdaptiveVote } from "../vote/adaptive-vote.js";
import { type AutoAction, adaptiveRule, describeAction, selectAnswer } from "./auto-plan.js";
import { type ProbeFeatures, probeFeatures } from "./auto-probe.js";
import { type AutoProfile, actionAtPrice, binFor, loadProfile, profileNeedsVerifier, spendAtPrice } from "./auto-profile.js";

const autoOptions = z.strictObject({
  profile: z
    .string()
    .min(1)
    .optional()
    .describe(
      "A profile written by `mull tune` (a JSON file); it then decides the probe (its size, temperature, topLogprobs and window replace these options) and the actions. Default: none, the default policy",
    )
    .meta({ kind: "file" }),
  price: z
    .number()
    .min(0)
    .optional()
    .describe(
      "With a profile: what a generated token costs in right answers; each bin then takes the action of its menu that maximises accuracy − price × tokens (the batch allocator sets it). Default: the profile's own choice",
    ),
  probe: z.number().int().min(1).max(64).default(4).describe("Default policy: samples of the first look at the question"),
  splitAgreement: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe("Default policy: the probe leader's share from which a question is split (worth sampling on); below it, scattered"),
  maxSamples: samplesOption(32, "Default policy: most samples in all for a split question"),
  threshold: z.number().gt(0).max(1).default(0.95).describe("Default policy, split questions: stop once P(leader beats runner-up) reaches this"),
  hardSamples: z.number().int().min(0).max(1024).default(8).describe("Default policy, scattered questions: samples added to the probe"),
  scattered: z
    .enum(["vote", "verifier"])
    .default("vote")
    .describe("Default policy, scattered questions: a confidence-weighted vote, or the sample the verifier scores highest (needs a verifier)"),
  waveSize: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(4)
    .describe(
      "Adaptive voting after the probe: samples in flight at once (1 checks the rule after every sample, as mull tune replays it; with more, those in flight when it fires are cancelled)",
    ),
  temperature: temperatureOption(0.7),
  topLogprobs: z.number().int().min(2).max(20).default(5).describe("Top tokens per position for the confidence signals"),
  window: z.number().int().min(1).max(4096).default(16).describe("Tokens per group for the lowest-group confidence"),
});

type AutoSettings = z.output<typeof autoOptions>;

/** What the probe decided: the bin's name, the action and, with a profile, the estimate. */
type Choice = { bin: string; action: AutoAction; estimate?: number };

function defaultChoice(options: AutoSettings, agreement: number): Choice {
  if (agreement >= 1) return { bin: "settled", action: { kind: "stop" } };
  if (agreement >= options.splitAgreement) return { bin: "split", action: { kind: "adaptive", samples: options.maxSamples, threshold: options.threshold } };
  const samples = options.probe + options.hardSamples;
  return {
    bin: "scattered",
    action: options.scattered === "verifier" ? { kind: "verifier", samples } : { kind: "confidence-vote", samples, keep: 0.9 },
  };
}

function profileChoice(context: RunContext<AutoSettings>, profile: AutoProfile, features: ProbeFeatures): Choice {
  const { index, action, estimate, missing } = binFor(profile, features);
  if (missing.length > 0)
    context.warn([{ type: "other", message: `auto: the probe lacks ${missing.join(", ")}, which the profile's estimate uses; taken at its dev mean` }]);
  const { price } = context.options;
  const priced = price !== undefined ? actionAtPrice(profile, profile.bins[index] as AutoProfile["bins"][number], price)?.action : undefined;
  if (price !== undefined && priced === undefined)
    context.warn([{ type: "other", message: `auto: the profile's bin ${index + 1} has no menu to price; its own action runs` }]);
  return { bin: `bin ${index + 1} of ${profile.bins.length}`, action: priced ?? action, estimate };
}

/** Runs the chosen action, continuing from the probe's samples. */
async function runAction(context: RunContext<AutoSettings>, action: AutoAction, probe: Candidate[], sampling: Sampling): Promise<RunOutcome> {
  if (action.kind === "adaptive") {
    const voteContext = { ...context, options: { maxSamples: action.samples, temperature: sampling.temperature } };
    return runAdaptiveVote(voteContext, adaptiveRule(action), context.options.waveSize, { candidates: probe, wave: 1 });
  }
  const more = action.kind === "stop" ? 0 : Math.max(0, action.samples - probe.length);
  const seed = seedAt(context.call.seed, 1, waveSeedStride);
  const drawn =
    more > 0
      ? await context.sample({
          n: more,
          temperature: sampling.temperature,
          // Nothing here is cancelled early: all at once (in waves of 4 under a budget).
          waveSize: context.waveSize(more, undefined),
          call: { logprobs: true, topLogprobs: sampling.topLogprobs, ...(seed !== undefined ? { seed } : {}) },
          confidenceWindow: sampling.window,
        })
      : [];
  const candidates = [...probe, ...drawn];
  if (action.kind === "verifier") await context.score(candidates.filter((candidate) => candidate.score === undefined));
  const selection = selectAnswer(action, candidates);
  context.trace(action.kind === "verifier" ? "select" : "vote", { answer: selection.answer, votes: selection.votes });
  return { ...selection, candidates, settled: action.kind === "stop" };
}

type Sampling = { probe: number; temperature: number; topLogprobs: number; window: number; score: boolean };

export const auto = defineStrategy({
  name: "auto",
  description: "Probes the question with a few samples, then spends by how hard it looks (by a profile from mull tune, or a default policy)",
  options: autoOptions,
  allocatesBudget: {
    spendAtPrice: (options) => {
      if (options.profile === undefined) return undefined;
      const profile = loadProfile(options.profile);
      return (price) => spendAtPrice(profile, price);
    },
    priceOption: "price",
    usage: "auto:profile=<file> from mull tune",
  },
  verifier: (options) =>
    (options.profile !== undefined ? profileNeedsVerifier(loadProfile(options.profile)) : options.scattered === "verifier") ? "required" : "none",
  async run(context) {
    const profile = context.options.profile !== undefined ? loadProfile(context.options.profile) : undefined;
    if (context.options.price !== undefined && !profile)
      throw new InvalidArgumentError({ parameter: "price", message: "auto's price chooses among a profile's actions: give profile=<file> too" });
    const sampling: Sampling = profile ? { ...profile.probe, probe: profile.probe.samples } : { ...context.options, score: false };
    const probe = await context.sample({
      n: sampling.probe,
      temperature: sampling.temperature,
      waveSize: sampling.probe,
      call: { logprobs: true, topLogprobs: sampling.topLogprobs },
      confidenceWindow: sampling.window,
    });
    if (sampling.score) await context.score(probe);
    const features = probeFeatures(probe);
    const choice = profile ? profileChoice(context, profile, features) : defaultChoice(context.options, features.agreement);
    const plan = describeAction(choice.action);
    context.trace("auto-choice", {
      bin: choice.bin,
      probeAgreement: features.agreement,
      probeConfidence: features.confidence,
      ...(features.bestScore !== undefined ? { probeBestScore: features.bestScore } : {}),
      ...(choice.estimate !== undefined ? { estimate: choice.estimate } : {}),
      plan,
    });
    context.progress(`probe ${probe.length}: ${choice.bin}, ${plan}`, { bin: choice.bin, agreement: features.agreement });
    return runAction(context, choice.action, probe, sampling);
  },
});

export type AutoOptions = NonNullable<Parameters<typeof auto.create>[0]>;

export const createAuto = (options: AutoOptions = {}) => auto.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** `auto` looked at the probe and chose: how hard the question looks, and what it spends on it. */
    "auto-choice": {
      bin: string;
      probeAgreement: number;
      probeConfidence: number | undefined;
      /** The verifier's highest score on the probe, where a profile has it scored. */
      probeBestScore?: number;
      /** With a profile: the calibrated P(the probe's vote is right). */
      estimate?: number;
      plan: string;
    };
  }
}
