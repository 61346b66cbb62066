/**
 * `mull tune`'s search: replays every candidate profile on stored samples of a dev set (no model calls) and
 * keeps the one its objective prefers. For each probe size (and with or without the verifier scoring the
 * probe) it fits the difficulty estimate, cuts it into bins at its quantiles, replays every action on every
 * question, and chooses one action per bin by a Lagrangian sweep over accuracy − λ·tokens (the
 * multiple-choice knapsack's convex front: compute-optimal allocation in Snell et al.'s sense). A profile
 * meets a tolerance only where it does with `confidence` (a one-sided bound on its paired accuracy loss, question
 * by question), and a small dev set gets fewer bins: the cheapest profile that merely looks good enough on a few
 * dozen questions a bin is a winner's-curse choice that does not hold on new questions.
 */
import type { PoolItem } from "../../extension/pool-item.js";
import { type AutoAction, describeAction, replayAction } from "./auto-plan.js";
import { type DifficultyEstimate, estimateDifficulty, fitDifficultyEstimate, type ProbeFeature, probeFeatures } from "./auto-probe.js";

import { type AutoProfile, binFor, PROFILE_VERSION, type Trust, trustsVerifier } from "./auto-profile.js";

/**
 * `match`: least tokens within `tolerance` of the pool's majority vote (majority@N); `best`: least tokens within
 * `tolerance` of the best profile found; `budget`: best accuracy at most `tokens` generated per question.
 */
export type TuneObjective =
  /** `perGroup`: the tolerance holds within each group (difficulty) too, not only over all. Defaults to false. */
  { kind: "match"; tolerance: number; perGroup?: boolean } | { kind: "best"; tolerance: number } | { kind: "budget"; tokens: number };

export type TuneOptions = {
  pools: PoolItem[];
  objective: TuneObjective;
  /** Probe sizes tried. Defaults to 2, 3 and 4. */
  probeSizes?: number[];
  /** Difficulty bins, at most; fewer where there are under `questionsPerBin` questions a bin. Defaults to 4. */
  bins?: number;
  /** Questions a bin needs at least (0: `bins` whatever the dev set's size). Defaults to 50. */
  questionsPerBin?: number;
  /**
   * How sure a `match` or `best` profile must be to be within its tolerance: its paired accuracy loss against the
   * reference, question by question, has a one-sided lower bound at this confidence above -tolerance. 0 compares
   * the dev accuracies alone. Defaults to 0.9.
   */
  confidence?: number;
  /** What a verifier token costs against a generated one in the objective. Defaults to 0 (reported apart). */
  verifierCost?: number;
  /** Sampling settings the pool was drawn with, copied into the profile. */
  sampling: { temperature: number; topLogprobs: number; window: number };
  tunedOn: Record<string, unknown>;
};

/** Totals over questions: right answers, generated tokens, verifier tokens. */
export type Totals = { questions: number; correct: number; tokens: number; verifierTokens: number };

const add = (a: Totals, b: Totals): Totals => ({
  questions: a.questions + b.questions,
  correct: a.correct + b.correct,
  tokens: a.tokens + b.tokens,
  verifierTokens: a.verifierTokens + b.verifierTokens,
});
const empty: Totals = { questions: 0, correct: 0, tokens: 0, verifierTokens: 0 };

/** One question under one action: right or not, and what it spent. */
export function replayQuestion(item: PoolItem, action: AutoAction, probe: number, scoreProbe: boolean): Totals {
  const { used, selection } = replayAction(action, item.candidates, probe);
  const index = selection.chosen ? item.candidates.indexOf(selection.chosen) : -1;
  const tokens = item.candidates.slice(0, used).reduce((sum, candidate) => sum + candidate.completionTokens, 0);
  const scored = action.kind === "verifier" ? used : scoreProbe ? Math.min(probe, used) : 0;
  return { questions: 1, correct: index >= 0 && item.correct[index] ? 1 : 0, tokens, verifierTokens: scored * item.verifierTokensPerSample };
}

