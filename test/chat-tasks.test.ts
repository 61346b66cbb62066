/** The chat model's tasks: word problems, function synthesis and the chat format, each checked against an independent computation. */
import { afterAll, describe, expect, it } from "vitest";
import { renderChatTemplate } from "../src/backends/llama-cpp/chat-template.js";
import { loadDataset } from "../src/bench/datasets.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { stepHolds } from "../src/tasks/arith-step.js";
import { chatTemplate, renderChat } from "../src/tasks/chat-format.js";
import { generateFunctionProblem, loadFunctionSplit } from "../src/tasks/function-synthesis.js";
import { humanEvalProgram } from "../src/tasks/humaneval-program.js";
import {
  contractWordProblem,
  generateWordProblem,
  loadWordSplit,
  wordChoiceForm,
  wordExpression,
  wordProgram,
  wordSolutionLines,
} from "../src/tasks/word-problem.js";

/** Python's `a // b` and `*`, `+`, `-` on integers, evaluated apart from the generator's own arithmetic. */
function evaluatePython(expression: string): number {
  const tokens = expression.match(/\d+|\/\/|[-+*()]/g) ?? [];
  let at = 0;
  const primary = (): number => {
    const token = tokens[at++];
    if (token === "(") {
      const value = sum();
      at++;
      return value;
    }
    return Number(token);
  };
  const product = (): number => {
    let value = primary();
    while (tokens[at] === "*" || tokens[at] === "//") value = tokens[at++] === "*" ? value * primary() : Math.floor(value / primary());
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (tokens[at] === "+" || tokens[at] === "-") value = tokens[at++] === "+" ? value + product() : value - product();
    return value;
  };
  return sum();
}

describe("word problems", () => {
  it("are reproducible, and their steps, expression and program agree with the answer", () => {
    for (const difficulty of ["easy", "medium", "hard"] as const)
      for (let seed = 0; seed < 200; seed++) {
        const problem = generateWordProblem({ seed, difficulty });
        expect(generateWordProblem({ seed, difficulty })).toEqual(problem);
        const lines = wordSolutionLines(problem);
        for (const line of lines) if (!line.includes("/")) expect(stepHolds(line), line).toBe(true);
        expect(lines.at(-1)?.split("=")[1]).toBe(problem.answer);
        expect(evaluatePython(wordExpression(problem))).toBe(Number(problem.answer));
        expect(wordProgram(problem)).toMatch(/^print\(/m);
        expect(contractWordProblem(problem, 0)).toBe(problem.question);
      }
  });

  it("grow harder by level, and the held-out splits are fixed and disjoint", () => {
    const steps = (difficulty: "easy" | "hard") => loadWordSplit({ difficulty }).reduce((sum, problem) => sum + wordSolutionLines(problem).length, 0) / 500;
    expect(steps("hard")).toBeGreaterThan(2 * steps("easy"));
    const questions = new Set(
      ["easy", "medium", "hard"].flatMap((difficulty) => loadWordSplit({ difficulty: difficulty as "easy" }).map((problem) => problem.question)),
    );
    expect(questions.size).toBeGreaterThan(1490);
  });

  it("have four distinct options with the answer among them", () => {
    for (const problem of loadWordSplit({ difficulty: "medium", limit: 100 })) {
      const form = wordChoiceForm(problem, createRandom(problem.seed));
      expect(new Set(form.options).size).toBe(4);
      expect(form.options["ABCD".indexOf(form.letter)]).toBe(problem.answer);
      expect(form.prompt).toContain(`${form.letter}) ${problem.answer}`);
    }
  });

  it("are bench datasets for a chat model: numbers, letters and code", () => {
    const hard = loadDataset({ dataset: "word-hard", limit: 5 });
    expect(hard.items[0]).toMatchObject({ id: "word-hard-0", answerStyle: "number" });
    expect(hard.items[0]?.answer).toBe(loadWordSplit({ difficulty: "hard", limit: 1 })[0]?.answer);
    expect(loadDataset({ dataset: "word-easy-choice-dev", limit: 2 }).items[0]).toMatchObject({ id: "word-easy-choice-300", answerStyle: "choice" });
    const functions = loadDataset({ dataset: "functions" });
    expect(functions.items).toHaveLength(200);
    expect(loadDataset({ dataset: "functions-dev" }).items).toHaveLength(100);
    expect(functions.items[0]?.code?.test).toMatch(/^def check\(candidate\):/);
  });
});

describe("function synthesis", () => {
  const sandbox = createSandbox({ warm: 1, timeoutMs: 20_000, concurrency: 2 });
  afterAll(() => sandbox.close());

  it("problems' reference bodies pass their hidden tests in Python, and a wrong body fails", async () => {
    const problems = [...loadFunctionSplit({ limit: 6 }), ...Array.from({ length: 6 }, (_, seed) => generateFunctionProblem({ seed }))];
    for (const problem of problems) {
      const program = (completion: string) => humanEvalProgram({ prompt: problem.prompt, test: problem.test, entryPoint: problem.entry_point, completion });
      const passed = await sandbox.run({ language: "python", code: program(problem.canonical_solution) });
      expect(passed.exitReason, `${problem.task_id}: ${passed.stderr}`).toBe("ok");
      const failed = await sandbox.run({ language: "python", code: program("    return None\n") });
      expect(failed.exitReason).toBe("error");
    }
    // The examples in the docstring are the function's own values.
    expect(generateFunctionProblem({ seed: 1, family: "sum-even" }).prompt).toMatch(
      /^def sum_even\(numbers: list\) -> int:\n {4}"""Return the sum of the even numbers/,
    );
  }, 120_000);
});

describe("the chat format", () => {
  it("renders in @huggingface/jinja (node-llama-cpp's path) exactly as the training data", async () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Tom has 5 apples. He buys 3 more apples. How many apples does Tom have now?" },
      { role: "assistant" as const, content: "<think>\n5+3=8\n</think>\n\nThe answer is 8." },
      { role: "user" as const, content: "And twice that?" },
    ];
    expect(await renderChatTemplate({ template: chatTemplate, messages, bosToken: "", eosToken: "" })).toBe(renderChat({ messages, generationPrompt: true }));
    // A last assistant message is continued, not closed.
    const prefilled = await renderChatTemplate({
      template: chatTemplate,
      messages: [...messages, { role: "assistant", content: "<think>\n8*2=" }],
      bosToken: "",
      eosToken: "",
    });
    expect(prefilled.endsWith("<|im_start|>assistant\n<think>\n8*2=")).toBe(true);
  });
});
