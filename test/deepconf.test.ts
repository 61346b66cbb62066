import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { TokenLogprob } from "../src/core/generate-result.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { lowestWindowMean, tokenConfidence, traceConfidence } from "../src/internal/token-confidence.js";
import { createAuto } from "../src/strategies/auto/auto.js";
import { createDeepConf } from "../src/strategies/vote/deepconf.js";
import { keepThreshold } from "../src/strategies/vote/deepconf-vote.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { createTaskOracle } from "../src/tasks/task-oracle.js";
import { confidenceModel } from "./helpers/confidence-model.js";

describe("token confidence (DeepConf's signals)", () => {
  it("a token's confidence is the negative mean of its top log-probabilities", () => {
    expect(
      tokenConfidence({
        token: "a",
        logprob: -0.1,
        topLogprobs: [
          { token: "a", logprob: -0.1 },
          { token: "b", logprob: -2.3 },
        ],
      }),
    ).toBeCloseTo(1.2, 10);
    expect(tokenConfidence({ token: "a", logprob: -0.1 })).toBeUndefined();
  });

  it("the lowest group is the lowest mean over a sliding window; a short trace is one group", () => {
    expect(lowestWindowMean([3, 1, 2, 5], 2)).toBeCloseTo(1.5, 10);
    expect(lowestWindowMean([3, 1], 4)).toBeCloseTo(2, 10);
  });

  it("a trace's signals: mean, lowest group, tail and top-k entropy; none without top log-probabilities", () => {
    const sure = (token: string): TokenLogprob => ({
      token,
      logprob: -0.01,
      topLogprobs: [
        { token, logprob: -0.01 },
        { token: "x", logprob: -9.99 },
      ],
    });
    const unsure = (token: string): TokenLogprob => ({
      token,
      logprob: Math.log(0.5),
      topLogprobs: [
        { token, logprob: Math.log(0.5) },
        { token: "x", logprob: Math.log(0.5) },
      ],
    });
    const signals = traceConfidence([sure("a"), sure("b"), unsure("c"), unsure("d")], 2);
    expect(signals?.mean).toBeCloseTo((5 + 5 + Math.log(2) + Math.log(2)) / 4, 10);
    expect(signals?.lowestGroup).toBeCloseTo(Math.log(2), 10);
    expect(signals?.tail).toBeCloseTo(Math.log(2), 10);
    // Two equally likely tokens: entropy ln 2 at those positions.
    expect(signals?.entropy).toBeGreaterThan(Math.log(2) / 2 - 1e-9);
    expect(traceConfidence([{ token: "a", logprob: -1 }])).toBeUndefined();
  });

  it("the threshold is the confidence the kept share reaches", () => {
    expect(keepThreshold([5, 1, 3, 4], 0.5)).toBe(4);
    expect(keepThreshold([5, 1, 3, 4], 0.9)).toBe(1);
    expect(keepThreshold([2], 0.1)).toBe(2);
  });
});

describe("deepconf mechanics (scripted traces)", () => {
  const script = [
    { answer: "7", sure: true },
    { answer: "9", sure: false },
    { answer: "9", sure: false },
    { answer: "7", sure: true },
    { answer: "9", sure: false },
    { answer: "9", sure: false },
    { answer: "7", sure: true },
    { answer: "9", sure: false },
  ];

  it("offline: the confident minority outvotes the hesitant majority once the least confident are dropped", async () => {
    const call = { prompt: "Q: ?\nA: ", seed: 1 };
    const majority = await createSelfConsistency({ n: 8 }).run({ model: confidenceModel(script), call });
    expect(majority.answer).toBe("9");
    const model = confidenceModel(script);
    const result = await createDeepConf({ n: 8, keep: 0.3 }).run({ model, call });
    expect(result.answer).toBe("7");
    expect(model.calls[0]).toMatchObject({ logprobs: true, topLogprobs: 5 });
    const filter = result.trace.find((event): event is Extract<TraceEvent, { type: "confidence-filter" }> => event.type === "confidence-filter");
    expect(filter?.data).toMatchObject({ metric: "lowest-group", kept: 3, of: 8 });
    expect(result.candidates.every((candidate) => candidate.confidence !== undefined)).toBe(true);
  });

  it("online: warm-up sets the threshold, hesitant traces are stopped early, a settled vote ends the run", async () => {
    const model = confidenceModel(script);
    const result = await createDeepConf({ n: 32, mode: "online", warmup: 4, keep: 0.5, window: 4, waveSize: 2 }).run({
      model,
      call: { prompt: "Q: ?\nA: ", seed: 1 },
    });
    expect(result.answer).toBe("7");
    // The warm-up (two calls of 2) has two sure "7" traces that pass the threshold and hold the whole vote: settled.
    expect(model.calls).toHaveLength(2);
    expect(result.candidates).toHaveLength(4);

    const slow = confidenceModel([
      { answer: "7", sure: true },
      { answer: "8", sure: true },
      { answer: "9", sure: false },
      { answer: "9", sure: false },
    ]);
    const settled = await createDeepConf({ n: 12, mode: "online", warmup: 4, keep: 0.5, window: 4, waveSize: 2, consensus: 0.99 }).run({
      model: slow,
      call: { prompt: "Q: ?\nA: ", seed: 1 },
    });
    const filter = settled.trace.find((event): event is Extract<TraceEvent, { type: "confidence-filter" }> => event.type === "confidence-filter");
    // After the warm-up (two calls), 8 traces stream one per call: the 4 hesitant ones stop at their first window.
    expect(slow.calls).toHaveLength(2 + 8);
    expect(filter?.data.stoppedEarly).toBe(4);
    expect(filter?.data.kept).toBe(2 + 4);
  });
});

