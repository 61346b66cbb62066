import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { RunStore, type UnitRecord } from "../bench/run-store.js";
import { poolsFromUnits } from "../bench/sample-pool.js";
import type { Compute, ModelSpend } from "../core/compute-cost.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { defaults } from "../runtime/create-mull.js";
import { describeAction } from "../strategies/auto/auto-plan.js";
import { crossValidateProfile, type HeldOutEstimate } from "../strategies/auto/cross-validate.js";
import { binCount, groupTotals, questionsPerBin, type TuneObjective, type TuneOptions, type TuneResult, tuneProfile } from "../strategies/auto/tune-profile.js";
import { type BenchFlags, benchGrid } from "./bench-command.js";
import type { CliContext } from "./cli-context.js";
import { integerOption } from "./parse-flags.js";

type TuneFlags = Pick<BenchFlags, "dataset" | "format" | "promptField" | "answerField" | "template" | "limit" | "model" | "verifier" | "db" | "concurrency"> & {
  samples: number;
  objective: string;
  tolerance: number;
  tokenBudget?: number;
  bins: number;
  probeSizes: string;
  verifierCost: string;
  confidence: number;
  folds: number;
  perGroup?: boolean;
  out: string;
  json?: boolean;
};

export function addTuneCommand(program: Command, context: () => CliContext): void {
  program
    .command("tune")
    .description(
      "Tune a profile for the auto strategy on a dev set: draws (or reuses) stored samples, replays every probe and action on them, writes the profile",
    )
    .requiredOption("--dataset <name|file>", "the dev set: any dataset mull bench reads (mull's own: arith-dev, countdown-dev, mixed-dev, ...)")
    .option("--format <format>", "gsm8k, math, choice, jsonl or csv (default from the file extension)")
    .option("--prompt-field <name>", "prompt field of a JSONL/CSV file")
    .option("--answer-field <name>", "answer field (default answer)")
    .option("--template <text>", "wraps each prompt; {prompt} is replaced")
    .option("--limit <count>", "most questions", integerOption("--limit"))
    .option("-m, --model <spec>", "model spec", defaults.model)
    .option("--verifier <spec>", "score every sample with this verifier, so that profiles may use it (default: none)")
    .option("--samples <count>", "samples per question in the pool (majority of all of them is the reference)", integerOption("--samples", 2), 32)
    .option(
      "--objective <kind>",
      "match: least tokens within --tolerance of majority@samples; best: of the best profile; budget: best accuracy within --token-budget",
      "match",
    )
    .option("--tolerance <points>", "accuracy points the profile may give up (match, best)", Number.parseFloat, 1)
    .option("--per-group", "match: within the tolerance in every group (difficulty) of the dev set too, not only over all (default off)")
    .option("--token-budget <tokens>", "budget: most generated tokens per question on average", integerOption("--token-budget"))
    .option("--bins <count>", "difficulty bins, at most: a bin needs 50 questions, so a small dev set gets fewer", integerOption("--bins"), 4)
    .option(
      "--confidence <level>",
      "match, best: how sure a profile must be, by a one-sided bound on its accuracy loss question by question, to count as within the tolerance (0 compares dev accuracies alone)",
      Number.parseFloat,
      0.9,
    )
    .option("--folds <count>", "cross-validation folds for the accuracy to expect on new questions (1 skips it)", integerOption("--folds"), 5)
    .option("--probe-sizes <list>", "probe sizes tried", "2,3,4")
    .option(
      "--verifier-cost <weight>",
      "what a verifier token costs against a generated one in the objective: a number, or flops (the verifier's size over the policy's, read from the pool)",
      "flops",
    )
    .option("--db <path>", "the run store (the pool is a bench run there, reused by a later tune of the same set)", ".mull/runs.db")
    .option("--concurrency <count>", "questions in flight while drawing the pool", integerOption("--concurrency"), 2)
    .option("-o, --out <file>", "where to write the profile", "auto-profile.json")
    .option("--json", "print the result as JSON")
    .action((flags: TuneFlags) => tuneCommand(flags, context()));
}

