import { describe, expect, it } from "vitest";
import { createRandom } from "../src/internal/seeded-random.js";
import { arith, solveArith, solveArithInRandomOrder } from "../src/tasks/arith.js";
import { canReach, countdown } from "../src/tasks/countdown.js";
import { loadSplit } from "../src/tasks/splits.js";
import { extractFinalAnswer } from "../src/tasks/task.js";

describe("arith", () => {
  it("solves in the documented order: innermost parentheses, then *, then + and - left to right", () => {
    expect(solveArith("23+4*17-(38-9)")).toEqual({ steps: ["38-9=29", "4*17=68", "23+68=91", "91-29=62"], answer: 62 });
    expect(solveArith("2-(3-5)*4").steps).toEqual(["3-5=-2", "-2*4=-8", "2--8=10"]);
  });

  it("generates the same problem for the same seed and keeps values in range", () => {
    const first = arith.generate({ seed: 7, operations: 8, maxOperand: 99 });
    expect(arith.generate({ seed: 7, operations: 8, maxOperand: 99 })).toEqual(first);
    expect(first.prompt).toMatch(/^Q: [-+*()\d]+\nA: $/);
    for (const line of first.solution.split("\n").slice(0, -1)) expect(Math.abs(Number(line.split("=")[1]))).toBeLessThanOrEqual(9999);
    expect(first.solution.split("\n").at(-1)).toBe(`#### ${first.answer}`);
  });

  it("accepts any valid order and rejects wrong steps", () => {
    const problem = arith.generate({ seed: 3, operations: 6, maxOperand: 50 });
    expect(arith.check({ problem, solution: problem.solution }).correct).toBe(true);
    const other = solveArithInRandomOrder(problem.prompt.slice(3, -4), createRandom(1));
    expect(arith.check({ problem, solution: [...other.steps, `#### ${other.answer}`].join("\n") }).correct).toBe(true);
    const lines = problem.solution.split("\n");
    const broken = [...lines];
    broken[1] = broken[1]!.replace(/=(-?\d+)$/, (_, value: string) => `=${Number(value) + 1}`);
    const labels = arith.labelSteps({ problem, solution: broken.join("\n") });
    expect(labels[0]).toBe(true);
    expect(labels.slice(1).every((label) => label === false)).toBe(true);
    expect(arith.check({ problem, solution: broken.join("\n") }).correct).toBe(false);
    expect(arith.check({ problem, solution: `#### ${problem.answer}` }).correct).toBe(false);
  });

  it("accepts + and * with swapped operands, never -", () => {
    const problem = { task: "arith", prompt: "Q: 3*4-(7+2)\nA: ", answer: "3", solution: "" };
    expect(arith.check({ problem, solution: "4*3=12\n2+7=9\n12-9=3\n#### 3" }).correct).toBe(true);
    expect(arith.check({ problem, solution: "3*4=12\n7+2=9\n9-12=-3\n#### -3" }).correct).toBe(false);
    const swapped = solveArithInRandomOrder("12*5+(3*(9+4))", createRandom(2), 1);
    expect(swapped.steps).toContain("4+9=13");
    expect(
      arith.check({ problem: { ...problem, prompt: "Q: 12*5+(3*(9+4))\nA: " }, solution: [...swapped.steps, `#### ${swapped.answer}`].join("\n") }).correct,
    ).toBe(true);
  });
});

describe("countdown", () => {
  it("generates solvable problems whose reference solutions check", () => {
    for (let seed = 0; seed < 50; seed++) {
      const problem = countdown.generate({ seed, count: 4 });
      expect(countdown.check({ problem, solution: problem.solution })).toEqual({ correct: true });
      expect(countdown.labelSteps({ problem, solution: problem.solution }).every(Boolean)).toBe(true);
    }
  });

  it("labels a step wrong once the target can no longer be reached", () => {
    const problem = { task: "countdown", prompt: "Q: reach 24 with 4 7 8 8\nA: ", answer: "24", solution: "" };
    expect(canReach([4, 7, 8, 8], 24)).toBe(true);
    expect(countdown.labelSteps({ problem, solution: "8-7=1\n8-1=7\n#### 24" })).toEqual([true, false, false]);
    expect(countdown.labelSteps({ problem, solution: "9-8=1" })).toEqual([false]);
    expect(countdown.check({ problem, solution: "7-4=3\n8*3=24\n#### 24" }).correct).toBe(true);
    expect(countdown.check({ problem, solution: "8*3=24\n#### 24" }).correct).toBe(false);
  });
});

describe("splits", () => {
  it("are fixed, 500 problems each, and hard arith has 6 to 10 operations", () => {
    const hard = loadSplit({ task: "arith", difficulty: "hard" });
    expect(hard).toHaveLength(500);
    expect(loadSplit({ task: "arith", difficulty: "hard", limit: 3 })).toEqual(hard.slice(0, 3));
    for (const problem of hard) {
      const operations = problem.solution.split("\n").length - 1;
      expect(operations).toBeGreaterThanOrEqual(6);
      expect(operations).toBeLessThanOrEqual(10);
      expect(extractFinalAnswer(problem.solution)).toBe(problem.answer);
    }
    expect(() => loadSplit({ task: "arith", difficulty: "extreme" as "hard" })).toThrow(/unknown difficulty/);
  });
});
