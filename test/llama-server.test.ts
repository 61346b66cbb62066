/**
 * Integration with a real server no one here wrote: llama.cpp's own `llama-server`, built from the source
 * node-llama-cpp ships (`scripts/build-llama-server.sh`), serving the bundled models. Skipped, saying so,
 * where the binary has not been built.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { detectUpstreamProfile } from "../src/backends/openai-compatible/upstream-profiles.js";
import { runCli } from "../src/cli/run-cli.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createBeamSearch } from "../src/strategies/search/beam-search.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { llamaServerPath, startLlamaServer } from "./helpers/llama-server.js";

const binary = llamaServerPath();
if (!binary) console.warn("llama-server not built (scripts/build-llama-server.sh): its integration suite is skipped");

describe.skipIf(!binary)("llama.cpp's server as an upstream", () => {
  let policy: Awaited<ReturnType<typeof startLlamaServer>>;
  let prm: Awaited<ReturnType<typeof startLlamaServer>>;
  const tokenizer = createLlamaCppModel({ sequences: 1 });

  beforeAll(async () => {
    policy = await startLlamaServer({ binary: binary as string, model: BUNDLED_POLICY_MODEL, slots: 2 });
    prm = await startLlamaServer({ binary: binary as string, model: BUNDLED_PRM_MODEL, slots: 2 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([policy?.stop(), prm?.stop(), tokenizer.dispose()]);
  });

  /** The policy as its profile says: detected slots as maxN, steps ending in one newline, the bundled prompt format. */
  const detectedPolicy = async () => {
    const detected = await detectUpstreamProfile({ baseURL: policy.url });
    expect(detected.profile).toBe("llama-cpp-server");
    expect(detected.settings.maxN).toBe(2);
    return createOpenAICompatibleModel({
      baseURL: policy.url,
      model: "policy",
      ...detected.settings,
      stepDelimiter: "\n",
      formatProblem: (problem) => `Q: ${problem}\nA: `,
    });
  };

  it("counts the tokens really generated, n beyond the slots included, and the budget holds", async () => {
    const model = await detectedPolicy();
    const result = await model.doGenerate({ prompt: "Q: 17*(3-9)+5\nA: ", n: 5, temperature: 1, seed: 7, logprobs: true, maxTokens: 64 });
    expect(result.completions).toHaveLength(5);
    let counted = 0;
    for (const completion of result.completions) counted += (await tokenizer.tokenize(completion.text)).length;
    // Each completion may end with an end-of-text token the text does not show: within one token each.
    expect(Math.abs(result.usage.completionTokens - counted)).toBeLessThanOrEqual(result.completions.length);
    const budgeted = await createSelfConsistency({ n: 16, waveSize: 4 }).run({
      model,
      call: { prompt: "Q: 23+4*17-(38-9)\nA: ", maxTokens: 64, seed: 1 },
      budget: { maxTokens: 400 },
    });
    expect(budgeted.stopReason).toBe("budget");
    // Over by at most the wave in flight when the budget ran out.
    expect(budgeted.usage.promptTokens + budgeted.usage.completionTokens).toBeLessThanOrEqual(400 + 4 * 80);
  });

  it("beam search with the bundled policy's profile takes one step per call, scored by a PRM on another llama-server", async () => {
    const model = await detectedPolicy();
    const verifier = createProcessRewardModel({ model: createOpenAICompatibleModel({ baseURL: prm.url, model: "prm" }), aggregation: "min" });
    const result = await createBeamSearch({ n: 4, beamWidth: 2, verifier }).run({ model, call: { prompt: "Q: 2+3*4\nA: ", maxTokens: 64, seed: 2 } });
    expect(result.answer).toBe("14");
    const tree = result.trace.find((event): event is Extract<TraceEvent, { type: "search-tree" }> => event.type === "search-tree")?.data;
    const depth = Math.max(...(tree?.nodes.map((node) => node.depth) ?? [0]));
    expect(depth).toBeGreaterThanOrEqual(2);
    expect(tree?.nodes.filter((node) => node.depth > 0).every((node) => !node.step.slice(0, -1).includes("\n"))).toBe(true);
  });

  it("runs mull bench against it from a model spec with the server's profile", async () => {
    const mull = createMull();
    try {
      const lines: string[] = [];
      const spec = `${policy.url}#policy?profile=llama-cpp-server&maxN=2&stepDelimiter=%0A`;
      const args = [
        "bench",
        "--dataset",
        "arith-hard",
        "--limit",
        "4",
        "--strategies",
        "single,self-consistency:n=4",
        "--model",
        spec,
        "--db",
        ":memory:",
        "--json",
      ];
      const code = await runCli({ args, mull, out: (line) => lines.push(line), err: () => {} });
      expect(code).toBe(0);
      const rows = (JSON.parse(lines.join("")) as { summary: { strategy: string; difficulty: string; n: number; errors: number }[] }).summary;
      const all = rows.filter((row) => row.difficulty === "all").map((row) => [row.strategy, row.n, row.errors]);
      expect(all.sort()).toEqual([
        ["self-consistency:n=4", 4, 0],
        ["single", 4, 0],
      ]);
    } finally {
      await mull.dispose();
    }
  });
});
