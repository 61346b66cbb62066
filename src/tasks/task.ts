/** What every task of mull's own suite offers: generation, exact checking and step labels. */

export type Difficulty = "easy" | "medium" | "hard";

/** One problem instance of a task. */
export type TaskProblem = {
  /** Task name, e.g. `arith` or `countdown`. */
  task: string;
  /** The exact prompt the bundled model is trained on, e.g. `Q: 2+3*4\nA: `. */
  prompt: string;
  /** The expected final answer as written after `#### `. */
  answer: string;
  /** A correct reference solution (lines joined by `\n`, without the prompt). */
  solution: string;
  /** Difficulty label where the problem comes from a named split. */
  difficulty?: Difficulty;
};

/** The verdict of an exact checker on a full solution. */
export type SolutionCheck = {
  correct: boolean;
  /** Why it is wrong, for humans. Absent when correct. */
  reason?: string;
};

export type Task<TOptions> = {
  name: string;
  /** Draws one problem; the same seed and options always give the same problem. */
  generate(options: { seed: number } & TOptions): TaskProblem;
  /** Exact checker of a whole solution text (the text after the prompt). */
  check(options: { problem: TaskProblem; solution: string }): SolutionCheck;
  /**
   * Labels each step (line) of a solution: a step is correct when the solution up to and including it
   * can still be completed into a correct one. Returns one label per non-empty line.
   */
  labelSteps(options: { problem: TaskProblem; solution: string }): boolean[];
};

/** Splits a solution into its step lines, ignoring a trailing newline and blank lines. */
export function splitSteps(solution: string): string[] {
  return solution.split("\n").filter((line) => line.trim().length > 0);
}

/** The text after the last `#### ` marker, trimmed, or undefined when there is none. */
export function extractFinalAnswer(text: string): string | undefined {
  const match = /####\s*(-?\d+)\s*$/m.exec(
    text
      .split("\n")
      .filter((line) => line.includes("####"))
      .at(-1) ?? "",
  );
  return match?.[1];
}

const stepPattern = /^(-?\d+)([-+*/])(-?\d+)=(-?\d+)$/;

export type ParsedStep = { left: number; operator: "+" | "-" | "*" | "/"; right: number; result: number };

/** Parses `a<op>b=c`; undefined when the line is not of that shape. */
export function parseStep(line: string): ParsedStep | undefined {
  const match = stepPattern.exec(line.trim());
  if (!match) return undefined;
  return {
    left: Number(match[1]),
    operator: match[2] as ParsedStep["operator"],
    right: Number(match[3]),
    result: Number(match[4]),
  };
}

export function applyOperator(left: number, operator: string, right: number): number | undefined {
  switch (operator) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return right !== 0 && left % right === 0 ? left / right : undefined;
    default:
      return undefined;
  }
}

/**
 * Walks solution lines for a checker: `onFinal` handles the `#### n` line and `onStep` every other line;
 * each returns undefined when the line is correct, or why not. Every line after the first wrong one, or
 * after the final line, is wrong too (a step is correct only if the solution can still be completed).
 */
export function walkSolution(
  solution: string,
  handlers: { onStep: (line: string) => string | undefined; onFinal: (value: number) => string | undefined },
): { labels: boolean[]; check: SolutionCheck } {
  const labels: boolean[] = [];
  let failure: string | undefined;
  let finished = false;
  for (const line of splitSteps(solution)) {
    if (failure !== undefined || finished) {
      labels.push(false);
      failure ??= "text after the final answer";
      continue;
    }
    const final = /^####\s*(-?\d+)$/.exec(line.trim());
    const reason = final ? handlers.onFinal(Number(final[1])) : handlers.onStep(line);
    finished = final !== null;
    labels.push(reason === undefined);
    failure = reason;
  }
  if (failure === undefined && !finished) failure = "no final #### line";
  return { labels, check: failure === undefined ? { correct: true } : { correct: false, reason: failure } };
}
