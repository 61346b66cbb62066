import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadDataset } from "../src/bench/datasets.js";
import { RunStore } from "../src/bench/run-store.js";
import { runCli } from "../src/cli/run-cli.js";
import { createMull } from "../src/runtime/create-mull.js";
import { loadSplit } from "../src/tasks/splits.js";
import { answerCompletions, closeLocalServers, serveLocal } from "./helpers/local-server.js";

const directory = mkdtempSync(join(tmpdir(), "mull-bench-robust-"));
const mull = createMull();
afterAll(() => mull.dispose());
afterEach(closeLocalServers);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  let err = "";
  const code = await runCli({ args, mull, out: (line) => lines.push(line), err: (text) => (err += text) });
  return { code, out: lines.join("\n"), err };
}

type Row = { strategy: string; difficulty: string; n: number; errors: number; accuracy: number };

/** mull's own hard problems written as GSM8K lines: the bare question and a worked answer ending `#### n`. */
function gsm8kFileOf(count: number, extra: string[] = []): string {
  const path = join(directory, `own-${count}-${extra.length}.jsonl`);
  const problems = loadSplit({ task: "arith", difficulty: "hard", limit: count });
  const lines = problems.map((problem) =>
    JSON.stringify({ question: problem.prompt.replace(/^Q: /, "").replace(/\nA: $/, ""), answer: `work\n#### ${problem.answer}` }),
  );
  writeFileSync(path, [...lines, ...extra].join("\n"));
  return path;
}

describe("mull bench on real-shaped data", () => {
  it("sends a dataset's bare questions in the model's own format: GSM8K lines of mull's problems score as the built-in split does", async () => {
    const file = gsm8kFileOf(8);
    const own = await cli("bench", "--dataset", "arith-hard", "--limit", "8", "--strategies", "single", "--db", join(directory, "a.db"), "--json");
    const lines = await cli("bench", "--dataset", file, "--format", "gsm8k", "--strategies", "single", "--db", join(directory, "b.db"), "--json");
    expect(own.code).toBe(0);
    expect(lines.code).toBe(0);
    const accuracy = (out: string) => (JSON.parse(out) as { summary: Row[] }).summary.find((row) => row.difficulty === "all")?.accuracy;
    // The same problems, seeds and model: the same greedy answers, so the same score.
    expect(accuracy(lines.out)).toBeCloseTo(accuracy(own.out) as number, 9);
    expect(accuracy(own.out)).toBeGreaterThan(0.2);
  });

  it("stores a prompt longer than the context as an errored unit, goes on, and counts errors apart from wrong answers", async () => {
    const tooLong = JSON.stringify({ question: Array.from({ length: 3000 }, (_, index) => `${index}+`).join(""), answer: "#### 1" });
    const file = gsm8kFileOf(3, [tooLong]);
    const db = join(directory, "errors.db");
    const result = await cli("bench", "--dataset", file, "--format", "gsm8k", "--strategies", "single", "--db", db, "--json");
    expect(result.code).toBe(0);
    const body = JSON.parse(result.out) as { run: string; summary: Row[] };
    const row = body.summary.find((item) => item.difficulty === "all")!;
    expect(row).toMatchObject({ n: 3, errors: 1 });
    expect(result.err).toMatch(/1 units could not run \(first: line-4: .*context holds/);
    const store = new RunStore(db);
    try {
      const errored = store.units(body.run).filter((unit) => unit.error !== undefined);
      expect(errored).toHaveLength(1);
      expect(errored[0]?.error).toMatch(/prompt.*tokens; the context holds/);
    } finally {
      store.close();
    }
  });

  it("--resume runs errored units again and replaces them once they succeed; --skip-errors keeps them", async () => {
    let healthy = false;
    const url = await serveLocal((_request, body, response) => {
      const flaky = JSON.stringify(body).includes("flaky");
      if (flaky && !healthy) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "upstream broke" } }));
        return;
      }
      answerCompletions(response, 1, "#### 7");
    });
    const file = join(directory, "flaky.jsonl");
    writeFileSync(file, [JSON.stringify({ question: "steady 3+4", answer: "#### 7" }), JSON.stringify({ question: "flaky 3+4", answer: "#### 7" })].join("\n"));
    const db = join(directory, "flaky.db");
    const model = `${url}#m`;
    const first = await cli("bench", "--dataset", file, "--format", "gsm8k", "--strategies", "single", "--model", model, "--db", db, "--json");
    expect(first.code).toBe(0);
    const runId = (JSON.parse(first.out) as { run: string }).run;
    const rowOf = (out: string) => (JSON.parse(out) as { summary: Row[] }).summary.find((item) => item.difficulty === "all")!;
    expect(rowOf(first.out)).toMatchObject({ n: 1, errors: 1, accuracy: 1 });
    healthy = true;
    const kept = await cli("bench", "--resume", runId, "--skip-errors", "--db", db, "--json");
    expect(rowOf(kept.out)).toMatchObject({ n: 1, errors: 1 });
    const retried = await cli("bench", "--resume", runId, "--db", db, "--json");
    expect(rowOf(retried.out)).toMatchObject({ n: 2, errors: 0, accuracy: 1 });
  });

  it("keeps MATH's level as the difficulty and its subject as the group", () => {
    const file = join(directory, "math.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ problem: "1+1?", solution: "So \\boxed{2}.", answer: "2", subject: "Algebra", level: 1, unique_id: "test/algebra/1.json" }),
        JSON.stringify({ problem: "2+2?", solution: "So \\boxed{4}.", subject: "Prealgebra", level: "Level 3" }),
      ].join("\n"),
    );
    const loaded = loadDataset({ dataset: file, format: "math" });
    expect(loaded.items.map((item) => [item.id, item.difficulty, item.group, item.answer])).toEqual([
      ["test/algebra/1.json", "Level 1", "Algebra", "2"],
      ["line-2", "Level 3", "Prealgebra", "4"],
    ]);
  });
});