/** The actions tried, for a pool of `size` samples and a probe of `probe`. */
export function actionGrid(size: number, probe: number, scored: boolean): AutoAction[] {
  const counts = [4, 6, 8, 12, 16, 24, 32, 48, 64].filter((count) => count > probe && count <= size);
  return [
    { kind: "stop" },
    ...counts.map((samples): AutoAction => ({ kind: "vote", samples })),
    ...counts.flatMap((samples): AutoAction[] => [0.9, 0.5].map((keep) => ({ kind: "confidence-vote", samples, keep }))),
    ...counts.flatMap((samples): AutoAction[] => [0.8, 0.9, 0.95].map((threshold) => ({ kind: "adaptive", samples, threshold }))),
    ...(scored ? [probe, ...counts].map((samples): AutoAction => ({ kind: "verifier", samples })) : []),
  ];
}

type Plan = {
  /** Right (1) or not (0) on each dev question, in pool order. */
  correct: Uint8Array;
  probe: number;
  scoreProbe: boolean;
  estimate: DifficultyEstimate;
  trust?: Trust;
  bins: BinCondition[];
  choice: AutoAction[];
  perBin: Totals[];
  total: Totals;
  /** Totals per group (difficulty), for a per-group objective. */
  groups: Map<string, Totals>;
  /** The λ this plan was chosen at, and each bin's menu: the actions some λ picks, with their dev totals. */
  price: number;
  menus: { action: AutoAction; totals: Totals }[][];
};

const cost = (totals: Totals, verifierCost: number) => totals.tokens + verifierCost * totals.verifierTokens;

type BinCondition = { estimateBelow?: number; verifierTrusted?: boolean };

/**
 * The probe's bins: quantiles of the estimate that its vote is right and, where the verifier scored the probe,
 * apart for questions where the estimate that the verifier's pick is right is the higher (there the verifier
 * is trusted over the vote: on the bundled models, countdown, where the PRM is nearly an oracle).
 */
/** Questions a bin needs at least: fewer bins are cut where the dev set is small. */
export const questionsPerBin = 50;

/** The bins a dev set of `questions` gets when `asked` are asked for. */
export const binCount = (asked: number, questions: number, perBin = questionsPerBin) =>
  perBin <= 0 ? asked : Math.max(1, Math.min(asked, Math.floor(questions / perBin)));

function binQuestions(options: TuneOptions, probe: number, scoreProbe: boolean) {
  const { pools } = options;
  const hasConfidence = pools.every((item) => item.candidates.every((candidate) => candidate.confidence !== undefined));
  const features: ProbeFeature[] = [
    "agreement",
    "length",
    ...(hasConfidence ? (["confidence"] as const) : []),
    ...(scoreProbe ? (["bestScore"] as const) : []),
  ];
  const rows = pools.map((item) => probeFeatures(item.candidates.slice(0, probe)));
  const rightBy = (action: AutoAction) => pools.map((item) => replayQuestion(item, action, probe, false).correct === 1);
  const estimate = fitDifficultyEstimate({ features, rows, right: rightBy({ kind: "stop" }) });
  const estimates = rows.map((row) => estimateDifficulty(estimate, row).estimate);
  // Which selection more samples would serve better: the verifier's pick of all, or the vote of all.
  const size = Math.min(...pools.map((item) => item.candidates.length));
  const verifierEstimate = scoreProbe ? fitDifficultyEstimate({ features, rows, right: rightBy({ kind: "verifier", samples: size }) }) : undefined;
  const voteAtSize = scoreProbe ? fitDifficultyEstimate({ features, rows, right: rightBy({ kind: "vote", samples: size }) }) : undefined;
  const trust = verifierEstimate && voteAtSize ? { verifier: verifierEstimate, vote: voteAtSize, samples: size } : undefined;
  const trusted = rows.map((row) => (trust ? trustsVerifier(trust, row) : undefined));
  const groups = trust ? [false, true] : [undefined];
  const bins: BinCondition[] = [];
  const binIndex = new Array<number>(pools.length).fill(0);
  for (const group of groups) {
    const members = pools.map((_, index) => index).filter((index) => trusted[index] === group);
    const cuts = quantileCuts(
      members.map((index) => estimates[index] as number),
      binCount(options.bins ?? 4, members.length, options.questionsPerBin),
    );
    const first = bins.length;
    for (const cut of cuts) bins.push({ estimateBelow: cut, ...(group !== undefined ? { verifierTrusted: group } : {}) });
    bins.push(group !== undefined ? { verifierTrusted: group } : {});
    for (const index of members) binIndex[index] = first + cuts.filter((cut) => (estimates[index] as number) >= cut).length;
  }
  return { estimate, ...(trust ? { trust } : {}), bins, binIndex };
}

