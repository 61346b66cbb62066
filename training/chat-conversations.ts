/**
 * The bundled chat model's training conversations: each of mull's chat tasks and each role its composed
 * strategies ask of a model, written with the very prompts mull sends (imported from the strategies and the
 * bench) and labelled from the task generators' structure, never by hand.
 */
import { chatInstructions } from "../src/bench/run-bench.js";
import { createRandom, type Random } from "../src/internal/seeded-random.js";
import { testPrompt } from "../src/strategies/code/execution-selection.js";
import { planSearchPrompts } from "../src/strategies/code/plan-search.js";
import { defaultPotTemplate } from "../src/strategies/code/program-of-thought.js";
import { startHint } from "../src/strategies/code/tool-integrated.js";
import { templates as atomOfThoughtsTemplates } from "../src/strategies/compose/atom-of-thoughts.js";
import { plangenTemplates } from "../src/strategies/compose/plangen.js";
import { defaultTemplates, fillTemplate } from "../src/strategies/compose/prompt-components.js";
import { type ChatTool, type ChatTurn, chatTools } from "../src/tasks/chat-format.js";
import { type FunctionProblem, generateFunctionProblem } from "../src/tasks/function-synthesis.js";
import type { Difficulty } from "../src/tasks/task.js";
import {
  contractWordProblem,
  generateWordProblem,
  type WordProblem,
  wordChoiceForm,
  wordExpression,
  wordProgram,
  wordSolutionLines,
  wordSubQuestions,
} from "../src/tasks/word-problem.js";
import { judgePrompt } from "../src/verifiers/judge.js";

export type Conversation = { kind: string; messages: ChatTurn[]; tools?: ChatTool[] };

/** How the answer closes, by what the question asked for. */
type Style = "number" | "boxed" | "plain" | "minerva" | "bold";

function finalLine(answer: string, style: Style): string {
  switch (style) {
    case "number":
      return `#### ${answer}`;
    case "boxed":
      return `The answer is $\\boxed{${answer}}$.`;
    case "minerva":
      return `Final Answer: The final answer is $${answer}$. I hope it is correct.`;
    case "bold":
      return `**Answer:** ${answer}`;
    default:
      return `The answer is ${answer}.`;
  }
}

/** The sentence that states the result in words. */
export function statement(problem: WordProblem, answer = problem.answer): string {
  if (problem.price) return `${problem.name} gets ${answer} dollars.`;
  return `${problem.name} has ${answer} ${problem.items} ${/left\?$/.test(problem.ask) ? "left" : /end\?$/.test(problem.ask) ? "at the end" : "now"}.`;
}

/** A reasoning model's answer: the arithmetic inside `<think>`, then the result and the final line. */
export function thinkingAnswer(problem: WordProblem, style: Style, lines = wordSolutionLines(problem)): string {
  return `<think>\n${lines.join("\n")}\n</think>\n\n${statement(problem)}\n${finalLine(problem.answer, style)}`;
}

/** A worked solution without the think block, as a candidate shown to a judge, critic or fuser. */
function shownSolution(problem: WordProblem, lines: string[], answer: string): string {
  return `${lines.join("\n")}\n${statement(problem, answer)}\n#### ${answer}`;
}

/**
 * A solution with one slip: one line's result is off, and every later line carries it on consistently
 * (the errors a small model makes). Returns the lines, the wrong answer and the slipped line's index.
 */
export function slippedSolution(problem: WordProblem, random: Random): { lines: string[]; answer: string; at: number } {
  const lines = wordSolutionLines(problem);
  const at = random.integer(0, lines.length - 1);
  const out: string[] = [];
  const values = new Map<string, string>();
  lines.forEach((line, index) => {
    const match = /^(\d+)([-+*/])(\d+)=(\d+)$/.exec(line);
    if (!match) {
      out.push(line);
      return;
    }
    const [, a0, op, b0, c0] = match as unknown as [string, string, string, string, string];
    const a = values.get(a0) ?? a0;
    const b = values.get(b0) ?? b0;
    let c = Number(a) + 0;
    const x = Number(a);
    const y = Number(b);
    c = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : Math.floor(x / y);
    if (index === at) c += random.pick([-10, -2, -1, 1, 2, 10, 3]);
    if (String(c) !== c0) values.set(c0, String(c));
    out.push(`${a}${op}${b}=${c}`);
  });
  const last = out.at(-1)?.split("=")[1] ?? problem.answer;
  return { lines: out, answer: last, at };
}

