import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { startServer } from "../src/server/start-server.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";

const prm = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, modelId: "mull-tiny-prm", sequences: 2 });
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ models: { "mull-tiny-prm": prm }, port: 0 });
});
afterAll(async () => {
  await server.close();
  await prm.dispose();
});

describe("the bundled PRM served by mull serve", () => {
  it("returns top log-probabilities over /v1/completions", async () => {
    const response = await fetch(`${server.url}/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mull-tiny-prm", prompt: "Q: 2+3*4\nA: 3*4=12?", max_tokens: 1, temperature: 0, logprobs: 5 }),
    });
    const body = (await response.json()) as { choices: { logprobs: { top_logprobs: Record<string, number>[] } }[] };
    const top = body.choices[0]?.logprobs.top_logprobs[0] ?? {};
    expect(Object.keys(top)).toHaveLength(5);
    expect(top["+"]).toBeGreaterThan(Math.log(0.5));
  });

  it("scores steps remotely as it does locally", async () => {
    const local = createProcessRewardModel({ model: prm, aggregation: "min" });
    const remote = createProcessRewardModel({ model: createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-prm" }), aggregation: "min" });
    // The countdown case once caught a byte-fallback token ("+" as <0x2B>) overwriting "+" in the legacy
    // top_logprobs object: remote scores must equal local ones step by step.
    for (const [prompt, solution] of [
      ["Q: 2+3*4\nA: ", "3*4=12\n2+12=14\n#### 14"],
      ["Q: 2+3*4\nA: ", "3*4=12\n2+12=15\n#### 15"],
      ["Q: reach 24 with 4 7 8 8\nA: ", "8-4=4\n7-4=3\n3*8=24\n#### 24"],
    ] as const) {
      const [a, b] = await Promise.all([local.score({ prompt, solution }), remote.score({ prompt, solution })]);
      expect(b.stepScores).toHaveLength(solution.split("\n").length);
      for (const [index, score] of (b.stepScores ?? []).entries()) expect(Math.abs(score - (a.stepScores?.[index] ?? -1))).toBeLessThan(1e-3);
      expect(b.score).toBeCloseTo(a.score, 3);
    }
    // The PRM knows the policy's own mistakes: a countdown step that makes the target unreachable scores low.
    const prompt = "Q: reach 24 with 4 7 8 8\nA: ";
    const good = await remote.score({ prompt, solution: "8-4=4\n7-4=3\n3*8=24\n#### 24" });
    const bad = await remote.score({ prompt, solution: "8-7=1\n8+1=9\n9*4=36\n#### 24" });
    expect(good.score).toBeGreaterThan(10 * bad.score);
  });
});