describe("deepconf on the bundled policy", () => {
  const policy = createLlamaCppModel();
  afterAll(() => policy.dispose());
  const call = { prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", maxTokens: 200, seed: 3 };

  it("offline: every candidate carries its confidence signals and the filter is traced", async () => {
    const result = await createDeepConf({ n: 8 }).run({ model: policy, call });
    expect(result.candidates).toHaveLength(8);
    for (const candidate of result.candidates) {
      expect(candidate.confidence?.lowestGroup).toBeGreaterThan(0);
      expect(candidate.confidence?.lowestGroup).toBeLessThanOrEqual((candidate.confidence?.mean ?? 0) + 1e-9);
    }
    const filter = result.trace.find((event): event is Extract<TraceEvent, { type: "confidence-filter" }> => event.type === "confidence-filter");
    expect(filter?.data.kept).toBeGreaterThanOrEqual(Math.ceil(0.9 * 8));
    expect(result.answer).toBeDefined();
  });

  it("auto sends a scattered question to the verifier when told to: every sample scored, the best returned", async () => {
    const verifier = createTaskOracle({ task: "arith" });
    // At temperature 3 the probe's answers scatter.
    const result = await createAuto({ scattered: "verifier", hardSamples: 4, temperature: 3, verifier }).run({ model: policy, call });
    const choice = result.trace.find((event): event is Extract<TraceEvent, { type: "auto-choice" }> => event.type === "auto-choice")?.data;
    expect(choice?.bin).toBe("scattered");
    expect(result.candidates).toHaveLength(8);
    expect(result.candidates.every((candidate) => candidate.score !== undefined)).toBe(true);
    expect(result.settings.verifier).toBeDefined();
  });

  it("online: draws at most n traces, counts the stopped ones' tokens, and reports the filter", async () => {
    const result = await createDeepConf({ n: 16, mode: "online", warmup: 4, keep: 0.5, waveSize: 4 }).run({ model: policy, call });
    const filter = result.trace.find((event): event is Extract<TraceEvent, { type: "confidence-filter" }> => event.type === "confidence-filter");
    expect(filter).toBeDefined();
    expect((filter?.data.of ?? 0) + (filter?.data.stoppedEarly ?? 0)).toBeLessThanOrEqual(16);
    expect(result.usage.completionTokens).toBeGreaterThanOrEqual(result.candidates.reduce((sum, candidate) => sum + candidate.completionTokens, 0));
  });
});

describe("auto's default policy (scripted answers)", () => {
  const run = (script: { answer: string; sure: boolean }[], options: Parameters<typeof createAuto>[0] = {}) => {
    const model = confidenceModel(script);
    return { model, result: createAuto(options).run({ model, call: { prompt: "Q: ?\nA: ", seed: 1 } }) };
  };
  const choice = (trace: TraceEvent[]) => trace.find((event): event is Extract<TraceEvent, { type: "auto-choice" }> => event.type === "auto-choice")?.data;

  it("a probe that agrees settles the question: nothing more is spent", async () => {
    const { model, result } = run([{ answer: "7", sure: true }]);
    const done = await result;
    expect(done.answer).toBe("7");
    expect(model.calls).toHaveLength(1);
    expect(done.candidates).toHaveLength(4);
    expect(choice(done.trace)).toMatchObject({ bin: "settled", probeAgreement: 1 });
  });

  it("a split probe goes on voting adaptively from the probe's samples", async () => {
    const { model, result } = run([
      { answer: "7", sure: true },
      { answer: "7", sure: true },
      { answer: "7", sure: true },
      { answer: "9", sure: false },
    ]);
    const done = await result;
    expect(choice(done.trace)).toMatchObject({ bin: "split", probeAgreement: 0.75 });
    expect(done.answer).toBe("7");
    expect(model.calls.length).toBeGreaterThan(1);
    expect(done.candidates.length).toBeLessThanOrEqual(32);
    // The probe's own samples vote: its 4 plus at least one wave.
    expect(done.candidates.length).toBeGreaterThan(4);
  });

  it("a scattered probe gets a few more samples and a confidence-weighted vote", async () => {
    const { model, result } = run(
      [
        { answer: "1", sure: false },
        { answer: "2", sure: false },
        { answer: "3", sure: false },
        { answer: "4", sure: true },
      ],
      { hardSamples: 8 },
    );
    const done = await result;
    expect(choice(done.trace)).toMatchObject({ bin: "scattered", probeAgreement: 0.25 });
    expect(done.candidates).toHaveLength(12);
    // Every answer holds 3 of 12; the sure one carries the most confidence.
    expect(done.answer).toBe("4");
    expect(model.calls[1]?.seed).not.toBe(model.calls[0]?.seed);
  });
});