function objectiveOf(flags: TuneFlags): TuneObjective {
  if (flags.objective === "match" || flags.objective === "best") {
    if (!Number.isFinite(flags.tolerance) || flags.tolerance < 0)
      throw new InvalidArgumentError({ parameter: "--tolerance", value: String(flags.tolerance), message: "must be accuracy points >= 0" });
    return flags.objective === "match"
      ? { kind: "match", tolerance: flags.tolerance, perGroup: flags.perGroup === true }
      : { kind: "best", tolerance: flags.tolerance };
  }
  if (flags.objective === "budget") {
    if (flags.tokenBudget === undefined) throw new InvalidArgumentError({ parameter: "--token-budget", message: "is required with --objective budget" });
    return { kind: "budget", tokens: flags.tokenBudget };
  }
  throw new InvalidArgumentError({ parameter: "--objective", value: flags.objective, message: "must be match, best or budget" });
}

function probeSizesOf(list: string, samples: number): number[] {
  const sizes = list.split(",").map((value) => Number(value.trim()));
  const bad = sizes.find((size) => !Number.isInteger(size) || size < 1 || size > samples);
  if (bad !== undefined || sizes.length === 0)
    throw new InvalidArgumentError({ parameter: "--probe-sizes", value: list, message: `must be integers from 1 to --samples (${samples}), comma-separated` });
  return sizes;
}

/** The pool's bench configuration: a stored run with the same one is resumed rather than drawn again. */
function poolConfig(flags: TuneFlags): BenchFlags {
  // Top-5 log-probabilities give each sample its confidence signals; the other settings are the strategy's defaults.
  const strategy = `repeated-sampling:n=${flags.samples}:topLogprobs=5`;
  const config: Record<string, unknown> = {
    dataset: flags.dataset,
    format: flags.format,
    promptField: flags.promptField,
    answerField: flags.answerField,
    template: flags.template,
    limit: flags.limit,
    strategies: strategy,
    budgets: "none",
    model: flags.model,
    verifier: flags.verifier,
    concurrency: flags.concurrency,
  };
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)) as BenchFlags;
}

/** The settings the pool was drawn with (stored with each unit); the profile's probe samples the same way. */
function samplingOf(units: UnitRecord[]): { temperature: number; topLogprobs: number; window: number } {
  const options = (units[0]?.detail.settings as { options?: Record<string, unknown> } | undefined)?.options ?? {};
  const number = (key: string, fallback: number) => (typeof options[key] === "number" ? (options[key] as number) : fallback);
  return { temperature: number("temperature", 0.7), topLogprobs: number("topLogprobs", 5), window: number("window", 16) };
}

const sameKeys = ["dataset", "format", "promptField", "answerField", "template", "limit", "strategies", "model", "verifier"] as const;

