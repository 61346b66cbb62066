/**
 * Fixed held-out splits by difficulty. They are regenerated deterministically from fixed seeds, and
 * training data excludes every prompt that appears in any of them.
 */

import { createRandom } from "../internal/seeded-random.js";
import { type ArithOptions, arith } from "./arith.js";
import { type CountdownOptions, countdown } from "./countdown.js";
import type { Difficulty, Task, TaskProblem } from "./task.js";

export type TaskName = "arith" | "countdown";

export const tasks: { arith: Task<ArithOptions>; countdown: Task<CountdownOptions> } = { arith, countdown };

/** Problems per held-out split. */
export const SPLIT_SIZE = 500;

/** The difficulty knobs of each split, drawn per problem. */
export const splitDefinitions = {
  arith: {
    easy: { operations: [1, 3], maxOperand: 20, parentheses: true },
    medium: { operations: [4, 5], maxOperand: 50, parentheses: true },
    hard: { operations: [6, 10], maxOperand: 99, parentheses: true },
  },
  countdown: {
    easy: { count: 3, minNumber: 1, maxNumber: 10, minTarget: 5, maxTarget: 50 },
    medium: { count: 4, minNumber: 1, maxNumber: 20, minTarget: 10, maxTarget: 100 },
    hard: { count: 5, minNumber: 1, maxNumber: 25, minTarget: 50, maxTarget: 200 },
  },
} as const;

const splitSeedBase: Record<TaskName, Record<Difficulty, number>> = {
  arith: { easy: 9_100_000, medium: 9_200_000, hard: 9_300_000 },
  countdown: { easy: 9_400_000, medium: 9_500_000, hard: 9_600_000 },
};

const cache = new Map<string, TaskProblem[]>();

/** Returns the first `limit` problems (default all 500) of a held-out split. */
export function loadSplit(options: { task: TaskName; difficulty: Difficulty; limit?: number }): TaskProblem[] {
  const { task, difficulty } = options;
  if (!(task in splitDefinitions)) throw new RangeError(`unknown task ${JSON.stringify(task)}: use arith or countdown`);
  if (!["easy", "medium", "hard"].includes(difficulty)) throw new RangeError(`unknown difficulty ${JSON.stringify(difficulty)}: use easy, medium or hard`);
  const key = `${task}/${difficulty}`;
  let problems = cache.get(key);
  if (!problems) {
    problems = [];
    const base = splitSeedBase[task][difficulty];
    for (let index = 0; index < SPLIT_SIZE; index++) {
      const seed = base + index;
      if (task === "arith") {
        const definition = splitDefinitions.arith[difficulty];
        const operations = createRandom(seed).integer(definition.operations[0], definition.operations[1]);
        problems.push({ ...arith.generate({ seed, operations, maxOperand: definition.maxOperand, parentheses: definition.parentheses }), difficulty });
      } else {
        problems.push({ ...countdown.generate({ seed, ...splitDefinitions.countdown[difficulty] }), difficulty });
      }
    }
    cache.set(key, problems);
  }
  return problems.slice(0, options.limit ?? SPLIT_SIZE);
}

/** Every held-out prompt, for excluding them from training data. */
export function heldOutPrompts(): Set<string> {
  const prompts = new Set<string>();
  for (const task of ["arith", "countdown"] as const) {
    for (const difficulty of ["easy", "medium", "hard"] as const) {
      for (const problem of loadSplit({ task, difficulty })) prompts.add(problem.prompt);
    }
  }
  return prompts;
}