/** The profiles on the front for one probe setting: one per λ, each bin taking its best action at that λ. */
function frontFor(options: TuneOptions, probe: number, scoreProbe: boolean): Plan[] {
  const { pools } = options;
  const verifierCost = options.verifierCost ?? 0;
  const { estimate, trust, bins, binIndex } = binQuestions(options, probe, scoreProbe);
  const actions = actionGrid(Math.min(...pools.map((item) => item.candidates.length)), probe, scoreProbe);
  // table[bin][action]: the bin's totals under that action.
  const table = bins.map(() => actions.map(() => ({ ...empty })));
  // The same per group: groupTables.get(group)[bin][action].
  const groupTables = new Map<string, Totals[][]>();
  // right[row][action]: whether that question is answered right under that action.
  const right = pools.map(() => new Uint8Array(actions.length));
  pools.forEach((item, row) => {
    const group = item.group ?? "all";
    if (!groupTables.has(group))
      groupTables.set(
        group,
        bins.map(() => actions.map(() => ({ ...empty }))),
      );
    const bin = table[binIndex[row] ?? 0] as Totals[];
    const groupBin = (groupTables.get(group) as Totals[][])[binIndex[row] ?? 0] as Totals[];
    actions.forEach((action, column) => {
      const outcome = replayQuestion(item, action, probe, scoreProbe);
      (right[row] as Uint8Array)[column] = outcome.correct;
      bin[column] = add(bin[column] as Totals, outcome);
      groupBin[column] = add(groupBin[column] as Totals, outcome);
    });
  });
  const lambdas = priceGrid();
  // picksByPrice[λ][bin]: the action (column) each bin takes at that price.
  const picksByPrice = lambdas.map((lambda) => table.map((bin) => bestColumn(bin, lambda, verifierCost)));
  // Each bin's menu: every action some price picks, cheapest first (what a batch allocator chooses among).
  const menus = table.map((bin, index) =>
    [...new Set(picksByPrice.map((picks) => picks[index] as number))]
      .map((column) => ({ action: actions[column] as AutoAction, totals: bin[column] as Totals }))
      .sort((a, b) => cost(a.totals, verifierCost) - cost(b.totals, verifierCost)),
  );
  return lambdas.map((lambda, at) => {
    const picks = picksByPrice[at] as number[];
    const perBin = picks.map((column, bin) => (table[bin] as Totals[])[column] as Totals);
    const choice = picks.map((column) => actions[column] as AutoAction);
    const groups = new Map(
      [...groupTables].map(([group, groupTable]) => [group, picks.map((column, bin) => (groupTable[bin] as Totals[])[column] as Totals).reduce(add, empty)]),
    );
    return {
      correct: Uint8Array.from(pools, (_, row) => (right[row] as Uint8Array)[picks[binIndex[row] ?? 0] as number] as number),
      groups,
      probe,
      scoreProbe,
      estimate,
      ...(trust ? { trust } : {}),
      bins,
      choice,
      perBin,
      total: perBin.reduce(add, empty),
      price: lambda,
      menus,
    };
  });
}

/** Prices tried: 0 and 10^-7 to 10^-1 correct answers per token. */
const priceGrid = () => [0, ...Array.from({ length: 121 }, (_, index) => 10 ** (-7 + index * 0.05))];