/** `mull tune`: draw or reuse the pool, tune, write the profile. */
export async function tuneCommand(flags: TuneFlags, context: CliContext): Promise<void> {
  const objective = objectiveOf(flags);
  const probeSizes = probeSizesOf(flags.probeSizes, flags.samples);
  if (!(flags.confidence >= 0 && flags.confidence < 1))
    throw new InvalidArgumentError({ parameter: "--confidence", value: String(flags.confidence), message: "must be a number from 0 to below 1" });
  const givenCost = flags.verifierCost === "flops" ? undefined : Number(flags.verifierCost);
  if (givenCost !== undefined && !(Number.isFinite(givenCost) && givenCost >= 0))
    throw new InvalidArgumentError({ parameter: "--verifier-cost", value: flags.verifierCost, message: "must be a number >= 0, or flops" });
  const store = new RunStore(flags.db);
  try {
    const config = poolConfig(flags);
    const stored = store.listRuns().find((run) => sameKeys.every((key) => run.config[key] === (config as Record<string, unknown>)[key]));
    if (stored) context.err(`reusing the stored pool ${stored.id} (${stored.units} questions stored)\n`);
    const summary = await benchGrid({ store, config, context, ...(stored ? { runId: stored.id } : {}), json: flags.json === true });
    if (!summary) return;
    const units = store.units(summary.runId);
    const { pools, skipped } = poolsFromUnits(units);
    if (skipped > 0) context.err(`${skipped} questions left out (their units errored)\n`);
    const verifierCost = givenCost ?? verifierFlopRatio(units, context);
    const tuning: TuneOptions = {
      pools,
      objective,
      probeSizes,
      bins: flags.bins,
      confidence: flags.confidence,
      verifierCost,
      sampling: samplingOf(units),
      tunedOn: { dataset: flags.dataset, model: flags.model, verifier: flags.verifier ?? null, samples: flags.samples, run: summary.runId, db: flags.db },
    };
    const result = tuneProfile(tuning);
    if (!result) throw new InvalidArgumentError({ parameter: "--token-budget", message: "no profile spends this little: even the smallest probe costs more" });
    writeFileSync(flags.out, `${JSON.stringify(result.profile, null, 2)}\n`);
    const groups = groupTotals(result.profile, pools);
    const heldOut = flags.folds > 1 ? crossValidateProfile({ ...tuning, folds: flags.folds }) : undefined;
    const warnings = smallSetWarnings({ asked: flags.bins, questions: pools.length, objective, heldOut });
    for (const warning of warnings) context.err(`warning: ${warning}\n`);
    context.out(
      flags.json
        ? JSON.stringify({ out: flags.out, profile: result.profile, groups, ...(heldOut ? { heldOut } : {}), warnings })
        : describeResult(result, flags.out, groups, heldOut),
    );
  } finally {
    store.close();
  }
}

/**
 * What one verifier token costs against one policy token in FLOPs: the verifier's parameters over the policy's, read
 * from what the pool's units stored (each model's FLOPs over its tokens). 0 without a verifier; where the pool cannot
 * tell (a pool stored before runs reported compute, or a model of unknown size), 0 with a warning.
 */
function verifierFlopRatio(units: UnitRecord[], context: CliContext): number {
  const perToken = (role: ModelSpend["role"]) => {
    const spends = units.flatMap((unit) => Object.values((unit.detail.compute as Compute | undefined)?.models ?? {}).filter((spend) => spend.role === role));
    const tokens = spends.reduce((sum, spend) => sum + spend.promptTokens + spend.completionTokens, 0);
    const flops = spends.every((spend) => spend.flops !== undefined) ? spends.reduce((sum, spend) => sum + (spend.flops ?? 0), 0) : undefined;
    return tokens > 0 && flops !== undefined ? flops / tokens : undefined;
  };
  const scored = units.some((unit) => Number(unit.detail.verifierTokens ?? 0) > 0);
  if (!scored) return 0;
  const verifier = perToken("verifier");
  const policy = perToken("policy");
  if (verifier === undefined || policy === undefined || policy === 0) {
    context.err("the pool does not say what the verifier costs (stored before runs reported compute, or a model of unknown size): --verifier-cost 0\n");
    return 0;
  }
  const ratio = verifier / policy;
  context.err(`a verifier token costs ${ratio.toFixed(2)} policy tokens (FLOPs: the verifier's size over the policy's)\n`);
  return ratio;
}