const math500 = "../shared/datasets/math500-test.jsonl";
describe.skipIf(!existsSync(math500))("MATH500 from ../shared/datasets", () => {
  it("runs to the end on the bundled model, over-long prompts stored as errors, broken down by level", async () => {
    const db = join(directory, "math500.db");
    const result = await cli(
      "bench",
      "--dataset",
      math500,
      "--format",
      "math",
      "--limit",
      "12",
      "--strategies",
      "single",
      "--max-tokens",
      "16",
      "--db",
      db,
      "--json",
    );
    expect(result.code).toBe(0);
    const rows = (JSON.parse(result.out) as { summary: Row[] }).summary;
    const all = rows.find((row) => row.difficulty === "all")!;
    expect(all.n + all.errors).toBe(12);
    expect(rows.some((row) => /^Level [1-5]$/.test(row.difficulty))).toBe(true);
  });
});

describe("answer grading options in mull bench", () => {
  it("grades with a user pattern, strict equations and a tolerance, and refuses a bad pattern before spending", async () => {
    const url = await serveLocal((_request, _body, response) => answerCompletions(response, 1, "I think RESULT<x = 3.1416> is it"));
    const file = join(directory, "pattern.jsonl");
    writeFileSync(file, JSON.stringify({ question: "pi to four places?", answer: "3.14159" }));
    const base = ["bench", "--dataset", file, "--strategies", "single", "--model", `${url}#m`, "--json"];
    const accuracy = async (...flags: string[]) => {
      const result = await cli(...base, "--db", join(directory, `pattern-${flags.join("-").replace(/\W/g, "")}.db`), ...flags);
      expect(result.code, result.err).toBe(0);
      return (JSON.parse(result.out) as { summary: Row[] }).summary.find((row) => row.difficulty === "all")?.accuracy;
    };
    // The standard extraction takes 3.1416, which is not 3.14159 at the default tolerance; the pattern takes `x = 3.1416`.
    expect(await accuracy()).toBe(0);
    expect(await accuracy("--answer-pattern", "RESULT<([^>]*)>")).toBe(0);
    expect(await accuracy("--answer-pattern", "RESULT<([^>]*)>", "--tolerance", "1e-4")).toBe(1);
    expect(await accuracy("--answer-pattern", "RESULT<([^>]*)>", "--tolerance", "1e-4", "--equations", "strict")).toBe(0);
    const bad = await cli(...base, "--db", join(directory, "bad-pattern.db"), "--answer-pattern", "(unclosed");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/answer pattern.*not a regular expression/);
  });
});

