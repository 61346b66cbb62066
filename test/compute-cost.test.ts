import { afterAll, describe, expect, it } from "vitest";
import { ggufParameterCount } from "../src/backends/llama-cpp/gguf-parameters.js";
import { BUNDLED_CHAT_MODEL, BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { computeOf, costOfTokens } from "../src/core/compute-cost.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createMull } from "../src/runtime/create-mull.js";

// Parameter counts the training scripts printed (models/README.md): the header reader must find the same.
const policyParameters = 5_296_384;
const prmParameters = 15_613_824;

describe("a GGUF's parameter count, from its tensor table", () => {
  it("matches the counts the bundled models were trained with", () => {
    expect(ggufParameterCount(BUNDLED_POLICY_MODEL)).toBe(policyParameters);
    expect(ggufParameterCount(BUNDLED_CHAT_MODEL)).toBe(15_615_360);
    expect(ggufParameterCount(BUNDLED_PRM_MODEL)).toBe(prmParameters);
  });

  it("is unknown, not an error, for a file that is not GGUF", () => {
    expect(ggufParameterCount("package.json")).toBeUndefined();
    expect(ggufParameterCount("no/such/file.gguf")).toBeUndefined();
  });
});

describe("costs of tokens", () => {
  it("are 2 FLOPs per parameter per token, and money at the model's price per million", () => {
    const cost = costOfTokens({ parameters: 1000, pricePerMillion: { prompt: 2, completion: 8 } }, { promptTokens: 100, completionTokens: 50 });
    expect(cost.flops).toBe(2 * 1000 * 150);
    expect(cost.money).toBeCloseTo((100 * 2 + 50 * 8) / 1e6, 12);
    expect(costOfTokens(undefined, { promptTokens: 1, completionTokens: 1 })).toEqual({});
  });

  it("total only where every model's size is known", () => {
    const known = computeOf({
      policy: { role: "policy", promptTokens: 10, completionTokens: 5, flops: 30 },
      prm: { role: "verifier", promptTokens: 20, completionTokens: 0, flops: 60 },
    });
    expect(known.flops).toBe(90);
    expect(known.verifierFlops).toBe(60);
    const unknown = computeOf({
      policy: { role: "policy", promptTokens: 10, completionTokens: 5, flops: 30 },
      other: { role: "model", promptTokens: 1, completionTokens: 1 },
    });
    expect(unknown.flops).toBeUndefined();
  });
});

describe("a run's compute on the bundled policy and PRM", () => {
  const mull = createMull();
  afterAll(() => mull.dispose());
  const problem = "23+4*17-(38-9)";

  it("counts the verifier at its own size beside the policy", async () => {
    const result = await mull.run({ strategy: "best-of-n:n=4", problem, seed: 1 });
    const compute = result.compute;
    if (!compute) throw new Error("no compute reported");
    const policyTokens = result.usage.promptTokens + result.usage.completionTokens;
    expect(result.verifierTokens ?? 0).toBeGreaterThan(0);
    // Relative tolerance 1e-9: sums of integers times integers, in doubles.
    expect(compute.flops).toBeCloseTo(2 * policyParameters * policyTokens + 2 * prmParameters * (result.verifierTokens ?? 0), -3);
    expect(compute.verifierFlops).toBeCloseTo(2 * prmParameters * (result.verifierTokens ?? 0), -3);
    // The PRM is about three times the policy: per token it costs about three times as much.
    expect(prmParameters / policyParameters).toBeGreaterThan(2.9);
    expect(
      Object.values(compute.models)
        .map((spend) => spend.role)
        .sort(),
    ).toEqual(["policy", "verifier"]);
  });

  it("stops a FLOPs budget within one wave, the verifier counted unless told otherwise", async () => {
    const maxFlops = 2e9;
    const counted = await mull.run({ strategy: "best-of-n:n=8", problem, seed: 2, budget: { maxFlops } });
    expect(counted.stopReason).toBe("budget");
    // One wave of 4 samples (a budgeted run samples in waves of 4) and its scoring may pass the limit, no more.
    const policyWave = 2 * policyParameters * (counted.usage.promptTokens + counted.usage.completionTokens);
    expect(counted.usage.calls).toBe(1);
    expect(policyWave).toBeLessThan(maxFlops * 1.5);
    const apart = await mull.run({ strategy: "best-of-n:n=8", problem, seed: 2, budget: { maxFlops, countVerifier: false } });
    // Without the verifier in the count the policy may spend up to the limit before stopping.
    expect(apart.usage.completionTokens).toBeGreaterThanOrEqual(counted.usage.completionTokens);
  });

  it("refuses a FLOPs or money budget, before anything is spent, where a model cannot be counted", async () => {
    const unsized = mull.model("http://127.0.0.1:9/v1#nothing-listens-here");
    await expect(mull.run({ strategy: "single", model: unsized, problem, budget: { maxFlops: 1e12 } })).rejects.toSatisfy(
      (error: unknown) => InvalidArgumentError.isInstance(error) && /nothing-listens-here has no parameter count/.test(String((error as Error).message)),
    );
    await expect(mull.run({ strategy: "single", problem, budget: { maxMoney: 1 } })).rejects.toThrow(/has none \(give it one/);
  });
});

describe("money on a priced model", () => {
  const model = createLlamaCppModel({ cost: { pricePerMillion: { prompt: 1000, completion: 4000 } } });
  const mull = createMull();
  afterAll(async () => {
    await model.dispose();
    await mull.dispose();
  });

  it("is reported from the model's price and stops a money budget", async () => {
    const result = await mull.run({ strategy: "self-consistency:n=4", model, problem: "12+30", seed: 3 });
    expect(result.compute?.money).toBeCloseTo((result.usage.promptTokens * 1000 + result.usage.completionTokens * 4000) / 1e6, 9);
    // The size is still read from the file when only a price is given.
    expect(result.compute?.flops).toBe(2 * policyParameters * (result.usage.promptTokens + result.usage.completionTokens));
    const capped = await mull.run({ strategy: "self-consistency:n=16", model, problem: "12+30", seed: 3, budget: { maxMoney: 0.3 } });
    expect(capped.stopReason).toBe("budget");
    expect(capped.compute?.money ?? 0).toBeGreaterThanOrEqual(0.3);
  });
});
