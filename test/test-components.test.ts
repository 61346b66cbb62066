/**
 * Archon's unit-test generator and evaluator as an architecture's verifier (`using: "tests"`): programs from a
 * scripted local OpenAI-compatible server run in the real sandbox, on the problem's examples or on tests the
 * model writes.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

const sandbox = createSandbox({ warm: 0 });
afterAll(() => sandbox.close());
afterEach(closeLocalServers);

const right = "```python\ndef add(a, b):\n    return a + b\n```";
const wrong = "```python\ndef add(a, b):\n    return a - b\n```";
const broken = "```python\ndef add(a, b):\n    return a +\n```";

/** A coder: its samples in turn; asked for tests, it writes them (or, with `noTests`, prose). */
async function coder(options: { samples: string[]; noTests?: boolean }) {
  const asked: string[] = [];
  let next = 0;
  const url = await serveLocal((_request, body, response) => {
    const content = (body.messages as { content: string }[]).at(-1)?.content ?? "";
    asked.push(content);
    const n = typeof body.n === "number" ? body.n : 1;
    const replies = content.startsWith("Here is a programming problem")
      ? [options.noTests ? "Tests are a good idea." : ">>> add(2, 3)\n5\n>>> add(-1, 1)\n0\n>>> add(10, 5)\n15"]
      : Array.from({ length: n }, () => options.samples[next++ % options.samples.length] as string);
    answerChat(response, replies);
  });
  return { model: createOpenAICompatibleModel({ baseURL: url, model: "coder" }), asked };
}

const architecture = (tests = 5) => ({
  kind: "mull-architecture",
  version: 1,
  layers: [[{ role: "generator", samples: 3 }], [{ role: "verifier", using: "tests", tests }]],
  select: "first",
});
const run = (model: ReturnType<typeof createOpenAICompatibleModel>, problem: string, tests?: number) =>
  createStrategy({ name: "archon", options: { architecture: architecture(tests) } }).run({
    model,
    call: { prompt: [{ role: "user", content: problem }] },
    environment: { sandbox },
  });

describe("the unit-test verifier role", () => {
  it("runs each program on the problem's own examples and keeps those passing the most", async () => {
    const { model, asked } = await coder({ samples: [wrong, broken, right] });
    const result = await run(model, "Write add(a, b) returning the sum.\n>>> add(2, 3)\n5\n>>> add(0, 0)\n0");
    expect(result.text).toBe(right);
    const layer = result.trace.find((event) => event.type === "layer" && event.data.role === "verifier");
    expect(layer?.type === "layer" && layer.data.candidates).toBe(1);
    expect(result.trace.filter((event) => event.type === "code-run")).toHaveLength(3);
    // The problem showed examples: the model was not asked for tests.
    expect(asked.filter((prompt) => prompt.startsWith("Here is a programming problem"))).toHaveLength(0);
  });

  it("asks the model for tests where the problem shows none, and says so when it cannot read any", async () => {
    const { model, asked } = await coder({ samples: [wrong, right, wrong] });
    const result = await run(model, "Write add(a, b) returning the sum of two integers.");
    expect(asked.filter((prompt) => prompt.startsWith("Here is a programming problem"))).toHaveLength(1);
    expect(result.text).toBe(right);
    const silent = await coder({ samples: [wrong, right, wrong], noTests: true });
    const kept = await run(silent.model, "Write add(a, b) returning the sum of two integers.");
    expect(kept.candidates).toHaveLength(3);
    expect(kept.warnings.map((warning) => ("message" in warning ? warning.message : ""))).toContainEqual(expect.stringMatching(/no tests to run/));
  });
});