describe("multiple-choice and integer-answer datasets", () => {
  it("loads options as a list or keyed by letter, answers as a letter, an index or the option's text", () => {
    const file = join(directory, "choice.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ question: "Which is prime?", choices: ["4", "6", "7", "9"], answer: "C" }),
        JSON.stringify({ question: "Which is even?", options: { A: "3", B: "8", C: "5" }, answer: 1 }),
        JSON.stringify({ question: "Largest?", choices: ["2", "10", "5"], answer: "10" }),
        JSON.stringify({ question: "Bad?", choices: ["2", "10"], answer: "Z" }),
      ].join("\n"),
    );
    const loaded = loadDataset({ dataset: file });
    expect(loaded.items.map((item) => [item.answer, item.answerStyle])).toEqual([
      ["C", "choice"],
      ["B", "choice"],
      ["B", "choice"],
    ]);
    expect(loaded.items[0]?.prompt).toBe("Which is prime?\n\nA) 4\nB) 6\nC) 7\nD) 9");
    expect(loaded.errors[0]?.message).toMatch(/:4: the answer "Z" is neither/);
  });

  it("asks a chat model for its answer where the extraction looks first, by the dataset's kind", async () => {
    const seen: string[] = [];
    const url = await serveLocal((_request, body, response) => {
      const content = String((body.messages as { content: string }[])[0]?.content);
      seen.push(content);
      const reply = content.includes("letter of the correct option") ? "Thinking... Answer: C" : content.includes("\\boxed{}") ? "So \\boxed{42}." : "?";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ choices: [{ index: 0, message: { content: reply }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 5 } }),
      );
    });
    const choice = join(directory, "choice-run.jsonl");
    writeFileSync(choice, JSON.stringify({ question: "Which is prime?", choices: ["4", "6", "7", "9"], answer: "C" }));
    const aime = join(directory, "aime.jsonl");
    writeFileSync(aime, JSON.stringify({ problem: "Find the answer.", answer: 42 }));
    for (const file of [choice, aime]) {
      const result = await cli("bench", "--dataset", file, "--strategies", "single", "--model", `${url}#m`, "--db", join(directory, "kinds.db"), "--json");
      expect(result.code, result.err).toBe(0);
      expect((JSON.parse(result.out) as { summary: Row[] }).summary.find((row) => row.difficulty === "all")?.accuracy).toBe(1);
    }
    expect(seen[0]).toMatch(/^Which is prime\?\n\nA\) 4\n.*\n\nThink step by step/s);
    expect(seen[1]).toMatch(/put your final answer within \\boxed\{\}/);
  });
});

describe("few-shot examples", () => {
  it("shows the file's first worked solutions before each question: as earlier turns to a chat model, in its own format to the bundled one", async () => {
    const seen: unknown[] = [];
    const url = await serveLocal((_request, body, response) => {
      seen.push(body.messages);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ choices: [{ index: 0, message: { content: "#### 7" }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
      );
    });
    const file = gsm8kFileOf(5);
    const fewShot = (db: string, ...model: string[]) =>
      cli("bench", "--dataset", file, "--format", "gsm8k", "--few-shot", "2", "--strategies", "single", ...model, "--db", join(directory, db), "--json");
    const scored = (out: string) => (JSON.parse(out) as { summary: Row[] }).summary.find((row) => row.difficulty === "all")?.n;
    const chat = await fewShot("few-chat.db", "--model", `${url}#m`);
    expect(chat.code, chat.err).toBe(0);
    expect(scored(chat.out)).toBe(3);
    const messages = seen[0] as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(messages[1]?.content).toMatch(/#### -?\d+$/);
    const own = await fewShot("few-own.db");
    expect(own.code, own.err).toBe(0);
    expect(scored(own.out)).toBe(3);
    const noWork = join(directory, "no-work.jsonl");
    writeFileSync(noWork, [JSON.stringify({ problem: "1+1?", answer: "2" }), JSON.stringify({ problem: "2+2?", answer: "4" })].join("\n"));
    const refused = loadDataset({ dataset: noWork, fewShot: 1 });
    expect(refused.errors[0]?.message).toMatch(/few-shot example needs a worked solution/);
  });
});
