import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createBudgetController } from "../src/bench/budget-total.js";
import { loadDataset } from "../src/bench/datasets.js";
import type { PoolItem } from "../src/bench/sample-pool.js";
import type { Candidate } from "../src/core/strategy-report.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createAuto } from "../src/strategies/auto/auto.js";
import { type AutoAction, replayAction } from "../src/strategies/auto/auto-plan.js";
import { estimateDifficulty, fitDifficultyEstimate, probeFeatures } from "../src/strategies/auto/auto-probe.js";
import { type AutoProfile, loadProfile, PROFILE_VERSION, parseProfile, spendAtPrice } from "../src/strategies/auto/auto-profile.js";
import { crossValidateProfile } from "../src/strategies/auto/cross-validate.js";
import {
  binCount,
  groupTotals,
  majorityReference,
  normalQuantile,
  pairedLowerBound,
  replayProfile,
  replayQuestion,
  tuneProfile,
} from "../src/strategies/auto/tune-profile.js";
import { betaRule } from "../src/strategies/vote/stopping-rules.js";
import { confidenceModel } from "./helpers/confidence-model.js";

const candidate = (answer: string | undefined, tokens = 10, extra: Partial<Candidate> = {}): Candidate => ({
  text: `#### ${answer}`,
  answer,
  finishReason: "stop",
  completionTokens: tokens,
  ...extra,
});

/** A seeded generator, so that the synthetic dev sets are the same on every machine. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Synthetic dev questions: an easy half, whose samples are right 95% of the time, and a hard half, right 40% of
 * the time with the wrong ones scattered; hard samples are longer. Each knows which samples are right.
 */
function syntheticPools(count: number, seed = 1): PoolItem[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, index) => {
    const easy = index % 2 === 0;
    const candidates = Array.from({ length: 32 }, () => {
      const right = next() < (easy ? 0.95 : 0.4);
      return candidate(right ? "42" : String(1 + Math.floor(next() * 5)), easy ? 20 : 60, {
        confidence: { mean: 1, lowestGroup: right ? 2 + next() : 1 + next(), tail: 1, entropy: 0, window: 16 },
      });
    });
    return { id: `q${index}`, group: easy ? "easy" : "hard", candidates, correct: candidates.map((item) => item.answer === "42"), verifierTokensPerSample: 0 };
  });
}

describe("auto's actions replayed on stored samples", () => {
  it("an adaptive action stops exactly where the Beta rule first fires, counting the probe", () => {
    const pool = ["1", "1", "2", "1", "1", "1", "1", "1", "1", "1"].map((answer) => candidate(answer));
    const action: AutoAction = { kind: "adaptive", samples: 10, threshold: 0.95 };
    const { used, selection } = replayAction(action, pool, 2);
    const rule = betaRule({ threshold: 0.95, minSamples: 2 });
    const first = pool.findIndex((_, index) => index + 1 >= 2 && rule.shouldStop(pool.slice(0, index + 1).map((item) => item.answer))) + 1;
    expect(used).toBe(first);
    expect(used).toBeGreaterThan(2);
    expect(selection.answer).toBe("1");
  });

  it("vote, verifier and stop actions use the samples they are given, in order", () => {
    const pool = [candidate("1", 5, { score: 0.1 }), candidate("2", 7, { score: 0.9 }), candidate("2", 9, { score: 0.2 }), candidate("1", 11, { score: 0.3 })];
    expect(replayAction({ kind: "stop" }, pool, 1)).toMatchObject({ used: 1, selection: { answer: "1" } });
    expect(replayAction({ kind: "vote", samples: 3 }, pool, 1)).toMatchObject({ used: 3, selection: { answer: "2" } });
    expect(replayAction({ kind: "verifier", samples: 2 }, pool, 2).selection.chosen).toBe(pool[1]);
    const item: PoolItem = { id: "a", group: null, candidates: pool, correct: [false, true, true, false], verifierTokensPerSample: 3 };
    expect(replayQuestion(item, { kind: "verifier", samples: 4 }, 2, false)).toEqual({ questions: 1, correct: 1, tokens: 32, verifierTokens: 12 });
    expect(replayQuestion(item, { kind: "stop" }, 2, true)).toEqual({ questions: 1, correct: 0, tokens: 12, verifierTokens: 6 });
  });
});

