/**
 * A tuned profile for `auto` (written by `mull tune`): a versioned, human-readable JSON document saying how
 * to probe, how to turn the probe into a difficulty estimate, and which action each difficulty bin gets, with
 * the dev-set numbers that justified each choice.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { type AutoAction, actionNeedsVerifier, autoActionSchema } from "./auto-plan.js";
import { difficultyEstimateSchema, estimateDifficulty, type ProbeFeatures } from "./auto-probe.js";

export const PROFILE_VERSION = 1;

const devNumbers = z.strictObject({
  questions: z.number().int().min(0),
  /** Share of these questions whose answer was right, on the dev set. */
  accuracy: z.number().min(0).max(1),
  /** Mean generated tokens per question (the probe included). */
  tokens: z.number().min(0),
  /** Mean verifier tokens per question. */
  verifierTokens: z.number().min(0),
});

export const autoProfileSchema = z.strictObject({
  kind: z.literal("mull-auto-profile"),
  version: z.literal(PROFILE_VERSION),
  createdAt: z.string(),
  /** What it was tuned on: free-form, for people (dataset, model, verifier, samples per question, run id). */
  tunedOn: z.record(z.string(), z.unknown()),
  /** The goal the bins' actions were chosen for. */
  objective: z.record(z.string(), z.unknown()),
  probe: z.strictObject({
    samples: z.number().int().min(1).max(64),
    temperature: z.number().min(0).max(2),
    topLogprobs: z.number().int().min(2).max(20),
    window: z.number().int().min(1).max(4096),
    /** Whether the verifier scores the probe (the estimate then uses its best score). */
    score: z.boolean(),
  }),
  estimate: difficultyEstimateSchema,
  /**
   * Where the verifier scores the probe: from the same signals, P(the verifier's pick of `samples` is right) and
   * P(their vote is right). A question whose first is the higher trusts the verifier (bins say which they hold).
   */
  trust: z.strictObject({ verifier: difficultyEstimateSchema, vote: difficultyEstimateSchema, samples: z.number().int().min(1) }).optional(),
  /** The price of a token (in right answers) the bins' actions were chosen at. */
  price: z.number().min(0).optional(),
  /**
   * In order; a question takes the first bin whose `estimateBelow` its estimate is under (the last has none).
   * `menu`: the actions some price picks in this bin, with their dev numbers (for `auto`'s `price` option and
   * the batch allocator).
   */
  bins: z
    .array(
      z.strictObject({
        estimateBelow: z.number().min(0).max(1).optional(),
        /** The bin holds only questions where the verifier's pick is (true) or is not (false) the likelier right. */
        verifierTrusted: z.boolean().optional(),
        action: autoActionSchema,
        dev: devNumbers.optional(),
        menu: z.array(devNumbers.extend({ action: autoActionSchema })).optional(),
      }),
    )
    .min(1),
  dev: z.record(z.string(), z.unknown()).optional(),
});

export type AutoProfile = z.output<typeof autoProfileSchema>;

/** Whether running the profile needs a verifier. */
export const profileNeedsVerifier = (profile: AutoProfile): boolean => profile.probe.score || profile.bins.some((bin) => actionNeedsVerifier(bin.action));

export type Trust = NonNullable<AutoProfile["trust"]>;

/** Whether more samples would be better judged by the verifier than by their vote, for these probe signals. */
export const trustsVerifier = (trust: Trust, features: ProbeFeatures): boolean =>
  estimateDifficulty(trust.verifier, features).estimate > estimateDifficulty(trust.vote, features).estimate;

/**
 * The bin a probe's signals fall in (the first whose conditions they meet; the last bin takes any left), its
 * action, the difficulty estimate, and the features the estimate wanted but the probe lacked (taken at their
 * dev mean). `auto` runs this; `mull tune` replays it.
 */
export function binFor(profile: AutoProfile, features: ProbeFeatures): { index: number; action: AutoAction; estimate: number; missing: string[] } {
  const { estimate, missing } = estimateDifficulty(profile.estimate, features);
  const verifierTrusted = profile.trust ? trustsVerifier(profile.trust, features) : undefined;
  const index = profile.bins.findIndex(
    (bin) =>
      (bin.verifierTrusted === undefined || bin.verifierTrusted === verifierTrusted) && (bin.estimateBelow === undefined || estimate < bin.estimateBelow),
  );
  const found = index === -1 ? profile.bins.length - 1 : index;
  return { index: found, action: (profile.bins[found] as AutoProfile["bins"][number]).action, estimate, missing };
}

type Bin = AutoProfile["bins"][number];
type MenuEntry = NonNullable<Bin["menu"]>[number];

/** What a token costs against a verifier token in the profile's objective. */
const verifierCostOf = (profile: AutoProfile): number => (typeof profile.objective.verifierCost === "number" ? profile.objective.verifierCost : 0);

/** The menu entry a price picks in a bin: most expected right answers − price × cost; ties to the cheaper. */
export function actionAtPrice(profile: AutoProfile, bin: Bin, price: number): MenuEntry | undefined {
  const verifierCost = verifierCostOf(profile);
  const costOf = (entry: MenuEntry) => entry.tokens + verifierCost * entry.verifierTokens;
  let best: MenuEntry | undefined;
  for (const entry of bin.menu ?? []) {
    const gain = best === undefined ? 1 : entry.accuracy - price * costOf(entry) - (best.accuracy - price * costOf(best));
    if (best === undefined || gain > 1e-12 || (Math.abs(gain) <= 1e-12 && costOf(entry) < costOf(best))) best = entry;
  }
  return best;
}

/** Expected generated tokens per question at a price, by the bins' dev shares (the batch allocator's forecast). */
export function spendAtPrice(profile: AutoProfile, price: number): number {
  const total = profile.bins.reduce((sum, bin) => sum + (bin.dev?.questions ?? 0), 0);
  return profile.bins.reduce((sum, bin) => sum + ((bin.dev?.questions ?? 0) / Math.max(1, total)) * (actionAtPrice(profile, bin, price)?.tokens ?? 0), 0);
}

/** Validates a profile document; errors name the field. */
export function parseProfile(document: unknown, source: string): AutoProfile {
  const parsed = autoProfileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(root)";
    throw new InvalidArgumentError({ parameter: "profile", value: source, message: `${source}: ${field}: ${issue?.message ?? "invalid"}` });
  }
  const profile = parsed.data;
  for (const [field, estimate] of [
    ["estimate", profile.estimate],
    ["trust.verifier", profile.trust?.verifier],
    ["trust.vote", profile.trust?.vote],
  ] as const) {
    const sizes = estimate ? [estimate.mean.length, estimate.scale.length, estimate.weights.length] : [];
    if (estimate && sizes.some((size) => size !== estimate.features.length))
      throw new InvalidArgumentError({
        parameter: "profile",
        value: source,
        message: `${source}: ${field}: mean, scale and weights need one entry per feature`,
      });
  }
  return profile;
}

const loaded = new Map<string, AutoProfile>();

/** Reads and validates a profile file once per path (a server resolves it at every request). */
export function loadProfile(path: string): AutoProfile {
  const cached = loaded.get(path);
  if (cached) return cached;
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "profile", value: path, message: `cannot read the profile ${path}: ${(error as Error).message}` });
  }
  const profile = parseProfile(document, path);
  loaded.set(path, profile);
  return profile;
}