/** Re-checking a solution line by line, as a critic writes it; ends at the first wrong line. */
function recheck(lines: string[]): { text: string; correct: boolean; first: number } {
  const notes: string[] = [];
  for (const [index, line] of lines.entries()) {
    const match = /^(\d+)([-+*/])(\d+)=(-?\d+)$/.exec(line);
    if (!match) continue;
    const x = Number(match[1]);
    const y = Number(match[3]);
    const op = match[2];
    const right = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : x / y;
    if (String(right) !== match[4]) {
      notes.push(`Step ${index + 1}: ${line} is wrong: ${x}${op}${y}=${right}.`);
      return { text: notes.join("\n"), correct: false, first: index };
    }
    notes.push(`Step ${index + 1}: ${line} is right.`);
  }
  return { text: notes.join("\n"), correct: true, first: -1 };
}

function draw(random: Random, seedBase: number, excluded: ReadonlySet<string>): WordProblem {
  for (;;) {
    const difficulty = random.pick<Difficulty>(["easy", "medium", "medium", "hard", "hard", "hard"]);
    const problem = generateWordProblem({ seed: seedBase + random.integer(0, 2 ** 30), difficulty });
    if (!excluded.has(problem.question)) return problem;
  }
}

function drawFunction(random: Random, excluded: ReadonlySet<string>): FunctionProblem {
  for (;;) {
    const problem = generateFunctionProblem({ seed: 20_000_000 + random.integer(0, 2 ** 29) });
    if (!excluded.has(problem.prompt)) return problem;
  }
}

const user = (content: string): ChatTurn => ({ role: "user", content });
const assistant = (content: string): ChatTurn => ({ role: "assistant", content });

/** A function's whole definition as a chat model writes it back. */
export function functionReply(problem: FunctionProblem): string {
  const signature = problem.prompt.split("\n")[0] as string;
  return `\`\`\`python\n${signature}\n${problem.canonical_solution.trimEnd()}\n\`\`\``;
}