describe("the difficulty estimate", () => {
  it("probe features: the leader's share, the mean lowest-group confidence, the verifier's best score, the mean length", () => {
    const confidence = (value: number) => ({ mean: value, lowestGroup: value, tail: value, entropy: 0, window: 16 });
    const features = probeFeatures([
      candidate("7", 10, { confidence: confidence(2), score: 0.2 }),
      candidate("7", 10, { confidence: confidence(4), score: 0.8 }),
      candidate(undefined, 10, { confidence: confidence(3), score: 0.5 }),
    ]);
    expect(features.agreement).toBeCloseTo(2 / 3, 10);
    expect(features.confidence).toBeCloseTo(3, 10);
    expect(features.bestScore).toBeCloseTo(0.8, 10);
    expect(features.length).toBeCloseTo(10, 10);
    expect(probeFeatures([candidate("7")])).toEqual({ agreement: 1, length: 10 });
  });

  it("is fitted by logistic regression: more agreement, higher estimate, and calibrated on its own data", () => {
    const next = random(7);
    const rows = Array.from({ length: 400 }, () => ({ agreement: Math.floor(next() * 5) / 4 }));
    // P(right) rises with agreement: 0.2 at none, 0.9 at all.
    const right = rows.map((row) => next() < 0.2 + 0.7 * row.agreement);
    const model = fitDifficultyEstimate({ features: ["agreement"], rows, right });
    expect(model.weights[0]).toBeGreaterThan(0);
    const estimates = rows.map((row) => estimateDifficulty(model, row).estimate);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    // Calibration in the large: the mean estimate equals the share right (a logistic fit's property), within 1e-3.
    expect(Math.abs(mean(estimates) - mean(right.map(Number)))).toBeLessThan(1e-3);
    const low = estimateDifficulty(model, { agreement: 0 }).estimate;
    const high = estimateDifficulty(model, { agreement: 1 }).estimate;
    expect(low).toBeGreaterThan(0.1);
    expect(low).toBeLessThan(0.35);
    expect(high).toBeGreaterThan(0.8);
    expect(estimateDifficulty(model, {} as never).missing).toEqual(["agreement"]);
  });
});

describe("mull tune's search", () => {
  const pools = syntheticPools(200);
  const sampling = { temperature: 0.7, topLogprobs: 5, window: 16 };

  it("matches majority@32 within the tolerance at a fraction of its tokens, spending on the hard bins", () => {
    const result = tuneProfile({ pools, objective: { kind: "match", tolerance: 1 }, sampling, tunedOn: { test: true } });
    expect(result).toBeDefined();
    const { profile, dev, reference } = result as NonNullable<typeof result>;
    expect(dev.correct / dev.questions).toBeGreaterThanOrEqual(reference.correct / reference.questions - 0.01 - 1e-9);
    expect(dev.tokens).toBeLessThan(0.5 * reference.tokens);
    // The least promising bin (lowest estimate) spends at least as much as the most promising one.
    const spent = (bin: AutoProfile["bins"][number]) => bin.dev?.tokens ?? 0;
    expect(spent(profile.bins[0] as AutoProfile["bins"][number])).toBeGreaterThanOrEqual(spent(profile.bins.at(-1) as AutoProfile["bins"][number]));
    // What it wrote is a valid profile, and replaying it question by question gives its dev numbers.
    const parsed = parseProfile(JSON.parse(JSON.stringify(profile)), "test");
    const replayed = replayProfile(parsed, pools).reduce((sum, totals) => ({ correct: sum.correct + totals.correct, tokens: sum.tokens + totals.tokens }), {
      correct: 0,
      tokens: 0,
    });
    expect(replayed).toEqual({ correct: dev.correct, tokens: dev.tokens });
  });

  it("a token budget caps the mean spend; the best objective reaches at least the match objective's accuracy", () => {
    const reference = majorityReference(pools);
    const budget = Math.round(0.1 * (reference.tokens / reference.questions));
    const capped = tuneProfile({ pools, objective: { kind: "budget", tokens: budget }, sampling, tunedOn: {} });
    expect((capped?.dev.tokens ?? Number.POSITIVE_INFINITY) / pools.length).toBeLessThanOrEqual(budget);
    const best = tuneProfile({ pools, objective: { kind: "best", tolerance: 0 }, sampling, tunedOn: {} });
    const match = tuneProfile({ pools, objective: { kind: "match", tolerance: 1 }, sampling, tunedOn: {} });
    expect(best?.dev.correct ?? 0).toBeGreaterThanOrEqual(match?.dev.correct ?? Number.POSITIVE_INFINITY);
    expect(tuneProfile({ pools, objective: { kind: "budget", tokens: 1 }, sampling, tunedOn: {} })).toBeUndefined();
  });
});

