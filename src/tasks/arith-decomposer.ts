/**
 * The task decomposer that stands in for the model's in Atom of Thoughts on arith problems (the bundled policy
 * cannot be asked to decompose): the expression's tree is the dependency graph; its atoms are the operations
 * whose operands are both numbers (independent of each other); contracting puts their values in place, which
 * leaves a simpler expression. Each atom is asked as the policy reads one step (`Q: 76*36\nA: 76*36=`), with
 * non-negative operands (a sign is the decomposer's bookkeeping, the arithmetic the model's).
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { arithExpression, type ExpressionNode, type Operator, parseArithExpression } from "./arith.js";

type Operation = Extract<ExpressionNode, { kind: "operation" }>;

/** One atom: the step it stands for, the prompt that asks it, and how the model's value becomes the step's. */
export type ArithAtom = { step: string; prompt: string; value(answer: number): number; node: Operation };

export function parseArithProblem(prompt: string): ExpressionNode {
  try {
    return parseArithExpression(arithExpression(prompt));
  } catch {
    throw new InvalidArgumentError({
      parameter: "decomposer",
      value: "arith",
      message: `decomposer=arith needs an arith prompt ("Q: <expression>\\nA: ", as raw text), got ${JSON.stringify(prompt.slice(0, 80))}`,
    });
  }
}

/** The operations whose operands are both numbers, leftmost first. */
export function arithAtoms(tree: ExpressionNode): ArithAtom[] {
  if (tree.kind === "number") return [];
  if (tree.left.kind === "number" && tree.right.kind === "number") return [atomOf(tree, tree.left.value, tree.right.value)];
  return [...arithAtoms(tree.left), ...arithAtoms(tree.right)];
}

/** The tree with each atom's node replaced by its value. */
export function contractArith(tree: ExpressionNode, values: Map<Operation, number>): ExpressionNode {
  if (tree.kind === "number") return tree;
  const value = values.get(tree);
  if (value !== undefined) return { kind: "number", value };
  return { ...tree, left: contractArith(tree.left, values), right: contractArith(tree.right, values) };
}

/** The expression as text; negative values (which contraction can make) in parentheses. */
export function printArith(node: ExpressionNode): string {
  if (node.kind === "number") return node.value < 0 ? `(${node.value})` : String(node.value);
  const own = rank(node);
  const left = printArith(node.left);
  const right = printArith(node.right);
  return `${rank(node.left) < own ? `(${left})` : left}${node.operator}${rank(node.right) <= own ? `(${right})` : right}`;
}

const rank = (node: ExpressionNode) => (node.kind === "number" ? 3 : node.operator === "*" ? 2 : 1);

/**
 * `a op b` as a question with non-negative operands: the same magnitudes under `+`, `-` or `*`, and the sign
 * that turns its value into `a op b`'s.
 */
function atomOf(node: Operation, a: number, b: number): ArithAtom {
  const [x, y] = [Math.abs(a), Math.abs(b)];
  const asked = normalize(node.operator, a, b, x, y);
  const text = `${asked.left}${asked.operator}${asked.right}`;
  return {
    step: `${a}${node.operator}${b}`,
    prompt: `Q: ${text}\nA: ${text}=`,
    value: (answer) => asked.sign * answer,
    node,
  };
}

function normalize(operator: Operator, a: number, b: number, x: number, y: number): { left: number; operator: Operator; right: number; sign: 1 | -1 } {
  if (operator === "*") return { left: x, operator: "*", right: y, sign: a < 0 !== b < 0 ? -1 : 1 };
  // a + b and a - b are |a| + |b| (negated where a is negative) or a difference of magnitudes.
  const sameSigns = a < 0 === b < 0;
  if (operator === "+" ? sameSigns : !sameSigns) return { left: x, operator: "+", right: y, sign: a < 0 ? -1 : 1 };
  return a < 0 ? { left: y, operator: "-", right: x, sign: 1 } : { left: x, operator: "-", right: y, sign: 1 };
}