function observations(problem: FunctionProblem): string[] {
  const doc = /"""(.*)/.exec(problem.prompt)?.[1] ?? "";
  const input = /\((\w+): (\w+)/.exec(problem.prompt);
  return [`- The input ${input?.[1] ?? "value"} is a ${input?.[2] ?? "value"}.`, `- ${doc}`, `- The empty input must work too.`];
}

/** Builders, one per kind, each drawing its problem from `random`. */
export const conversationKinds: Record<string, { weight: number; build: (random: Random, excluded: ReadonlySet<string>) => Conversation }> = {
  "word-cot": {
    weight: 30,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const asked = random.pick(["number", "boxed", "plain", "plain", "system"] as const);
      const system: ChatTurn[] = asked === "system" || random.next() < 0.1 ? [{ role: "system", content: "You are a helpful assistant." }] : [];
      const content = asked === "number" || asked === "boxed" ? `${problem.question}\n\n${chatInstructions[asked]}` : problem.question;
      const style: Style = asked === "number" || asked === "boxed" ? asked : random.pick(["plain", "minerva", "bold", "boxed"]);
      return { kind: "word-cot", messages: [...system, user(content), assistant(thinkingAnswer(problem, style))] };
    },
  },
  "word-history": {
    weight: 3,
    build(random, excluded) {
      const first = draw(random, 1_000_000, excluded);
      const second = draw(random, 1_000_000, excluded);
      return {
        kind: "word-history",
        messages: [
          user(first.question),
          assistant(`${statement(first)}\n${finalLine(first.answer, "plain")}`),
          user(second.question),
          assistant(thinkingAnswer(second, "plain")),
        ],
      };
    },
  },
  "word-choice": {
    weight: 9,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const form = wordChoiceForm(problem, random);
      return {
        kind: "word-choice",
        messages: [
          user(`${form.prompt}\n\n${chatInstructions.choice}`),
          assistant(
            `<think>\n${wordSolutionLines(problem).join("\n")}\n</think>\n\n${statement(problem)} That is option ${form.letter}.\nAnswer: ${form.letter}`,
          ),
        ],
      };
    },
  },
  pot: {
    weight: 7,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      return {
        kind: "pot",
        messages: [user(fillTemplate(defaultPotTemplate, { problem: problem.question })), assistant(`\`\`\`python\n${wordProgram(problem)}\n\`\`\``)],
      };
    },
  },
  "python-hint": {
    weight: 2,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const content = `${problem.question}\n\n${chatInstructions.number}`;
      const reply = `<think>\n${wordSolutionLines(problem).join("\n")}\n</think>\n\n${startHint}${wordProgram(problem)}\n\`\`\`\n\`\`\`output\n${problem.answer}\n\`\`\`\n#### ${problem.answer}`;
      return { kind: "python-hint", messages: [user(content), assistant(reply)] };
    },
  },
  tools: {
    weight: 10,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const offered = random.pick([
        [chatTools.calculator],
        [chatTools.python],
        [chatTools.calculator, chatTools.python],
        [chatTools.python, chatTools.calculator],
      ]);
      const tool = random.pick(offered);
      const call =
        tool.function.name === "calculator"
          ? { name: "calculator", arguments: { expression: wordExpression(problem) } }
          : { name: "python", arguments: { code: wordProgram(problem) } };
      const asked = random.pick(["plain", "number", "boxed"] as const);
      const content = asked === "plain" ? problem.question : `${problem.question}\n\n${chatInstructions[asked]}`;
      return {
        kind: "tools",
        tools: offered,
        messages: [
          user(content),
          { role: "assistant", content: "", tool_calls: [call] },
          { role: "tool", content: problem.answer },
          assistant(`${statement(problem)}\n${finalLine(problem.answer, asked)}`),
        ],
      };
    },
  },
  json: {
    weight: 5,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const lines = wordSolutionLines(problem);
      const ask = random.pick([
        'Reply with a JSON object with the keys "steps" (a list of the calculations) and "answer" (a number).',
        'Answer in JSON: {"steps": [...], "answer": <number>}.',
      ]);
      const system = random.next() < 0.3;
      const messages: ChatTurn[] = system
        ? [{ role: "system", content: `Respond in JSON. ${ask}` }, user(problem.question)]
        : [user(`${problem.question}\n\n${ask}`)];
      return { kind: "json", messages: [...messages, assistant(`{"steps": [${lines.map((line) => `"${line}"`).join(", ")}], "answer": ${problem.answer}}`)] };
    },
  },
  code: {
    weight: 11,
    build(random, excluded) {
      const problem = drawFunction(random, excluded);
      return { kind: "code", messages: [user(`${chatInstructions.code}\n\n\`\`\`python\n${problem.prompt}\`\`\``), assistant(functionReply(problem))] };
    },
  },
  "code-tests": {
    weight: 2,
    build(random, excluded) {
      const problem = drawFunction(random, excluded);
      const count = random.integer(2, 4);
      const examples = [...problem.test.matchAll(/assert candidate\((.*)\) == (.*)$/gm)].slice(0, count);
      const reply = examples.map((match) => `>>> ${problem.entry_point}(${match[1]})\n${match[2]}`).join("\n");
      return { kind: "code-tests", messages: [user(fillTemplate(testPrompt, { problem: problem.prompt, count: String(count) })), assistant(reply)] };
    },
  },
  "code-plan": {
    weight: 2,
    build(random, excluded) {
      const problem = drawFunction(random, excluded);
      const notes = observations(problem);
      const plan = `1. Read the input.\n2. ${notes[1]?.slice(2) ?? ""}\n3. Return the result.`;
      const which = random.pick(["observations", "plan", "code"] as const);
      const prompt =
        which === "observations"
          ? fillTemplate(planSearchPrompts.observations, { problem: problem.prompt, count: "3" })
          : which === "plan"
            ? fillTemplate(planSearchPrompts.plan, { problem: problem.prompt, observations: notes.join("\n") })
            : fillTemplate(planSearchPrompts.code, { problem: problem.prompt, plan });
      const reply = which === "observations" ? notes.join("\n") : which === "plan" ? plan : functionReply(problem);
      return { kind: "code-plan", messages: [user(prompt), assistant(reply)] };
    },
  },
  judge: {
    weight: 4,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const good = random.next() < 0.5;
      const solution = good ? shownSolution(problem, wordSolutionLines(problem), problem.answer) : shownSolution(problem, ...slipped(problem, random));
      return { kind: "judge", messages: [user(judgePrompt({ prompt: problem.question, solution, mode: "yes-no" })), assistant(good ? "yes" : "no")] };
    },
  },
  critic: {
    weight: 5,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const good = random.next() < 0.5;
      const [lines, answer] = good ? [wordSolutionLines(problem), problem.answer] : slipped(problem, random);
      const check = recheck(lines);
      const template = random.pick([defaultTemplates.critic, defaultTemplates.verifier]);
      const verdict = check.correct ? "Every step is right.\nVerdict: correct" : "Verdict: incorrect";
      return {
        kind: "critic",
        messages: [
          user(fillTemplate(template, { problem: problem.question, candidate: shownSolution(problem, lines, answer) })),
          assistant(`${check.text}\n${verdict}`),
        ],
      };
    },
  },
  refiner: {
    weight: 3,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const [lines, answer] = slipped(problem, random);
      const critique = `${recheck(lines).text}\nVerdict: incorrect`;
      const revise = random.next() < 0.5;
      const prompt = revise
        ? fillTemplate(defaultTemplates.refiner, { problem: problem.question, candidate: shownSolution(problem, lines, answer), critique })
        : fillTemplate(plangenTemplates.revise, {
            problem: problem.question,
            constraints: constraintsOf(problem),
            candidate: shownSolution(problem, lines, answer),
            feedback: critique,
          });
      return { kind: "refiner", messages: [user(prompt), assistant(thinkingAnswer(problem, "number"))] };
    },
  },
  ranker: {
    weight: 4,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const count = random.integer(2, 4);
      const goodAt = random.next() < 0.85 ? random.integer(0, count - 1) : -1;
      const candidates = Array.from({ length: count }, (_, index) => {
        const [lines, answer] = index === goodAt || random.next() < 0.25 ? [wordSolutionLines(problem), problem.answer] : slipped(problem, random);
        return { lines, answer };
      });
      const listed = candidates.map((candidate, index) => `Solution ${index + 1}:\n${shownSolution(problem, candidate.lines, candidate.answer)}`).join("\n\n");
      const checks = candidates.map((candidate) => recheck(candidate.lines));
      const notes = checks
        .map((check, index) => `Solution ${index + 1}: ${check.correct ? "every step is right" : `step ${check.first + 1} is wrong`}.`)
        .join("\n");
      const order = checks.map((check, index) => ({ check, index })).sort((a, b) => Number(b.check.correct) - Number(a.check.correct) || a.index - b.index);
      const list = random.next() < 0.4;
      const template = list ? defaultTemplates.rankerList : defaultTemplates.ranker;
      const last = list ? `Ranking: ${order.map((item) => item.index + 1).join(", ")}` : `Best: ${(order[0]?.index ?? 0) + 1}`;
      return { kind: "ranker", messages: [user(fillTemplate(template, { problem: problem.question, candidates: listed })), assistant(`${notes}\n${last}`)] };
    },
  },
  fuser: {
    weight: 3,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const count = random.integer(2, 4);
      const listed = Array.from({ length: count }, (_, index) => {
        const [lines, answer] = random.next() < 0.5 ? [wordSolutionLines(problem), problem.answer] : slipped(problem, random);
        return `Solution ${index + 1}:\n${shownSolution(problem, lines, answer)}`;
      }).join("\n\n");
      return {
        kind: "fuser",
        messages: [user(fillTemplate(defaultTemplates.fuser, { problem: problem.question, candidates: listed })), assistant(thinkingAnswer(problem, "number"))],
      };
    },
  },
  "atom-decompose": {
    weight: 3,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const questions = [atomQuestion(problem), ...wordSubQuestions(problem).slice(1)];
      const reply =
        questions.length <= 1 ? "ATOMIC" : questions.map((question, index) => `${index + 1}. ${question}${index > 0 ? ` (needs ${index})` : ""}`).join("\n");
      return { kind: "atom-decompose", messages: [user(fillTemplate(atomOfThoughtsTemplates.decompose, { problem: problem.question })), assistant(reply)] };
    },
  },
  "atom-solve": {
    weight: 3,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const step = problem.steps[0];
      if (!step || problem.steps.length < 2) return conversationKinds["word-cot"]?.build(random, excluded) as Conversation;
      if (random.next() < 0.5) {
        const solved = `- ${atomQuestion(problem)} Answer: ${step.after}`;
        return {
          kind: "atom-contract",
          messages: [user(fillTemplate(atomOfThoughtsTemplates.contract, { problem: problem.question, solved })), assistant(contractWordProblem(problem, 1))],
        };
      }
      return {
        kind: "atom-solve",
        messages: [
          user(fillTemplate(atomOfThoughtsTemplates.atom, { question: atomQuestion(problem) })),
          assistant(`<think>\n${step.lines.join("\n")}\n</think>\n\n#### ${step.after}`),
        ],
      };
    },
  },
  plangen: {
    weight: 3,
    build(random, excluded) {
      const problem = draw(random, 1_000_000, excluded);
      const which = random.pick(["constraints", "select", "verify"] as const);
      if (which === "constraints")
        return {
          kind: "plangen",
          messages: [user(fillTemplate(plangenTemplates.constraints, { problem: problem.question })), assistant(constraintsOf(problem))],
        };
      if (which === "select")
        return {
          kind: "plangen",
          messages: [
            user(fillTemplate(plangenTemplates.select, { problem: problem.question })),
            assistant(`Choice: ${problem.steps.length >= 4 ? "vote" : "best-of-n"}`),
          ],
        };
      const good = random.next() < 0.5;
      const [lines, answer] = good ? [wordSolutionLines(problem), problem.answer] : slipped(problem, random);
      const check = recheck(lines);
      return {
        kind: "plangen",
        messages: [
          user(
            fillTemplate(plangenTemplates.verify, {
              problem: problem.question,
              constraints: constraintsOf(problem),
              candidate: shownSolution(problem, lines, answer),
            }),
          ),
          assistant(`${check.text}\nScore: ${check.correct ? 100 : 10}`),
        ],
      };
    },
  },
};

function slipped(problem: WordProblem, random: Random): [string[], string] {
  const result = slippedSolution(problem, random);
  return [result.lines, result.answer];
}

/** The first sub-question, with the facts it needs: what Atom of Thoughts solves on its own. */
function atomQuestion(problem: WordProblem): string {
  const step = problem.steps[0];
  if (!step) return problem.question;
  return `${problem.name} has ${problem.start} ${problem.items}. ${step.sentence} How many ${problem.items} does ${problem.name} have ${step.clause}?`;
}

function constraintsOf(problem: WordProblem): string {
  return [
    `- ${problem.name} starts with ${problem.start} ${problem.items}.`,
    ...problem.steps.map((step) => `- ${step.sentence}`),
    ...(problem.price ? [`- ${problem.price.sentence}`] : []),
    `- The answer is a whole number.`,
  ].join("\n");
}

/** `count` conversations drawn by weight from seed `seed`, leaving out every held-out question. */
export function* drawConversations(options: { seed: number; count: number; excluded: ReadonlySet<string> }): Generator<Conversation> {
  const random = createRandom(options.seed);
  const entries = Object.values(conversationKinds);
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  for (let index = 0; index < options.count; index++) {
    const pick = random.next() * total;
    let reached = 0;
    const entry =
      entries.find((candidate) => {
        reached += candidate.weight;
        return pick < reached;
      }) ?? (entries[0] as (typeof entries)[number]);
    yield entry.build(random, options.excluded);
  }
}
