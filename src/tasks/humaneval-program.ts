/**
 * HumanEval's grading program (Chen et al., 2021): the prompt, the answer, the problem's tests (which define
 * `check(candidate)`), and the call that runs them. A completion passes when the program exits normally in the
 * sandbox.
 */
import { lastCodeBlock } from "../answers/code-block.js";

export type HumanEvalProblem = { task_id: string; prompt: string; canonical_solution: string; test: string; entry_point: string };

/**
 * The program for `completion`: a continuation of the function's body goes right after the prompt; a whole
 * function (a chat model's reply that defines `entryPoint` again) goes after the prompt too, where its
 * definition replaces the stub's and the prompt's imports and helpers stay.
 */
export function humanEvalProgram(options: { prompt: string; test: string; entryPoint: string; completion: string }): string {
  const { prompt, test, entryPoint, completion } = options;
  const defines = new RegExp(`^\\s*(async\\s+)?def\\s+${entryPoint}\\s*\\(`, "m").test(completion);
  return `${prompt}${defines ? "\n    pass\n\n" : ""}${completion}\n\n${test}\n\ncheck(${entryPoint})\n`;
}

/** A reply's code: its last fenced block, else the reply itself (a raw continuation of the function). */
export function codeAnswer(text: string): string | undefined {
  const code = (lastCodeBlock(text) ?? text).replace(/\s+$/, "");
  return code.trim() === "" ? undefined : code;
}
