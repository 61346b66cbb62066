import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { createMull } from "../src/runtime/create-mull.js";
import { stepPrefix } from "../src/strategies/compose/verifier-components.js";
import { createAbMcts, thompsonDraw } from "../src/strategies/search/ab-mcts.js";
import { loadSplit } from "../src/tasks/splits.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";
import { answerCompletions, closeLocalServers, serveLocal } from "./helpers/local-server.js";

describe("AB-MCTS's Thompson draws", () => {
  it("draw from the Beta posterior of the scores (mean within 0.02 of (1 + Σs) / (2 + n))", () => {
    const random = createRandom(7);
    for (const scores of [[], [1, 1, 1, 1], [0, 0, 0.5], [0.9, 0.8, 0.95, 0.7, 0.99, 0.85]]) {
      const draws = Array.from({ length: 4000 }, () => thompsonDraw(random, scores));
      const mean = draws.reduce((sum, draw) => sum + draw, 0) / draws.length;
      const expected = (1 + scores.reduce((sum, score) => sum + score, 0)) / (2 + scores.length);
      expect(Math.abs(mean - expected)).toBeLessThan(0.02);
      expect(draws.every((draw) => draw > 0 && draw < 1)).toBe(true);
    }
  });
});

describe("ab-mcts on the bundled policy and PRM", () => {
  const model = createLlamaCppModel();
  const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
  afterAll(async () => {
    await model.dispose();
    await prmModel.dispose();
  });

  it("grows a tree of fresh samples and refinements, each refinement continuing its parent before its weakest step", async () => {
    const [problem] = loadSplit({ task: "countdown", difficulty: "medium", limit: 1 });
    if (!problem) throw new Error("no countdown problem");
    const verifier = createProcessRewardModel({ model: prmModel });
    const result = await createAbMcts({ n: 10, verifier }).run({ model, call: { prompt: problem.prompt, seed: 3 } });
    const tree = result.trace.find((event) => event.type === "search-tree");
    if (tree?.type !== "search-tree") throw new Error("no tree");
    const nodes = tree.data.nodes;
    expect(nodes).toHaveLength(11);
    expect(result.candidates).toHaveLength(10);
    // Node i (1-based) is candidate i - 1; a refinement's text extends its parent's text cut before its weakest step.
    for (const node of nodes.slice(1)) {
      const text = result.candidates[node.id - 1]?.text ?? "";
      if (node.parent === 0) {
        expect(node.step).toBe("sample");
        continue;
      }
      expect(node.step).toBe("refine");
      const parentText = result.candidates[(node.parent ?? 1) - 1]?.text ?? "";
      const { stepScores = [] } = await verifier.score({ prompt: problem.prompt, solution: parentText });
      expect(text.startsWith(stepPrefix(parentText, stepScores.indexOf(Math.min(...stepScores))))).toBe(true);
    }
    const best = Math.max(...result.candidates.map((candidate) => candidate.score ?? 0));
    expect(result.confidence).toBeCloseTo(best, 9);
    expect(tree.data.chosen[0]).toBe(0);
    expect(result.verifierTokens ?? 0).toBeGreaterThan(0);
  });
});

describe("ab-mcts choosing among models (AB-MCTS-M)", () => {
  afterEach(closeLocalServers);

  it("learns which model's answers score and draws most of its answers from it", async () => {
    // A second "model" behind a real local server: it answers every arith prompt with the same wrong line.
    let asked = 0;
    const url = await serveLocal((_request, body, response) => {
      asked += typeof body.n === "number" ? body.n : 1;
      answerCompletions(response, typeof body.n === "number" ? body.n : 1, "1+1=3\n#### 3");
    });
    const [problem] = loadSplit({ task: "arith", difficulty: "easy", limit: 1 });
    if (!problem) throw new Error("no arith problem");
    const mull = createMull();
    try {
      const result = await mull.run({
        strategy: `ab-mcts:n=16:models=mull-tiny-policy|${url}#wrong`,
        model: "mull-tiny-policy",
        verifier: "oracle:arith",
        prompt: problem.prompt,
        seed: 2,
      });
      const fromWrong = result.candidates.filter((candidate) => candidate.model === `${url}#wrong`).length;
      const fromPolicy = result.candidates.filter((candidate) => candidate.model === "mull-tiny-policy").length;
      expect(fromWrong + fromPolicy).toBe(16);
      expect(asked).toBe(fromWrong);
      expect(fromPolicy).toBeGreaterThan(fromWrong);
      expect(result.answer).toBe(problem.answer);
    } finally {
      await mull.dispose();
    }
  });
});
