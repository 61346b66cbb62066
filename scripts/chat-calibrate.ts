/**
 * The chat model's calibration table, by task and level, measured the way users serve it: llama.cpp's own
 * server with `--jinja` (reasoning split off), reached over HTTP by mull's OpenAI-compatible backend, programs
 * run in mull's sandbox. Held-out problems only.
 *
 *   npx tsx scripts/chat-calibrate.ts [--model models/mull-tiny-chat.gguf] [--limit 100] [--tasks words,choice,pot,tools,tool-vote,code] [--levels easy,medium,hard] [--out file]
 *
 * `tool-vote`: the calculator call the model makes (OpenAI `tools`), right when its expression, run in the
 * sandbox, prints the answer; greedy against self-consistency:n=8 voting on the calls' arguments (mull's tool vote).
 */
import { writeFileSync } from "node:fs";
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { extractChoice } from "../src/answers/choice-answer.js";
import { lastCodeBlock } from "../src/answers/code-block.js";
import { extractAnswer } from "../src/answers/extract-answer.js";
import { BUNDLED_CHAT_MODEL } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { findLlamaServer, startLlamaServerProcess } from "../src/backends/llama-cpp/llama-server-process.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { upstreamProfiles } from "../src/backends/openai-compatible/upstream-profiles.js";
import { chatInstructions } from "../src/bench/run-bench.js";
import { createRandom } from "../src/internal/seeded-random.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { defaultPotTemplate } from "../src/strategies/code/program-of-thought.js";
import { chatTools } from "../src/tasks/chat-format.js";
import { loadFunctionSplit } from "../src/tasks/function-synthesis.js";
import { humanEvalProgram } from "../src/tasks/humaneval-program.js";
import { loadWordSplit, wordChoiceForm } from "../src/tasks/word-problem.js";

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const modelPath = argument("--model", BUNDLED_CHAT_MODEL);
const limit = Number(argument("--limit", "100"));
const out = argument("--out", "");
const levels = argument("--levels", "easy,medium,hard").split(",") as ("easy" | "medium" | "hard")[];
const measured = new Set(argument("--tasks", "words,choice,pot,tools,tool-vote,code").split(","));
const binary = findLlamaServer();
if (!binary) throw new Error("llama-server is not built: npm run build:llama-server");

const server = await startLlamaServerProcess({
  binary,
  modelPath,
  slots: 16,
  contextPerSlot: 2048,
  threads: 2,
  extraArgs: ["--jinja", "--reasoning-format", "deepseek"],
});
// The llama.cpp server profile: plain temperature sampling (no top-k or min-p of its own), its 16 slots as n at most.
const model = createOpenAICompatibleModel({ baseURL: `${server.root}/v1`, model: "mull-tiny-chat", ...upstreamProfiles["llama-cpp-server"], maxN: 16 });
const sandbox = createSandbox({ warm: 2, timeoutMs: 10_000, concurrency: 2 });
const rows: Record<string, number | string>[] = [];
const started = Date.now();

/** Runs `work` on every item, 16 requests at a time (the server's slots). */
async function each<Item, Result>(items: Item[], work: (item: Item, index: number) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as Item, index);
      }
    }),
  );
  return results;
}

const ask = (content: string) => [{ role: "user" as const, content }];
const share = (values: boolean[]) => values.filter(Boolean).length / Math.max(1, values.length);

