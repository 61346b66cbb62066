/**
 * Code datasets in the bench: HumanEval-format items (a fixture of our own), answered by a scripted chat server
 * on 127.0.0.1, graded by running each program's tests in the sandbox; per-candidate grades give pass@k.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadDataset } from "../src/bench/datasets.js";
import { runBench } from "../src/bench/run-bench.js";
import { RunStore } from "../src/bench/run-store.js";
import { createMull } from "../src/runtime/create-mull.js";
import { humanEvalProgram } from "../src/tasks/humaneval-program.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

const mull = createMull({ sandbox: { warm: 0, concurrency: 2 } });
afterEach(closeLocalServers);
afterAll(() => mull.dispose());

// Right and wrong programs for each fixture problem, as a chat model writes them (a whole function in a block).
const replies: Record<string, string[]> = {
  add: ["```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```", "```python\ndef add(a, b):\n    return a - b\n```"],
  total: ["Here:\n```python\ndef total(xs):\n    return sum(xs)\n```", "```python\ndef total(xs):\n    return xs[0]\n```"],
};

describe("HumanEval-format datasets in mull bench", () => {
  it("reads the format, asks for the whole function, and grades programs by running their tests", async () => {
    const seen: string[] = [];
    const url = await serveLocal((_, body, response) => {
      const messages = body.messages as { content: string }[];
      const asked = messages.at(-1)?.content ?? "";
      seen.push(asked);
      const name = asked.includes("def add") ? "add" : "total";
      const n = (body.n as number | undefined) ?? 1;
      // add: right twice, then wrong; total: wrong twice, then right.
      const pick = (index: number) => (replies[name] as string[])[name === "add" ? (index < 2 ? 0 : 1) : index < 2 ? 1 : 0];
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: pick(index) }, finish_reason: "stop" })),
          usage: { prompt_tokens: 10, completion_tokens: 10 * n },
        }),
      );
    });
    const dataset = loadDataset({ dataset: "test/fixtures/humaneval-sample.jsonl" });
    expect(dataset.items.map((item) => [item.id, item.answerStyle, item.code?.entryPoint])).toEqual([
      ["Sample/0", "code", "add"],
      ["Sample/1", "code", "total"],
    ]);
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), "mull-code-bench-")), "runs.db"));
    const runId = store.createRun({}).id;
    await runBench({ mull, store, runId, model: `${url}#coder`, items: dataset.items, strategies: ["self-consistency:n=3"], budgets: [0] });
    const units = store.units(runId);
    store.close();
    expect(seen[0]).toContain("Complete the following Python function");
    expect(seen[0]).toContain("```python\ndef add(a: int, b: int) -> int:");
    const byItem = Object.fromEntries(units.map((unit) => [unit.itemId, unit]));
    // add: the majority program is right (2 of 3 pass); total: the majority program is wrong (1 of 3 passes).
    expect(byItem["Sample/0"]).toMatchObject({ correct: true, detail: { correctCandidates: 2 } });
    expect(byItem["Sample/1"]).toMatchObject({ correct: false, detail: { correctCandidates: 1 } });
  }, 120_000);

  it("a continuation of the body and a whole function make the same program", () => {
    const problem = { prompt: 'def f(x):\n    """Double."""\n', test: "def check(c):\n    assert c(2) == 4\n", entryPoint: "f" };
    expect(humanEvalProgram({ ...problem, completion: "    return 2 * x\n" })).toContain('"""Double."""\n    return 2 * x');
    expect(humanEvalProgram({ ...problem, completion: "def f(x):\n    return 2 * x" })).toContain('"""Double."""\n\n    pass\n\ndef f(x):');
  });

  it("refuses an unknown format, naming the ones it reads", () => {
    expect(() => loadDataset({ dataset: "test/fixtures/humaneval-sample.jsonl", format: "xml" as "csv" })).toThrow(/humaneval/);
  });
});
