/**
 * `auto`: spend samples where they change the answer (after Snell et al., 2024, compute-optimal scaling by
 * question difficulty). A cheap probe of `probe` samples says how hard the question is for this model, by the
 * share its leading answer holds; the default policy (no tuned profile yet) then spends:
 * - settled (every probe sample agrees): nothing more, the probe's answer;
 * - split (the leader holds at least `splitAgreement`): adaptive-consistency's Beta rule, continuing from the
 *   probe, up to `maxSamples` (these are the questions more samples turn);
 * - scattered (no answer holds `splitAgreement`): `hardSamples` more, then a DeepConf-style vote (the most
 *   confident 90%, weighted by confidence), since a scattered vote rarely converges within a small budget; or,
 *   with `scattered=verifier`, the one the verifier scores highest (where the verifier is strong and votes are
 *   weak, as the bundled PRM on countdown).
 * What it saw and chose is in its trace (`auto-choice`) and every threshold is an option.
 */
import { z } from "zod";
import type { Candidate } from "../core/strategy-report.js";
import { defineStrategy } from "../extension/define-strategy.js";
import type { RunContext, RunOutcome } from "../extension/run-context.js";
import { seedAt, waveSeedStride } from "../internal/seeds.js";
import { runAdaptiveVote } from "./adaptive-vote.js";
import { confidenceOf, confidentVote, keepThreshold } from "./deepconf-vote.js";
import { firstWithAnswer, highestScored, majorityVote } from "./majority-vote.js";
import { samplesOption, temperatureOption } from "./sampling-options.js";
import { betaRule } from "./stopping-rules.js";

const autoOptions = z.strictObject({
  probe: z.number().int().min(1).max(64).default(4).describe("Samples of the first look at the question"),
  splitAgreement: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe("The probe leader's share from which a question is split (worth sampling on); below it, scattered"),
  maxSamples: samplesOption(32, "Most samples in all for a split question"),
  threshold: z.number().gt(0).max(1).default(0.95).describe("Split questions: stop once P(leader beats runner-up) reaches this"),
  hardSamples: z.number().int().min(0).max(1024).default(8).describe("Scattered questions: samples added to the probe"),
  scattered: z
    .enum(["vote", "verifier"])
    .default("vote")
    .describe("Scattered questions: a confidence-weighted vote, or the sample the verifier scores highest (needs a verifier)"),
  waveSize: z.number().int().min(1).max(1024).default(4).describe("Samples in flight at once after the probe"),
  temperature: temperatureOption(0.7),
  topLogprobs: z.number().int().min(2).max(20).default(5).describe("Top tokens per position for the confidence signals"),
  window: z.number().int().min(1).max(4096).default(16).describe("Tokens per group for the lowest-group confidence"),
});

type AutoSettings = z.output<typeof autoOptions>;

function meanConfidence(candidates: readonly Candidate[]): number | undefined {
  const values = candidates.map((candidate) => confidenceOf(candidate, "lowest-group"));
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  return (values as number[]).reduce((sum, value) => sum + value, 0) / values.length;
}

/** Scattered: a few more samples, then the most confident 90% vote, weighted by confidence. */
async function spendOnScattered(context: RunContext<AutoSettings>, probe: Candidate[]): Promise<RunOutcome> {
  const { hardSamples, temperature, topLogprobs, window } = context.options;
  const seed = seedAt(context.call.seed, 1, waveSeedStride);
  const more =
    hardSamples > 0
      ? await context.sample({
          n: hardSamples,
          temperature,
          waveSize: context.waveSize(hardSamples, context.options.waveSize),
          call: { logprobs: true, topLogprobs, ...(seed !== undefined ? { seed } : {}) },
          confidenceWindow: window,
        })
      : [];
  const candidates = [...probe, ...more];
  if (context.options.scattered === "verifier") {
    await context.score(candidates);
    const chosen = highestScored(candidates);
    context.trace("select", { answer: chosen?.answer, votes: chosen?.answer === undefined ? {} : { [chosen.answer]: 1 } });
    return { chosen, confidence: chosen?.score ?? 0, candidates };
  }
  const values = candidates.map((candidate) => confidenceOf(candidate, "lowest-group"));
  const tally = values.some((value) => value === undefined)
    ? { kept: candidates, ...majorityVote(candidates) }
    : confidentVote(candidates, "lowest-group", keepThreshold(values as number[], 0.9));
  context.trace("vote", { answer: tally.answer, votes: tally.votes });
  return { chosen: firstWithAnswer(tally.kept, tally.answer), answer: tally.answer, confidence: tally.confidence, votes: tally.votes, candidates };
}

export const auto = defineStrategy({
  name: "auto",
  description: "Probes the question with a few samples, then spends by how hard it looks: nothing more, adaptive voting, or a few more and a confidence vote",
  options: autoOptions,
  verifier: (options) => (options.scattered === "verifier" ? "required" : "none"),
  async run(context) {
    const { probe: size, splitAgreement, temperature, topLogprobs, window, maxSamples, threshold } = context.options;
    const probe = await context.sample({ n: size, temperature, waveSize: size, call: { logprobs: true, topLogprobs }, confidenceWindow: window });
    const tally = majorityVote(probe);
    const agreement = probe.length === 0 ? 0 : ((tally.answer !== undefined ? tally.votes[tally.answer] : 0) ?? 0) / probe.length;
    const bin = agreement >= 1 ? "settled" : agreement >= splitAgreement ? "split" : "scattered";
    const plan =
      bin === "settled"
        ? "the probe's answer"
        : bin === "split"
          ? `adaptive-consistency (threshold ${threshold}) to at most ${maxSamples} samples`
          : `${context.options.hardSamples} more samples, ${context.options.scattered === "verifier" ? "the verifier's best" : "confidence-weighted vote"}`;
    context.trace("auto-choice", { bin, probeAgreement: agreement, probeConfidence: meanConfidence(probe), plan });
    context.progress(`probe ${probe.length}: ${bin}, ${plan}`, { bin, agreement });
    if (bin === "settled") return { chosen: firstWithAnswer(probe, tally.answer), ...tally, candidates: probe, settled: true };
    if (bin === "scattered") return spendOnScattered(context, probe);
    return runAdaptiveVote(context, betaRule({ threshold, minSamples: 2 }), context.options.waveSize, { candidates: probe, wave: 1 });
  },
});

export type AutoOptions = NonNullable<Parameters<typeof auto.create>[0]>;

export const createAuto = (options: AutoOptions = {}) => auto.create(options);
