import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { parseSubQuestions } from "../src/strategies/compose/atom-of-thoughts.js";
import { arithExpression, parseArithExpression, solveArith } from "../src/tasks/arith.js";
import { arithAtoms, contractArith, parseArithProblem, printArith } from "../src/tasks/arith-decomposer.js";
import { loadSplit } from "../src/tasks/splits.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

const atomEvents = (trace: TraceEvent[]) => trace.flatMap((event) => (event.type === "atoms" ? [event.data] : []));
const exact = (expression: string) => solveArith(expression).answer;

describe("the arith decomposer", () => {
  it("asks every atom with non-negative operands and gets the signed value back, for every sign and operator", () => {
    for (const a of [-37, -5, 0, 4, 12])
      for (const b of [-9, -1, 0, 3, 40])
        for (const operator of ["+", "-", "*"] as const) {
          const node = { kind: "operation" as const, operator, left: { kind: "number" as const, value: a }, right: { kind: "number" as const, value: b } };
          const [atom] = arithAtoms(node);
          const asked = /^Q: (\d+)([-+*])(\d+)\nA: \1\2\3=$/.exec(atom?.prompt ?? "");
          expect(asked, atom?.prompt).not.toBeNull();
          // The model's exact answer to the question asked, through the atom's sign, is a op b.
          const answer = exact(`${asked?.[1]}${asked?.[2]}${asked?.[3]}`);
          const truth = operator === "+" ? a + b : operator === "-" ? a - b : a * b;
          expect(atom?.value(answer), `${a}${operator}${b}`).toBe(truth);
        }
  });

  it("contracts independent atoms until the expression is a number, reaching its value", () => {
    const expression = "92+14-92+82-(6*99-(53+23)*36+42)";
    let tree = parseArithProblem(`Q: ${expression}\nA: `);
    const questions: string[] = [];
    while (tree.kind !== "number") {
      questions.push(printArith(tree));
      const atoms = arithAtoms(tree);
      expect(atoms.length).toBeGreaterThan(0);
      const values = new Map(atoms.map((atom) => [atom.node, atom.value(exact(/^Q: ([^\n]+)/.exec(atom.prompt)?.[1] as string))]));
      tree = contractArith(tree, values);
    }
    expect(tree.value).toBe(exact(expression));
    expect(questions.slice(0, 2)).toEqual([expression, "106-92+82-(594-76*36+42)"]);
    // A printed contraction reads back as the same value (negative values in parentheses).
    expect(printArith(parseArithExpression("96-(2142-42)"))).toBe("96-(2142-42)");
    expect(() => parseArithProblem("What is 2+2?")).toThrow(/decomposer=arith needs an arith prompt/);
  });

  it("reads decompositions leniently", () => {
    expect(parseSubQuestions("1. How many apples?\n2. How many pears?\n3. How many fruits in all? (needs 1, 2)")).toEqual([
      { question: "How many apples?", needs: [] },
      { question: "How many pears?", needs: [] },
      { question: "How many fruits in all?", needs: [1, 2] },
    ]);
    expect(parseSubQuestions("**Sub-question 1:** a?\n- 2) b? (depends on 1)")).toEqual([
      { question: "a?", needs: [] },
      { question: "b?", needs: [1] },
    ]);
    expect(parseSubQuestions("ATOMIC")).toBe("atomic");
    expect(parseSubQuestions("I cannot")).toEqual([]);
  });
});