describe("profiles", () => {
  const profile = (): AutoProfile => ({
    kind: "mull-auto-profile",
    version: PROFILE_VERSION,
    createdAt: "2026-11-26T00:00:00Z",
    tunedOn: {},
    objective: { kind: "match", tolerance: 1 },
    probe: { samples: 2, temperature: 0.7, topLogprobs: 5, window: 16, score: false },
    estimate: { features: ["agreement"], mean: [0.5], scale: [0.25], weights: [4], bias: 0 },
    bins: [{ estimateBelow: 0.9, action: { kind: "vote", samples: 6 } }, { action: { kind: "stop" } }],
  });

  it("a bad profile is refused with the field named; a missing file names the path", () => {
    expect(() => parseProfile({ ...profile(), version: 2 }, "p.json")).toThrow(/p\.json: version/);
    expect(() => parseProfile({ ...profile(), bins: [{ action: { kind: "vote" } }] }, "p.json")).toThrow(/p\.json: bins\.0\.action\.samples/);
    expect(() => parseProfile({ ...profile(), estimate: { ...profile().estimate, weights: [] } }, "p.json")).toThrow(/one entry per feature/);
    expect(() => loadProfile("/nonexistent/profile.json")).toThrow(/cannot read the profile \/nonexistent\/profile\.json/);
    expect(() => createAuto({ profile: "/nonexistent/profile.json" })).toThrow(/cannot read the profile/);
  });

  it("auto follows the profile: a split probe gets its bin's action, an agreeing one stops", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mull-profile-")), "profile.json");
    writeFileSync(path, JSON.stringify(profile()));
    const choice = (trace: TraceEvent[]) => trace.find((event): event is Extract<TraceEvent, { type: "auto-choice" }> => event.type === "auto-choice")?.data;
    const split = confidenceModel([
      { answer: "7", sure: true },
      { answer: "9", sure: false },
    ]);
    const splitResult = await createAuto({ profile: path }).run({ model: split, call: { prompt: "Q: ?\nA: ", seed: 1 } });
    expect(splitResult.candidates).toHaveLength(6);
    expect(choice(splitResult.trace)).toMatchObject({ bin: "bin 1 of 2", plan: "majority of 6" });
    expect(choice(splitResult.trace)?.estimate).toBeCloseTo(0.5, 10);
    const settled = confidenceModel([{ answer: "7", sure: true }]);
    const settledResult = await createAuto({ profile: path }).run({ model: settled, call: { prompt: "Q: ?\nA: ", seed: 1 } });
    expect(settledResult.candidates).toHaveLength(2);
    expect(settled.calls).toHaveLength(1);
    expect(settledResult.settings.options.profile).toBe(path);
  });
});

