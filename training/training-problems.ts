/** The training distribution of mull's bundled models, shared by the data scripts. */
import { createRandom } from "../src/internal/seeded-random.js";
import { arithExpression, solveArithInRandomOrder } from "../src/tasks/arith.js";
import { heldOutPrompts, tasks } from "../src/tasks/splits.js";
import type { TaskProblem } from "../src/tasks/task.js";

export type DrawOptions = {
  /** Share of arith solutions written in a random valid order instead of the canonical one. */
  randomOrderShare: number;
  /** Share of + and * steps of those random-order solutions written with their operands swapped. */
  swapShare: number;
};

/** One training problem: wider than the held-out splits so every split is in range. */
export function drawProblem(seed: number, kind: "arith" | "countdown", options: DrawOptions): TaskProblem {
  const random = createRandom(seed ^ 0x5bd1e995);
  if (kind === "arith") {
    const operations = random.integer(1, 10);
    const maxOperand = operations <= 4 && random.next() < 0.1 ? 999 : random.pick([9, 20, 50, 99, 99, 99]);
    const problem = tasks.arith.generate({ seed, operations, maxOperand, parentheses: random.next() < 0.85 });
    // Solutions in a random valid order, with + and * operands swapped half the time: diverse reasoning
    // paths, so that samples disagree where the model is unsure (what voting needs). The canonical order
    // alone, or half the solutions in it, left the policy's errors systematic (models/README.md).
    if (random.next() < options.randomOrderShare) {
      const { steps, answer } = solveArithInRandomOrder(arithExpression(problem.prompt), random, options.swapShare);
      return { ...problem, solution: [...steps, `#### ${answer}`].join("\n") };
    }
    return problem;
  }
  // Six numbers are supported by the generator but left out of training: the solver makes them slow to generate.
  const count = random.pick([3, 3, 4, 4, 4, 4, 5, 5, 5]);
  const ranges: Record<number, [number, number, number, number][]> = {
    3: [
      [1, 10, 5, 50],
      [1, 20, 10, 100],
    ],
    4: [
      [1, 20, 10, 100],
      [1, 20, 10, 100],
      [1, 10, 5, 50],
    ],
    5: [
      [1, 25, 50, 200],
      [1, 20, 10, 100],
    ],
    6: [[1, 25, 50, 300]],
  };
  const [minNumber, maxNumber, minTarget, maxTarget] = random.pick(ranges[count] ?? []);
  return tasks.countdown.generate({ seed, count, minNumber, maxNumber, minTarget, maxTarget });
}

let excluded: Set<string> | undefined;

/** `count` training problems from consecutive seeds, leaving out every prompt of the held-out splits. */
export function collectProblems(options: { kind: "arith" | "countdown"; count: number; seedBase: number } & DrawOptions): TaskProblem[] {
  excluded ??= heldOutPrompts();
  const problems: TaskProblem[] = [];
  for (let seed = options.seedBase; problems.length < options.count; seed++) {
    const problem = drawProblem(seed, options.kind, options);
    if (!excluded.has(problem.prompt)) problems.push(problem);
    if (problems.length % 50_000 === 0) console.log(`${options.kind}: ${problems.length}`);
  }
  return problems;
}
