/**
 * `arith`: integer expressions with + - * and parentheses, solved one binary operation per line.
 * The prompt and solution formats are a public interface (models are trained on them).
 */
import { createRandom, type Random } from "../internal/seeded-random.js";
import { parseStep, type SolutionCheck, type Task, type TaskProblem, walkSolution } from "./task.js";

export type ArithOptions = {
  /** Number of operations, 1 to 10. Defaults to `3`. */
  operations?: number;
  /** Largest operand, 1 to 999. Defaults to `20`. */
  maxOperand?: number;
  /** Whether the expression may contain parentheses. Defaults to `true`. */
  parentheses?: boolean;
};

export type Operator = "+" | "-" | "*";
export type ExpressionNode = { kind: "number"; value: number } | { kind: "operation"; operator: Operator; left: ExpressionNode; right: ExpressionNode };
type Token = number | Operator | "(" | ")";

/** Every intermediate value stays within this range; problems that leave it are redrawn. */
export const ARITH_VALUE_LIMIT = 9999;

const precedence = (node: ExpressionNode): number => (node.kind === "number" ? 3 : node.operator === "*" ? 2 : 1);

function printExpression(node: ExpressionNode): string {
  if (node.kind === "number") return String(node.value);
  const own = precedence(node);
  const left = printExpression(node.left);
  const right = printExpression(node.right);
  // Parentheses exactly where the tree differs from left-associative standard precedence.
  const wrappedLeft = precedence(node.left) < own ? `(${left})` : left;
  const wrappedRight = precedence(node.right) <= own ? `(${right})` : right;
  return `${wrappedLeft}${node.operator}${wrappedRight}`;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\d+|[-+*()]/g;
  for (const match of expression.matchAll(pattern)) {
    const text = match[0];
    tokens.push(/\d/.test(text) ? Number(text) : (text as Token));
  }
  return tokens;
}

/** Parses with standard precedence, left-associative. Throws on malformed input. */
export function parseArithExpression(expression: string): ExpressionNode {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const factor = (): ExpressionNode => {
    const token = tokens[position++];
    if (typeof token === "number") return { kind: "number", value: token };
    if (token === "(") {
      const inner = sum();
      if (tokens[position++] !== ")") throw new SyntaxError(`missing ) in ${expression}`);
      return inner;
    }
    throw new SyntaxError(`unexpected ${String(token)} in ${expression}`);
  };
  const product = (): ExpressionNode => {
    let node = factor();
    while (peek() === "*") {
      position++;
      node = { kind: "operation", operator: "*", left: node, right: factor() };
    }
    return node;
  };
  const sum = (): ExpressionNode => {
    let node = product();
    while (peek() === "+" || peek() === "-") {
      const operator = tokens[position++] as Operator;
      node = { kind: "operation", operator, left: node, right: product() };
    }
    return node;
  };
  const tree = sum();
  if (position !== tokens.length) throw new SyntaxError(`trailing input in ${expression}`);
  return tree;
}

const compute = (left: number, operator: Operator, right: number): number => (operator === "+" ? left + right : operator === "-" ? left - right : left * right);

/** Reduces a flat token run (no parentheses): multiplications left to right, then + and - left to right. */
function reduceFlat(run: Token[], steps: string[]): number {
  const items = [...run];
  for (const pass of [["*"], ["+", "-"]]) {
    for (let index = 1; index < items.length; ) {
      const operator = items[index];
      if (typeof operator === "string" && pass.includes(operator)) {
        const left = items[index - 1] as number;
        const right = items[index + 1] as number;
        const value = compute(left, operator as Operator, right);
        steps.push(`${left}${operator}${right}=${value}`);
        items.splice(index - 1, 3, value);
      } else {
        index += 2;
      }
    }
  }
  return items[0] as number;
}

/** The canonical solution lines: innermost parentheses first (leftmost first), then * and then + -. */
export function solveArith(expression: string): { steps: string[]; answer: number } {
  const tokens = tokenize(expression);
  const steps: string[] = [];
  for (;;) {
    const close = tokens.indexOf(")");
    if (close === -1) break;
    const open = tokens.lastIndexOf("(", close);
    const value = reduceFlat(tokens.slice(open + 1, close), steps);
    tokens.splice(open, close - open + 1, value);
  }
  const answer = reduceFlat(tokens, steps);
  return { steps, answer };
}

/**
 * Solution lines in a random valid order: each step reduces some operation whose operands are both
 * numbers already. The steps are the same operations as the canonical solution's, in another order;
 * with `swapShare` (default 0), that share of + and * steps write their operands the other way round.
 */
export function solveArithInRandomOrder(expression: string, random: Random, swapShare = 0): { steps: string[]; answer: number } {
  let tree = parseArithExpression(expression);
  const steps: string[] = [];
  const reducible = (node: ExpressionNode, path: ("left" | "right")[], found: ("left" | "right")[][]): void => {
    if (node.kind === "number") return;
    if (node.left.kind === "number" && node.right.kind === "number") found.push(path);
    reducible(node.left, [...path, "left"], found);
    reducible(node.right, [...path, "right"], found);
  };
  const replace = (node: ExpressionNode, path: ("left" | "right")[]): ExpressionNode => {
    if (node.kind === "number") return node;
    const [head, ...rest] = path;
    if (head === undefined) {
      const left = (node.left as { value: number }).value;
      const right = (node.right as { value: number }).value;
      const value = compute(left, node.operator, right);
      const swap = node.operator !== "-" && random.next() < swapShare;
      steps.push(swap ? `${right}${node.operator}${left}=${value}` : `${left}${node.operator}${right}=${value}`);
      return { kind: "number", value };
    }
    return { ...node, [head]: replace(node[head], rest) };
  };
  while (tree.kind !== "number") {
    const found: ("left" | "right")[][] = [];
    reducible(tree, [], found);
    tree = replace(tree, random.pick(found));
  }
  return { steps, answer: tree.value };
}

