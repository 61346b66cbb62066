/**
 * HumanEval's grading program (Chen et al., 2021): the prompt, a completion of the function's body, the
 * problem's tests (which define `check(candidate)`), and the call that runs them. A completion passes when the
 * program exits normally in the sandbox.
 */
export type HumanEvalProblem = { task_id: string; prompt: string; canonical_solution: string; test: string; entry_point: string };

export function humanEvalProgram(options: { problem: HumanEvalProblem; completion: string }): string {
  const { problem, completion } = options;
  return `${problem.prompt}${completion}\n\n${problem.test}\n\ncheck(${problem.entry_point})\n`;
}