/** The action (column) of a bin that maximises right answers − λ·cost; ties go to the cheaper. */
function bestColumn(bin: Totals[], lambda: number, verifierCost: number): number {
  const value = (totals: Totals) => totals.correct - lambda * cost(totals, verifierCost);
  let best = 0;
  bin.forEach((totals, column) => {
    const current = bin[best] as Totals;
    const gain = value(totals) - value(current);
    if (gain > 1e-9 || (Math.abs(gain) <= 1e-9 && cost(totals, verifierCost) < cost(current, verifierCost))) best = column;
  });
  return best;
}

/** `count - 1` cut points at the estimate's quantiles, duplicates dropped. */
function quantileCuts(values: number[], count: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let bin = 1; bin < count; bin++) {
    const cut = sorted[Math.floor((bin * sorted.length) / count)];
    if (cut !== undefined && cut > (cuts.at(-1) ?? Number.NEGATIVE_INFINITY) && cut > (sorted[0] ?? 0)) cuts.push(cut);
  }
  return cuts;
}

/** What `auto` with this profile would have answered and spent on each question of the pools. */
export function replayProfile(profile: AutoProfile, pools: PoolItem[]): Totals[] {
  return pools.map((item) => {
    const { action } = binFor(profile, probeFeatures(item.candidates.slice(0, profile.probe.samples)));
    return replayQuestion(item, action, profile.probe.samples, profile.probe.score);
  });
}

/** Per group (difficulty): the profile against majority@N on the pools, as `mull tune` prints it. */
export function groupTotals(profile: AutoProfile, pools: PoolItem[]): { group: string; profile: Totals; majority: Totals }[] {
  const replayed = replayProfile(profile, pools);
  const groups = [...new Set(pools.map((item) => item.group ?? "all"))].sort();
  return groups.map((group) => {
    const members = pools.map((item, index) => ({ item, index })).filter(({ item }) => (item.group ?? "all") === group);
    return {
      group,
      profile: members.map(({ index }) => replayed[index] as Totals).reduce(add, empty),
      majority: majorityReference(members.map(({ item }) => item)),
    };
  });
}

/** The pool's majority vote over all its samples: the reference (`majority@N`). */
export function majorityReference(pools: PoolItem[]): Totals & { samples: number; correctness: Uint8Array } {
  const samples = Math.min(...pools.map((item) => item.candidates.length));
  const each = pools.map((item) => replayQuestion(item, { kind: "vote", samples }, samples, false));
  return { ...each.reduce(add, empty), samples, correctness: Uint8Array.from(each, (totals) => totals.correct) };
}

/**
 * The one-sided lower bound at `confidence` of the mean paired difference (a − b) over questions (normal
 * approximation). With `creditGains: false` a mean above 0 counts as 0: a profile that spends less than the
 * reference is not credited with beating it on dev (fewer votes of the same samples are not better on average; such
 * a gain is the dev set's luck, the winner's curse), so only its uncertainty decides.
 */
export function pairedLowerBound(a: ArrayLike<number>, b: ArrayLike<number>, confidence: number, options: { creditGains?: boolean } = {}): number {
  const n = a.length;
  if (n === 0) return 0;
  const differences = Array.from({ length: n }, (_, index) => (a[index] as number) - (b[index] as number));
  const mean = differences.reduce((sum, value) => sum + value, 0) / n;
  const credited = options.creditGains === false ? Math.min(0, mean) : mean;
  if (confidence <= 0 || n < 2) return credited;
  const variance = differences.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return credited - normalQuantile(confidence) * Math.sqrt(variance / n);
}

