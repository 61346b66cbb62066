import type { Verifier } from "../core/verifier.js";
import { promptAsText } from "../internal/prompt-text.js";
import { arith } from "./arith.js";
import { countdown } from "./countdown.js";

/**
 * The exact checker of one of mull's tasks as a verifier: score 1 for a correct solution, 0 otherwise.
 * An oracle: it knows the truth, so results that use it are experiments, and its name says "oracle".
 */
export function createTaskOracle(options: { task: "arith" | "countdown" }): Verifier {
  const task = options.task === "arith" ? arith : countdown;
  return {
    name: `oracle:${options.task}`,
    kind: "oracle",
    // An exact checker runs no model.
    cost: { parameters: 0, pricePerMillion: { prompt: 0, completion: 0 } },
    score: async ({ prompt, solution }) => {
      // A conversation's problem in the tasks' own prompt format, which the checkers parse.
      const problem = { task: options.task, prompt: promptAsText(prompt, (text) => `Q: ${text}\nA: `), answer: "", solution: "" };
      return { score: task.check({ problem, solution }).correct ? 1 : 0, stepScores: task.labelSteps({ problem, solution }).map(Number) };
    },
  };
}