function randomTree(random: Random, operations: number, maxOperand: number, parentheses: boolean): ExpressionNode {
  if (!parentheses) {
    let text = String(random.integer(1, maxOperand));
    for (let index = 0; index < operations; index++) text += random.pick(["+", "-", "*"] as const) + random.integer(1, maxOperand);
    return parseArithExpression(text);
  }
  const build = (count: number): ExpressionNode => {
    if (count === 0) return { kind: "number", value: random.integer(1, maxOperand) };
    // Half the time a left chain (reads naturally), otherwise a uniform split (nested parentheses).
    const leftCount = random.next() < 0.5 ? count - 1 : random.integer(0, count - 1);
    return { kind: "operation", operator: random.pick(["+", "-", "*"] as const), left: build(leftCount), right: build(count - 1 - leftCount) };
  };
  return build(operations);
}

function validateOptions(options: ArithOptions): Required<ArithOptions> {
  const operations = options.operations ?? 3;
  const maxOperand = options.maxOperand ?? 20;
  if (!Number.isInteger(operations) || operations < 1 || operations > 10)
    throw new RangeError(`arith operations must be an integer from 1 to 10, got ${operations}`);
  if (!Number.isInteger(maxOperand) || maxOperand < 1 || maxOperand > 999)
    throw new RangeError(`arith maxOperand must be an integer from 1 to 999, got ${maxOperand}`);
  return { operations, maxOperand, parentheses: options.parentheses ?? true };
}

export function arithPrompt(expression: string): string {
  return `Q: ${expression}\nA: `;
}

function generate(options: { seed: number } & ArithOptions): TaskProblem {
  const { operations, maxOperand, parentheses } = validateOptions(options);
  const random = createRandom(options.seed);
  for (;;) {
    const expression = printExpression(randomTree(random, operations, maxOperand, parentheses));
    const { steps, answer } = solveArith(expression);
    const inRange = steps.every((step) => Math.abs(Number(step.split("=")[1])) <= ARITH_VALUE_LIMIT);
    if (!inRange) continue;
    return { task: "arith", prompt: arithPrompt(expression), answer: String(answer), solution: [...steps, `#### ${answer}`].join("\n") };
  }
}

/** The expression of an arith prompt. */
export function arithExpression(prompt: string): string {
  const match = /^Q: ([-+*()\d]+)\s*(\nA: ?)?$/.exec(prompt);
  if (!match?.[1]) throw new SyntaxError(`not an arith prompt: ${JSON.stringify(prompt)}`);
  return match[1];
}

const serialize = (node: ExpressionNode): string =>
  node.kind === "number" ? String(node.value) : `(${serialize(node.left)}${node.operator}${serialize(node.right)})`;

/**
 * All trees reachable by reducing one node `left op right` (both children numbers) to `result`;
 * + and * steps may write their operands either way round.
 */
function reduceOnce(node: ExpressionNode, operator: string, left: number, right: number, result: number): ExpressionNode[] {
  if (node.kind === "number") return [];
  const outcomes: ExpressionNode[] = [];
  if (
    node.operator === operator &&
    node.left.kind === "number" &&
    node.right.kind === "number" &&
    ((node.left.value === left && node.right.value === right) || (node.operator !== "-" && node.left.value === right && node.right.value === left)) &&
    compute(left, node.operator, right) === result
  ) {
    outcomes.push({ kind: "number", value: result });
  }
  for (const reduced of reduceOnce(node.left, operator, left, right, result)) outcomes.push({ ...node, left: reduced });
  for (const reduced of reduceOnce(node.right, operator, left, right, result)) outcomes.push({ ...node, right: reduced });
  return outcomes;
}

/**
 * Walks the solution, keeping every tree state the steps so far can describe (a step may match
 * two identical sub-expressions). Any valid evaluation order is accepted, not only the canonical one.
 */
function walk(problem: TaskProblem, solution: string): { labels: boolean[]; check: SolutionCheck } {
  let states = [parseArithExpression(arithExpression(problem.prompt))];
  return walkSolution(solution, {
    onFinal: (value) =>
      states.some((state) => state.kind === "number" && state.value === value)
        ? undefined
        : `final answer ${value} is not the value of the fully reduced expression`,
    onStep: (line) => {
      const step = parseStep(line);
      const next = new Map<string, ExpressionNode>();
      if (step && step.operator !== "/") {
        for (const state of states) {
          for (const reduced of reduceOnce(state, step.operator, step.left, step.right, step.result)) next.set(serialize(reduced), reduced);
        }
      }
      if (next.size === 0) return `step ${JSON.stringify(line)} is not a valid reduction`;
      states = [...next.values()];
      return undefined;
    },
  });
}

export const arith: Task<ArithOptions> = {
  name: "arith",
  generate,
  check: ({ problem, solution }) => walk(problem, solution).check,
  labelSteps: ({ problem, solution }) => walk(problem, solution).labels,
};