try {
  for (const difficulty of measured.has("words") ? levels : []) {
    const problems = loadWordSplit({ difficulty, limit });
    const graded = await each(problems, async (problem, index) => {
      const prompt = ask(`${problem.question}\n\n${chatInstructions.number}`);
      const greedy = await model.doGenerate({ prompt, temperature: 0, maxTokens: 400 });
      const sampled = await model.doGenerate({ prompt, temperature: 0.8, n: 16, maxTokens: 400, seed: index });
      const answers = sampled.completions.map((completion) => extractAnswer(completion.text));
      const counts = new Map<string, number>();
      for (const answer of answers) if (answer !== undefined) counts.set(answer, (counts.get(answer) ?? 0) + 1);
      const majority = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      return {
        greedy: answersEquivalent(extractAnswer(greedy.completions[0]?.text ?? ""), problem.answer),
        pass: answers.some((answer) => answersEquivalent(answer, problem.answer)),
        majority: answersEquivalent(majority, problem.answer),
        sample: share(answers.map((answer) => answersEquivalent(answer, problem.answer))),
      };
    });
    rows.push({
      task: "word problems (CoT)",
      level: difficulty,
      problems: problems.length,
      greedy: share(graded.map((row) => row.greedy)),
      "sample@0.8": graded.reduce((sum, row) => sum + row.sample, 0) / graded.length,
      "maj@16": share(graded.map((row) => row.majority)),
      "pass@16": share(graded.map((row) => row.pass)),
    });
    console.log(rows.at(-1), `${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  for (const difficulty of measured.has("choice") ? (["easy", "hard"] as const) : []) {
    const problems = loadWordSplit({ difficulty, limit });
    const right = await each(problems, async (problem) => {
      const form = wordChoiceForm(problem, createRandom(problem.seed));
      const result = await model.doGenerate({ prompt: ask(`${form.prompt}\n\n${chatInstructions.choice}`), temperature: 0, maxTokens: 400 });
      return extractChoice(result.completions[0]?.text ?? "", form.options) === form.letter;
    });
    rows.push({ task: "multiple choice", level: difficulty, problems: problems.length, greedy: share(right) });
    console.log(rows.at(-1));
  }

  if (measured.has("pot")) {
    const problems = loadWordSplit({ difficulty: "hard", limit });
    const runs = await each(problems, async (problem, index) => {
      const result = await model.doGenerate({
        prompt: ask(defaultPotTemplate.replace("{problem}", problem.question)),
        temperature: 0.8,
        maxTokens: 400,
        seed: index,
      });
      const code = lastCodeBlock(result.completions[0]?.text ?? "");
      if (!code) return { ran: false, right: false };
      const run = await sandbox.run({ language: "python", code });
      const printed = run.stdout.trim().split("\n").at(-1) ?? "";
      return { ran: run.exitReason === "ok" && printed !== "", right: answersEquivalent(printed, problem.answer) };
    });
    rows.push({
      task: "program of thought (T=0.8)",
      level: "hard",
      problems: problems.length,
      runs: share(runs.map((run) => run.ran)),
      "sample@0.8": share(runs.map((run) => run.right)),
    });
    console.log(rows.at(-1));
  }

  if (measured.has("tools")) {
    const problems = loadWordSplit({ difficulty: "hard", limit });
    const calls = await each(problems, async (problem, index) => {
      const result = await model.doGenerate({
        prompt: ask(problem.question),
        tools: [chatTools.calculator, chatTools.python],
        temperature: 0.8,
        n: 4,
        maxTokens: 400,
        seed: index,
      });
      return result.completions.map((completion) => {
        const call = completion.toolCalls?.[0];
        if (!call || !["calculator", "python"].includes(call.function.name)) return false;
        try {
          const parsed = JSON.parse(call.function.arguments) as unknown;
          return typeof parsed === "object" && parsed !== null;
        } catch {
          return false;
        }
      });
    });
    rows.push({ task: "tool calls, valid JSON (T=0.8, 4 each)", level: "hard", problems: problems.length, valid: share(calls.flat()) });
    console.log(rows.at(-1));
  }

  if (measured.has("tool-vote")) {
    const problems = loadWordSplit({ difficulty: "hard", limit });
    const mull = createMull();
    const voter = mull.asModel({ strategy: mull.strategy("self-consistency:n=8"), model, environment: mull.environment({ toolVote: "arguments" }) });
    /** Whether the first call is the calculator with an expression that prints the answer. */
    const right = async (completion: { toolCalls?: { function: { name: string; arguments: string } }[] } | undefined, answer: string) => {
      const call = completion?.toolCalls?.[0];
      if (call?.function.name !== "calculator") return false;
      try {
        const { expression } = JSON.parse(call.function.arguments) as { expression?: unknown };
        if (typeof expression !== "string") return false;
        const run = await sandbox.run({ language: "python", code: `print(${expression})` });
        return run.exitReason === "ok" && run.stdout.trim() === answer;
      } catch {
        return false;
      }
    };
    const scored = await each(problems, async (problem) => {
      const call = { prompt: ask(problem.question), tools: [chatTools.calculator], maxTokens: 400 };
      const greedy = await model.doGenerate({ ...call, temperature: 0 });
      const voted = await voter.doGenerate({ ...call, seed: 11 });
      return { greedy: await right(greedy.completions[0], problem.answer), voted: await right(voted.completions[0], problem.answer) };
    });
    await mull.dispose();
    rows.push({
      task: "calculator call right (tools)",
      level: "hard",
      problems: problems.length,
      greedy: share(scored.map((score) => score.greedy)),
      "maj@8": share(scored.map((score) => score.voted)),
    });
    console.log(rows.at(-1));
  }

  if (measured.has("code")) {
    const problems = loadFunctionSplit({ limit });
    const passed = await each(problems, async (problem) => {
      const result = await model.doGenerate({
        prompt: ask(`${chatInstructions.code}\n\n\`\`\`python\n${problem.prompt}\`\`\``),
        temperature: 0,
        maxTokens: 400,
      });
      const completion = lastCodeBlock(result.completions[0]?.text ?? "");
      if (!completion) return false;
      const run = await sandbox.run({
        language: "python",
        code: humanEvalProgram({ prompt: problem.prompt, test: problem.test, entryPoint: problem.entry_point, completion }),
      });
      return run.exitReason === "ok";
    });
    rows.push({ task: "function synthesis (hidden tests)", level: "all", problems: problems.length, greedy: share(passed) });
    console.log(rows.at(-1));
  }
} finally {
  await sandbox.close();
  await server.stop();
}

const table = rows.map(
  (row) =>
    `| ${[row.task, row.level, row.problems, ...["greedy", "sample@0.8", "maj@8", "maj@16", "pass@16", "runs", "valid"].map((key) => (typeof row[key] === "number" ? `${(100 * (row[key] as number)).toFixed(1)}%` : "–"))].join(" | ")} |`,
);
console.log(
  [
    "| task | level | problems | greedy | sample@0.8 | maj@8 | maj@16 | pass@16 | programs run | valid calls |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...table,
  ].join("\n"),
);
console.log(`${((Date.now() - started) / 1000).toFixed(0)} s`);
if (out) writeFileSync(out, `${JSON.stringify({ model: modelPath, limit, rows }, null, 1)}\n`);
