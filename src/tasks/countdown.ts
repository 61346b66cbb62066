/**
 * `countdown`: reach a target with some of the given numbers, each used at most once, with + - * and
 * exact division. Intermediate results must be positive integers (the classic rules).
 */
import { createRandom, type Random } from "../internal/seeded-random.js";
import { applyOperator, parseStep, type SolutionCheck, type Task, type TaskProblem, walkSolution } from "./task.js";

export type CountdownOptions = {
  /** How many numbers are given, 3 to 6. Defaults to `4`. */
  count?: number;
  /** Smallest given number. Defaults to `1`. */
  minNumber?: number;
  /** Largest given number. Defaults to `20`. */
  maxNumber?: number;
  /** Smallest target. Defaults to `10`. */
  minTarget?: number;
  /** Largest target. Defaults to `100`. */
  maxTarget?: number;
};

export type CountdownMove = { left: number; operator: "+" | "-" | "*" | "/"; right: number; result: number };

/** The useful moves on two numbers; ×1 and ÷1 are left out since they never help reach a target. */
function moves(first: number, second: number): CountdownMove[] {
  const [large, small] = first >= second ? [first, second] : [second, first];
  const list: CountdownMove[] = [{ left: large, operator: "+", right: small, result: large + small }];
  if (large > small) list.push({ left: large, operator: "-", right: small, result: large - small });
  if (small > 1) {
    list.push({ left: large, operator: "*", right: small, result: large * small });
    if (large % small === 0) list.push({ left: large, operator: "/", right: small, result: large / small });
  }
  return list;
}

const solvableMemo = new Map<string, boolean>();

/** Whether `target` can be reached from the multiset `numbers` (exhaustive, memoised). */
export function canReach(numbers: readonly number[], target: number): boolean {
  if (numbers.includes(target)) return true;
  if (numbers.length < 2) return false;
  const sorted = [...numbers].sort((a, b) => a - b);
  const key = `${target}|${sorted.join(",")}`;
  const known = solvableMemo.get(key);
  if (known !== undefined) return known;
  let found = false;
  outer: for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const rest = sorted.filter((_, index) => index !== i && index !== j);
      for (const move of moves(sorted[i] as number, sorted[j] as number)) {
        if (canReach([...rest, move.result], target)) {
          found = true;
          break outer;
        }
      }
    }
  }
  // Bounded memo: generation of training data touches millions of states.
  if (solvableMemo.size > 2_000_000) solvableMemo.clear();
  solvableMemo.set(key, found);
  return found;
}

/** Every useful move from `available`, with the numbers it leaves and whether `target` can still be reached. */
export function countdownNextMoves(available: readonly number[], target: number): { move: CountdownMove; next: number[]; reachable: boolean }[] {
  const options: { move: CountdownMove; next: number[]; reachable: boolean }[] = [];
  for (let i = 0; i < available.length; i++) {
    for (let j = i + 1; j < available.length; j++) {
      const rest = available.filter((_, index) => index !== i && index !== j);
      for (const move of moves(available[i] as number, available[j] as number)) {
        const next = [...rest, move.result];
        options.push({ move, next, reachable: canReach(next, target) });
      }
    }
  }
  return options;
}

/** A step as the solutions write it: + and * with their operands swapped when `swap` says so. */
export function countdownStep(move: CountdownMove, swap: boolean): string {
  return swap && (move.operator === "+" || move.operator === "*")
    ? `${move.right}${move.operator}${move.left}=${move.result}`
    : `${move.left}${move.operator}${move.right}=${move.result}`;
}

/** A random solution (random choice among moves that keep the target reachable). */
function randomSolution(numbers: readonly number[], target: number, random: Random): string[] {
  const steps: string[] = [];
  let available = [...numbers];
  while (!available.includes(target)) {
    const { move, next } = random.pick(countdownNextMoves(available, target).filter((option) => option.reachable));
    const swap = (move.operator === "+" || move.operator === "*") && random.next() < 0.5;
    steps.push(countdownStep(move, swap));
    available = next;
  }
  return steps;
}

function validateOptions(options: CountdownOptions): Required<CountdownOptions> {
  const resolved = {
    count: options.count ?? 4,
    minNumber: options.minNumber ?? 1,
    maxNumber: options.maxNumber ?? 20,
    minTarget: options.minTarget ?? 10,
    maxTarget: options.maxTarget ?? 100,
  };
  if (!Number.isInteger(resolved.count) || resolved.count < 3 || resolved.count > 6)
    throw new RangeError(`countdown count must be an integer from 3 to 6, got ${resolved.count}`);
  if (resolved.minNumber < 1 || resolved.maxNumber < resolved.minNumber) throw new RangeError("countdown numbers need 1 <= minNumber <= maxNumber");
  if (resolved.minTarget < 1 || resolved.maxTarget < resolved.minTarget) throw new RangeError("countdown targets need 1 <= minTarget <= maxTarget");
  return resolved;
}

export function countdownPrompt(target: number, numbers: readonly number[]): string {
  return `Q: reach ${target} with ${numbers.join(" ")}\nA: `;
}

/** Reads target and numbers back from a countdown prompt. */
export function parseCountdownPrompt(prompt: string): { target: number; numbers: number[] } {
  const match = /^Q: reach (\d+) with ([\d ]+?)\s*(\nA: ?)?$/.exec(prompt);
  if (!match?.[1] || !match[2]) throw new SyntaxError(`not a countdown prompt: ${JSON.stringify(prompt)}`);
  return { target: Number(match[1]), numbers: match[2].split(" ").map(Number) };
}

function generate(options: { seed: number } & CountdownOptions): TaskProblem {
  const { count, minNumber, maxNumber, minTarget, maxTarget } = validateOptions(options);
  const random = createRandom(options.seed);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const numbers = Array.from({ length: count }, () => random.integer(minNumber, maxNumber));
    const target = random.integer(minTarget, maxTarget);
    if (numbers.includes(target) || !canReach(numbers, target)) continue;
    const steps = randomSolution(numbers, target, random);
    return { task: "countdown", prompt: countdownPrompt(target, numbers), answer: String(target), solution: [...steps, `#### ${target}`].join("\n") };
  }
  throw new RangeError("countdown: no solvable problem found for these options");
}

function walk(problem: TaskProblem, solution: string): { labels: boolean[]; check: SolutionCheck } {
  const { target, numbers } = parseCountdownPrompt(problem.prompt);
  let available = [...numbers];
  return walkSolution(solution, {
    onFinal: (value) =>
      value === target && available.includes(target)
        ? undefined
        : value === target
          ? `${target} was never produced`
          : `final answer ${value} is not the target ${target}`,
    onStep: (line) => {
      const step = parseStep(line);
      const rest = [...available];
      const take = (value: number): boolean => {
        const index = rest.indexOf(value);
        if (index === -1) return false;
        rest.splice(index, 1);
        return true;
      };
      const value = step ? applyOperator(step.left, step.operator, step.right) : undefined;
      if (!step || !take(step.left) || !take(step.right) || value === undefined || value !== step.result || value <= 0)
        return `step ${JSON.stringify(line)} is not a valid move`;
      available = [...rest, value];
      return canReach(available, target) ? undefined : `after ${JSON.stringify(line)} the target can no longer be reached`;
    },
  });
}

export const countdown: Task<CountdownOptions> = {
  name: "countdown",
  generate,
  check: ({ problem, solution }) => walk(problem, solution).check,
  labelSteps: ({ problem, solution }) => walk(problem, solution).labels,
};