describe("auto with a profile on the bundled policy", () => {
  const policy = createLlamaCppModel();
  afterAll(() => policy.dispose());

  it("probes, estimates, and runs the chosen bin's action on the real model", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mull-profile-")), "profile.json");
    const document: AutoProfile = {
      kind: "mull-auto-profile",
      version: PROFILE_VERSION,
      createdAt: "2026-11-26T00:00:00Z",
      tunedOn: {},
      objective: {},
      probe: { samples: 3, temperature: 0.7, topLogprobs: 5, window: 16, score: false },
      estimate: { features: ["agreement", "confidence"], mean: [0.8, 2], scale: [0.2, 1], weights: [2, 1], bias: 0 },
      // Every estimate falls in the one bin: 5 samples, confidence-weighted.
      bins: [{ action: { kind: "confidence-vote", samples: 5, keep: 0.9 } }],
    };
    writeFileSync(path, JSON.stringify(document));
    const result = await createAuto({ profile: path }).run({ model: policy, call: { prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", maxTokens: 200, seed: 5 } });
    expect(result.candidates).toHaveLength(5);
    expect(result.candidates.every((item) => item.confidence !== undefined)).toBe(true);
    const choice = result.trace.find((event): event is Extract<TraceEvent, { type: "auto-choice" }> => event.type === "auto-choice")?.data;
    expect(choice?.estimate).toBeGreaterThan(0);
    expect(choice?.estimate).toBeLessThan(1);
    expect(result.answer).toBeDefined();
  });
});

describe("dev and mixed datasets", () => {
  it("mixed takes all six splits in turn; -dev reads problems 300 and up, apart from the evaluation's", () => {
    const mixed = loadDataset({ dataset: "mixed", limit: 12 });
    expect(mixed.items.slice(0, 6).map((item) => item.difficulty)).toEqual([
      "arith-easy",
      "arith-medium",
      "arith-hard",
      "countdown-easy",
      "countdown-medium",
      "countdown-hard",
    ]);
    expect(mixed.items[6]?.id).toBe("arith-easy-1");
    const dev = loadDataset({ dataset: "arith-hard-dev", limit: 3 });
    expect(dev.items.map((item) => item.id)).toEqual(["arith-hard-300", "arith-hard-301", "arith-hard-302"]);
    const test = new Set(loadDataset({ dataset: "arith-hard", limit: 300 }).items.map((item) => item.prompt));
    expect(loadDataset({ dataset: "arith-hard-dev" }).items.some((item) => test.has(item.prompt))).toBe(false);
    expect(() => loadDataset({ dataset: "mixed-hard" })).toThrow();
  });
});

describe("the batch allocator (--budget-total)", () => {
  const pools = syntheticPools(200, 3);
  const tuned = tuneProfile({
    pools,
    objective: { kind: "match", tolerance: 1 },
    sampling: { temperature: 0.7, topLogprobs: 5, window: 16 },
    tunedOn: {},
  });
  const profile = tuned?.profile as AutoProfile;

  it("every bin carries a menu from cheap to dear, and a higher price never spends more", () => {
    for (const bin of profile.bins) {
      const tokens = (bin.menu ?? []).map((entry) => entry.tokens);
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    }
    const prices = [0, 1e-5, 1e-4, 1e-3, 1e-2, 1];
    const spends = prices.map((price) => spendAtPrice(profile, price));
    for (let index = 1; index < spends.length; index++) expect(spends[index]).toBeLessThanOrEqual((spends[index - 1] as number) + 1e-9);
    // At the profile's own price, the forecast is the dev spend of its chosen actions.
    expect(spendAtPrice(profile, profile.price ?? 0)).toBeCloseTo((tuned?.dev.tokens ?? 0) / pools.length, 6);
  });

  it("spends close to the total: each question is priced from the budget left over the questions left", () => {
    const fullSpend = spendAtPrice(profile, 0);
    const total = Math.round(0.5 * fullSpend * 100);
    const controller = createBudgetController({ spendAtPrice: (price) => spendAtPrice(profile, price), total, questions: 100 });
    const prices: number[] = [];
    for (let question = 0; question < 100; question++) {
      const started = controller.start();
      prices.push(started.price);
      controller.finish(started, started.expected);
    }
    // Spending what the forecast says, the set lands within one question's largest spend of the total.
    const largest = Math.max(...profile.bins.flatMap((bin) => (bin.menu ?? []).map((entry) => entry.tokens)));
    expect(Math.abs(controller.spent() - total)).toBeLessThanOrEqual(largest);
    expect(prices.some((price) => price > 0)).toBe(true);
    // A larger budget buys a lower price.
    expect(
      createBudgetController({ spendAtPrice: (price) => spendAtPrice(profile, price), total: total * 2, questions: 100 }).start().price,
    ).toBeLessThanOrEqual(prices[0] as number);
  });

  it("auto at a price takes its bin's menu entry for that price; a price without a profile is refused", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mull-profile-")), "profile.json");
    writeFileSync(path, JSON.stringify(profile));
    const cheap = confidenceModel([
      { answer: "7", sure: true },
      { answer: "9", sure: false },
    ]);
    const result = await createAuto({ profile: path, price: 1 }).run({ model: cheap, call: { prompt: "Q: ?\nA: ", seed: 1 } });
    // At a price of one right answer per token, every bin's cheapest entry: the probe alone.
    expect(result.candidates).toHaveLength(profile.probe.samples);
    await expect(createAuto({ price: 1 }).run({ model: cheap, call: { prompt: "Q: ?\nA: " } })).rejects.toThrow(/give profile=<file> too/);
  });
});

describe("trusting the verifier or the vote", () => {
  /**
   * Two kinds of question, told apart by their probe's length: short ones whose samples scatter (right 30%) but
   * whose verifier is an oracle, and long ones whose vote converges (right 60%) while the verifier is noise.
   */
  function mixedPools(count: number): PoolItem[] {
    const next = random(11);
    return Array.from({ length: count }, (_, index) => {
      const verifierKind = index % 2 === 0;
      const candidates = Array.from({ length: 32 }, () => {
        const right = next() < (verifierKind ? 0.3 : 0.6);
        const answer = right ? "42" : String(1 + Math.floor(next() * 8));
        return candidate(answer, verifierKind ? 20 : 80, { score: verifierKind ? (right ? 0.9 + 0.1 * next() : 0.1 * next()) : next() });
      });
      return {
        id: `q${index}`,
        group: verifierKind ? "verifier" : "vote",
        candidates,
        correct: candidates.map((item) => item.answer === "42"),
        verifierTokensPerSample: 5,
      };
    });
  }

  it("splits the bins by which selection more samples favour, and each kind gets its own", () => {
    const pools = mixedPools(300);
    const result = tuneProfile({ pools, objective: { kind: "best", tolerance: 0 }, sampling: { temperature: 0.7, topLogprobs: 5, window: 16 }, tunedOn: {} });
    const profile = result?.profile as AutoProfile;
    expect(profile.trust).toBeDefined();
    expect(profile.probe.score).toBe(true);
    const groups = groupTotals(profile, pools);
    const accuracy = (name: string) => {
      const found = groups.find((entry) => entry.group === name);
      return (found?.profile.correct ?? 0) / (found?.profile.questions ?? 1);
    };
    // Each kind reaches what its better selection gives: the oracle verifier nearly always, the vote mostly.
    expect(accuracy("verifier")).toBeGreaterThan(0.9);
    const voteOnly = pools.filter((item) => item.group === "vote");
    const majority = majorityReference(voteOnly);
    expect(accuracy("vote")).toBeGreaterThanOrEqual(majority.correct / majority.questions - 0.05);
  });

  it("a per-group match keeps every group within the tolerance of its own majority, not only the total", () => {
    const pools = mixedPools(300);
    const sampling = { temperature: 0.7, topLogprobs: 5, window: 16 };
    const result = tuneProfile({ pools, objective: { kind: "match", tolerance: 1, perGroup: true }, sampling, tunedOn: {} });
    for (const entry of groupTotals(result?.profile as AutoProfile, pools))
      expect(entry.profile.correct / entry.profile.questions).toBeGreaterThanOrEqual(entry.majority.correct / entry.majority.questions - 0.01 - 1e-9);
  });
});

describe("a tuner that holds on fresh questions", () => {
  const sampling = { temperature: 0.7, topLogprobs: 5, window: 16 };

  it("bounds a paired loss with the normal quantile", () => {
    // Φ⁻¹ to 1e-6 of its tabulated values.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    const same = [1, 0, 1, 1];
    expect(pairedLowerBound(same, same, 0.9)).toBe(0);
    // Differences 0, -1, 0, 0, +1, 0, 0, 0: mean 0, sd sqrt(2/7), bound −1.2816·sqrt(2/7)/sqrt(8).
    const a = [1, 0, 1, 1, 1, 0, 1, 1];
    const b = [1, 1, 1, 1, 0, 0, 1, 1];
    expect(pairedLowerBound(a, b, 0.9)).toBeCloseTo(-1.281552 * Math.sqrt(2 / 7 / 8), 5);
    expect(pairedLowerBound(a, b, 0)).toBe(0);
    // A gain over the reference is not credited: only the uncertainty remains.
    expect(pairedLowerBound([1, 1, 0, 1], [0, 0, 0, 1], 0.9, { creditGains: false })).toBeCloseTo(-1.281552 * Math.sqrt(1 / 3 / 4), 5);
  });

  it("cuts fewer bins on a small dev set", () => {
    expect(binCount(4, 120)).toBe(2);
    expect(binCount(4, 40)).toBe(1);
    expect(binCount(4, 1000)).toBe(4);
    expect(binCount(4, 40, 0)).toBe(4);
  });

  it("on 120 noisy questions keeps the tolerance on 2,000 fresh ones within its cross-validated interval, on three seeds", () => {
    const losses = { bounded: 0, pointEstimate: 0 };
    for (const seed of [1, 2, 3]) {
      const dev = syntheticPools(120, seed);
      const fresh = syntheticPools(2000, 100 + seed);
      const options = { pools: dev, objective: { kind: "match" as const, tolerance: 1 }, sampling, tunedOn: {} };
      const tuned = tuneProfile(options);
      const heldOut = crossValidateProfile({ ...options, folds: 5 });
      if (!tuned || !heldOut) throw new Error("no profile");
      expect(heldOut.questions).toBe(120);
      expect(heldOut.difference.low).toBeLessThanOrEqual(heldOut.difference.mean);
      const replayed = replayProfile(tuned.profile, fresh);
      const loss = majorityReference(fresh).correct / fresh.length - replayed.reduce((sum, totals) => sum + totals.correct, 0) / fresh.length;
      const half = (heldOut.difference.high - heldOut.difference.low) / 2;
      expect(loss).toBeLessThanOrEqual(0.01 + half);
      // It still saves: the bound keeps majority's accuracy, not all of its tokens.
      expect(replayed.reduce((sum, totals) => sum + totals.tokens, 0)).toBeLessThan(majorityReference(fresh).tokens);
      // The choice before issue 32 (dev accuracy alone, 4 bins of 30) on the same questions.
      const naive = tuneProfile({ ...options, confidence: 0, questionsPerBin: 0 });
      const naiveRight = replayProfile(naive?.profile as AutoProfile, fresh).reduce((sum, totals) => sum + totals.correct, 0) / fresh.length;
      losses.bounded += loss;
      losses.pointEstimate += majorityReference(fresh).correct / fresh.length - naiveRight;
    }
    // The winner's curse, measured: choosing by dev accuracy alone loses more on fresh questions.
    expect(losses.bounded).toBeLessThan(losses.pointEstimate);
  });
});