describe("atom-of-thoughts with the model as decomposer, against a local server", () => {
  afterEach(closeLocalServers);
  const problem = "Ann has 3 apples and Ben has 4. Each gives away 1. How many are left? End with ####.";

  async function scripted(options: { decomposition: string }) {
    const asked: string[] = [];
    const url = await serveLocal((_request, body, response) => {
      const content = (body.messages as { content: string }[]).at(-1)?.content ?? "";
      asked.push(content);
      const n = typeof body.n === "number" ? body.n : 1;
      const reply = content.startsWith("Break the problem")
        ? content.includes("Ann has 3 apples")
          ? options.decomposition
          : "ATOMIC"
        : content.startsWith("How many apples does Ann keep?")
          ? "3 - 1 = 2\n#### 2"
          : content.startsWith("How many apples does Ben keep?")
            ? "4 - 1 = 3\n#### 3"
            : content.startsWith("Problem:")
              ? "Ann keeps 2 apples and Ben keeps 3. How many are left in all? End with ####."
              : content.startsWith("Ann keeps 2")
                ? "2 + 3 = 5\n#### 5"
                : "I do not know\n#### 7";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: reply }, finish_reason: "stop" })),
          usage: { prompt_tokens: 30, completion_tokens: 8 * n },
        }),
      );
    });
    return { model: createOpenAICompatibleModel({ baseURL: url, model: "m" }), asked };
  }

  it("solves the independent sub-questions by vote, contracts, and answers the simpler question", async () => {
    const { model, asked } = await scripted({
      decomposition: "1. How many apples does Ann keep?\n2. How many apples does Ben keep?\n3. How many are left in all? (needs 1, 2)",
    });
    const result = await createStrategy({ name: "atom-of-thoughts", options: { n: 3 } }).run({ model, call: { prompt: [{ role: "user", content: problem }] } });
    expect(result.answer).toBe("5");
    const [round] = atomEvents(result.trace);
    expect(round?.atoms.map((atom) => [atom.answer, atom.votes])).toEqual([
      ["2", { "2": 3 }],
      ["3", { "3": 3 }],
    ]);
    expect(round?.contracted).toMatch(/^Ann keeps 2 apples/);
    // The contraction saw both answers; the dependent sub-question was never asked on its own.
    const contraction = asked.find((prompt) => prompt.startsWith("Problem:")) ?? "";
    expect(contraction).toContain("How many apples does Ann keep? Answer: 2");
    expect(contraction).toContain("How many apples does Ben keep? Answer: 3");
    expect(asked.some((prompt) => prompt.startsWith("How many are left in all?"))).toBe(false);
    expect(result.candidates).toHaveLength(3);
  });

  it("answers the question as it is, with a warning, when the decomposition cannot be read", async () => {
    const { model } = await scripted({ decomposition: "Well, let me think about it." });
    const result = await createStrategy({ name: "atom-of-thoughts", options: { n: 2 } }).run({ model, call: { prompt: [{ role: "user", content: problem }] } });
    expect(atomEvents(result.trace)).toHaveLength(0);
    expect(result.warnings.map((warning) => ("message" in warning ? warning.message : ""))).toContainEqual(
      expect.stringMatching(/decomposition could not be read/),
    );
    expect(result.answer).toBe("7");
  });
});

describe("atom-of-thoughts on the bundled policy with the arith decomposer", () => {
  const policy = createLlamaCppModel();
  afterAll(() => policy.dispose());
  const strategy = createStrategy({ name: "atom-of-thoughts", options: { decomposer: "arith", n: 3 } });

  it("each atom is one operation of the expression; where every atom's vote is right, so is the answer", async () => {
    for (const problem of loadSplit({ task: "arith", difficulty: "hard", limit: 3 })) {
      const result = await strategy.run({ model: policy, call: { prompt: problem.prompt, seed: 5, maxTokens: 48 } });
      const rounds = atomEvents(result.trace);
      expect(rounds[0]?.question).toBe(arithExpression(problem.prompt));
      const steps = result.candidates[0]?.text.split("\n").filter((line) => !line.startsWith("####")) ?? [];
      expect(steps).toHaveLength(rounds.reduce((sum, round) => sum + round.atoms.length, 0));
      const allRight = steps.every((line) => {
        const [left, value] = line.split(/=(?=-?\d+$)/);
        return exact((left as string).replace(/([-+*])-(\d+)/g, "$1(0-$2)").replace(/^-(\d+)/, "(0-$1)")) === Number(value);
      });
      if (allRight) expect(result.answer).toBe(problem.answer);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
    }
  });

  it("refuses a prompt it cannot decompose, naming what it needs", async () => {
    await expect(strategy.run({ model: policy, call: { prompt: [{ role: "user", content: "2+2?" }] } })).rejects.toThrow(/needs a raw-text prompt/);
    await expect(strategy.run({ model: policy, call: { prompt: "What is 2+2?" } })).rejects.toThrow(/decomposer=arith needs an arith prompt/);
  });
});