/** What the user should know about a small dev set: fewer bins than asked, and a loss known less well than the tolerance. */
function smallSetWarnings(options: { asked: number; questions: number; objective: TuneObjective; heldOut: HeldOutEstimate | undefined }): string[] {
  const { asked, questions, objective, heldOut } = options;
  const warnings: string[] = [];
  const bins = binCount(asked, questions);
  if (bins < asked) warnings.push(`${questions} questions make ${bins} bin${bins === 1 ? "" : "s"}, not ${asked} (a bin needs ${questionsPerBin})`);
  if (heldOut && objective.kind !== "budget") {
    const half = (heldOut.difference.high - heldOut.difference.low) / 2;
    if (100 * half > objective.tolerance)
      warnings.push(
        `the dev set is too small for a ${objective.tolerance}-point tolerance: on new questions the profile's loss against majority is known to ±${(100 * half).toFixed(1)} points; more questions let the tuner save more with confidence`,
      );
  }
  return warnings;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
const points = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(100 * value).toFixed(1)}`;

function describeResult(result: TuneResult, out: string, groups: ReturnType<typeof groupTotals>, heldOut: HeldOutEstimate | undefined): string {
  const { profile, reference, dev } = result;
  const lines = [
    `wrote ${out}: probe ${profile.probe.samples} samples${profile.probe.score ? ", scored by the verifier" : ""}, ${profile.bins.length} bins`,
    "",
    "| bin | trusts | P(probe vote right) | questions | action | dev accuracy | tokens | verifier tokens |",
    "|---|---|---|---|---|---|---|---|",
    ...profile.bins.map((bin, index) => {
      const previous = profile.bins[index - 1];
      const low = previous && previous.verifierTrusted === bin.verifierTrusted ? (previous.estimateBelow ?? 0) : 0;
      const range = `${low.toFixed(3)}–${bin.estimateBelow === undefined ? "1" : bin.estimateBelow.toFixed(3)}`;
      const trusts = bin.verifierTrusted === undefined ? "vote" : bin.verifierTrusted ? "verifier" : "vote";
      const numbers = bin.dev;
      return `| ${index + 1} | ${trusts} | ${range} | ${numbers?.questions ?? 0} | ${describeAction(bin.action)} | ${percent(numbers?.accuracy ?? 0)} | ${(numbers?.tokens ?? 0).toFixed(0)} | ${(numbers?.verifierTokens ?? 0).toFixed(0)} |`;
    }),
    "",
    `dev: ${percent(dev.correct / dev.questions)} at ${(dev.tokens / dev.questions).toFixed(0)} generated tokens per question (${percent(dev.tokens / Math.max(1, reference.tokens))} of majority@${reference.samples}'s), ${(dev.verifierTokens / dev.questions).toFixed(0)} verifier tokens`,
    `majority@${reference.samples}: ${percent(reference.correct / reference.questions)} at ${(reference.tokens / reference.questions).toFixed(0)}`,
    ...(groups.length > 1
      ? [
          "",
          "| group | questions | profile | tokens | majority | tokens |",
          "|---|---|---|---|---|---|",
          ...groups.map(
            ({ group, profile: totals, majority }) =>
              `| ${group} | ${totals.questions} | ${percent(totals.correct / totals.questions)} | ${(totals.tokens / totals.questions).toFixed(0)} | ${percent(majority.correct / majority.questions)} | ${(majority.tokens / majority.questions).toFixed(0)} |`,
          ),
        ]
      : []),
    ...(heldOut
      ? [
          `expected on new questions (${heldOut.folds}-fold cross-validation, ${heldOut.questions} questions held out): ${percent(heldOut.accuracy.mean)} [${percent(heldOut.accuracy.low)}, ${percent(heldOut.accuracy.high)}], ${points(heldOut.difference.mean)} points against majority@${reference.samples} [${points(heldOut.difference.low)}, ${points(heldOut.difference.high)}] at ${percent(heldOut.tokens / Math.max(1, heldOut.majorityTokens))} of its tokens`,
        ]
      : []),
    "The dev numbers above are the dev set's own (the choice was made on them); the cross-validated line is what to expect. Evaluate on held-out data: mull bench --strategies auto:profile=<file>",
  ];
  return lines.join("\n");
}