/** The standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (coefficients: number[], x: number) => coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

function pick(
  front: Plan[],
  objective: TuneObjective,
  reference: Totals & { correctness: Uint8Array },
  options: { verifierCost: number; confidence: number },
  groupReference: Map<string, Totals>,
): Plan | undefined {
  const { verifierCost, confidence } = options;
  const accuracy = (candidate: Plan) => candidate.total.correct / Math.max(1, candidate.total.questions);
  const meanCost = (candidate: Plan) => cost(candidate.total, verifierCost) / Math.max(1, candidate.total.questions);
  if (objective.kind === "budget") {
    const within = front.filter((candidate) => meanCost(candidate) <= objective.tokens);
    return within.sort((a, b) => accuracy(b) - accuracy(a) || meanCost(a) - meanCost(b))[0];
  }
  // Against majority@N (match), or the most accurate profile on the front (best), question by question.
  const best = front.reduce((top, candidate) => (accuracy(candidate) > accuracy(top) ? candidate : top), front[0] as Plan);
  const against = objective.kind === "match" ? reference.correctness : best.correct;
  const withinGroups = (candidate: Plan) =>
    objective.kind !== "match" ||
    objective.perGroup !== true ||
    [...groupReference].every(([group, majority]) => {
      const totals = candidate.groups.get(group);
      return totals !== undefined && totals.correct / totals.questions >= majority.correct / majority.questions - objective.tolerance / 100 - 1e-12;
    });
  const bound = (candidate: Plan) => pairedLowerBound(candidate.correct, against, confidence, { creditGains: confidence <= 0 });
  const within = front.filter((candidate) => bound(candidate) >= -objective.tolerance / 100 - 1e-12 && withinGroups(candidate));
  // None is sure enough (a small or noisy set): the one surest to lose least, the cheaper among equals.
  const surest = () => [...front].sort((a, b) => bound(b) - bound(a) || meanCost(a) - meanCost(b))[0];
  return within.length > 0 ? within.sort((a, b) => meanCost(a) - meanCost(b))[0] : surest();
}

export type TuneResult = { profile: AutoProfile; reference: Totals & { samples: number }; dev: Totals };

/** Tunes a profile on the pools; undefined when no profile meets the objective (a budget below every probe). */
export function tuneProfile(options: TuneOptions): TuneResult | undefined {
  const { pools, objective } = options;
  if (pools.length === 0) throw new RangeError("tune: no questions with stored samples to tune on");
  const size = Math.min(...pools.map((item) => item.candidates.length));
  const scored = pools.every((item) => item.candidates.every((candidate) => candidate.score !== undefined));
  const probeSizes = (options.probeSizes ?? [2, 3, 4]).filter((probe) => probe >= 1 && probe <= size);
  const front = probeSizes.flatMap((probe) => [false, ...(scored ? [true] : [])].flatMap((scoreProbe) => frontFor(options, probe, scoreProbe)));
  const reference = majorityReference(pools);
  const groupReference = new Map(
    [...new Set(pools.map((item) => item.group ?? "all"))].map((group) => [group, majorityReference(pools.filter((item) => (item.group ?? "all") === group))]),
  );
  const chosen = pick(front, objective, reference, { verifierCost: options.verifierCost ?? 0, confidence: options.confidence ?? 0.9 }, groupReference);
  if (!chosen) return undefined;
  return { profile: toProfile(chosen, options, reference), reference, dev: chosen.total };
}

const perQuestion = (totals: Totals) => ({
  questions: totals.questions,
  accuracy: totals.correct / Math.max(1, totals.questions),
  tokens: totals.tokens / Math.max(1, totals.questions),
  verifierTokens: totals.verifierTokens / Math.max(1, totals.questions),
});

function toProfile(chosen: Plan, options: TuneOptions, reference: Totals & { samples: number }): AutoProfile {
  return {
    kind: "mull-auto-profile",
    version: PROFILE_VERSION,
    createdAt: new Date().toISOString(),
    tunedOn: { ...options.tunedOn, questions: options.pools.length },
    objective: { ...options.objective, verifierCost: options.verifierCost ?? 0 },
    probe: { samples: chosen.probe, ...options.sampling, score: chosen.scoreProbe },
    estimate: chosen.estimate,
    ...(chosen.trust ? { trust: chosen.trust } : {}),
    price: chosen.price,
    bins: chosen.choice.map((action, bin) => ({
      ...chosen.bins[bin],
      action,
      dev: perQuestion(chosen.perBin[bin] as Totals),
      menu: (chosen.menus[bin] ?? []).map((entry) => ({ action: entry.action, ...perQuestion(entry.totals) })),
    })),
    dev: {
      ...perQuestion(chosen.total),
      majority: { samples: reference.samples, ...perQuestion(reference) },
      plan: chosen.choice.map(describeAction),
    },
  };
}
