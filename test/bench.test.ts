import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../src/bench/datasets.js";
import { RunStore } from "../src/bench/run-store.js";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "mull-bench-"));
const mull = (...args: string[]) => run(process.execPath, ["bin/mull.js", ...args], { timeout: 300_000 });

describe("datasets", () => {
  it("reads GSM8K JSONL, reporting malformed lines by number and skipping them", () => {
    const loaded = loadDataset({ dataset: "test/fixtures/gsm8k-sample.jsonl", format: "gsm8k" });
    expect(loaded.items.map((item) => item.answer)).toEqual(["14", "42", "1001"]);
    expect(loaded.errors.map((error) => error.line)).toEqual([3, 4]);
    expect(loaded.errors[0]?.message).toMatch(/gsm8k-sample\.jsonl:3: /);
    expect(() => loadDataset({ dataset: "test/fixtures/gsm8k-sample.jsonl", format: "gsm8k", onMalformed: "fail" })).toThrow(/gsm8k-sample\.jsonl:3/);
  });

  it("reads CSV with configurable fields, and mull's own splits", () => {
    const loaded = loadDataset({ dataset: "test/fixtures/generic.csv", promptField: "text", answerField: "solution" });
    expect(loaded.items.map((item) => item.answer)).toEqual(["9"]);
    expect(loaded.errors.length).toBeGreaterThan(0);
    const own = loadDataset({ dataset: "countdown-medium", limit: 3 });
    expect(own.items).toHaveLength(3);
    expect(own.items[0]).toMatchObject({ task: "countdown", difficulty: "medium" });
    expect(() => loadDataset({ dataset: "no-such-dataset" })).toThrow(/neither a built-in dataset/);
  });
});

describe("mull bench on the bundled model", () => {
  const args = ["bench", "--dataset", "arith-hard", "--limit", "6", "--strategies", "single,self-consistency:n=4", "--budgets", "none", "--json"];

  it("runs a small grid end to end and lists it", async () => {
    const db = join(directory, "grid.db");
    const { stdout } = await mull(...args, "--db", db);
    const result = JSON.parse(stdout) as {
      run: string;
      summary: {
        strategy: string;
        difficulty: string;
        n: number;
        accuracy: number;
        completionTokens: number;
        promptTokens: number;
        passAt1: number;
        coverage: number;
        gigaflops: number;
      }[];
    };
    const rows = result.summary.filter((row) => row.difficulty === "all");
    expect(rows.map((row) => row.strategy).sort()).toEqual(["self-consistency:n=4", "single"]);
    for (const row of rows) expect(row.n).toBe(6);
    const sc = rows.find((row) => row.strategy.startsWith("self"))!;
    const single = rows.find((row) => row.strategy === "single")!;
    expect(sc.completionTokens).toBeGreaterThan(3 * single.completionTokens);
    expect(sc.coverage).toBeGreaterThanOrEqual(sc.accuracy - 1e-9);
    expect(sc.passAt1).toBeGreaterThan(0);
    expect(single.gigaflops).toBeCloseTo((2 * 5_296_384 * (single.promptTokens + single.completionTokens)) / 1e9, 6);
    const shown = JSON.parse((await mull("runs", "show", result.run, "--db", db, "--compare", "self-consistency:n=4,single", "--json")).stdout) as {
      comparison: { rows: { items: number; difference: number }[] };
    };
    expect(shown.comparison.rows[0]?.items).toBe(6);
    expect(shown.comparison.rows[0]?.difference).toBeCloseTo(sc.accuracy - single.accuracy);
    // The report: one chart per difficulty with one line per strategy, drill-down per problem, nothing fetched.
    const reportFile = join(directory, "report.html");
    await mull("report", result.run, "--db", db, "-o", reportFile);
    const html = readFileSync(reportFile, "utf8");
    const figures = html.split("<figure").slice(1);
    expect(figures.map((figure) => /data-difficulty="([^"]+)"/.exec(figure)?.[1])).toEqual(["all", "hard"]);
    for (const figure of figures) expect(figure.match(/class="mark-line role-mark/g)).toHaveLength(2);
    expect(html.match(/<details data-item=/g)).toHaveLength(6);
    expect(html.match(/(?:src|href)="http/g)).toBeNull();
    const table = (await mull("runs", "show", result.run, "--db", db)).stdout.split("\n").filter((line) => line.startsWith("|"));
    const columns = (line: string) => line.split("|").length;
    for (const line of table) expect(columns(line)).toBe(columns(table[0] as string));
    const listed = JSON.parse((await mull("runs", "--db", db, "--json")).stdout) as { id: string; units: number; status: string }[];
    expect(listed[0]).toMatchObject({ id: result.run, units: 12, status: "done" });
  });

  it("stores a step-level search's tree and draws it in the report's drill-down", async () => {
    const db = join(directory, "search.db");
    const { stdout } = await mull("bench", "--dataset", "countdown-medium", "--limit", "2", "--strategies", "dvts:n=4:beamWidth=2", "--db", db, "--json");
    const runId = (JSON.parse(stdout) as { run: string }).run;
    const store = new RunStore(db);
    const units = store.units(runId);
    store.close();
    const nodes = units.map((unit) => (unit.detail.searchTree as { nodes: { status: string }[] }).nodes);
    expect(nodes).toHaveLength(2);
    const reportFile = join(directory, "search-report.html");
    await mull("report", runId, "--db", db, "-o", reportFile);
    const html = readFileSync(reportFile, "utf8");
    expect(html.match(/<details class="search-tree">/g)).toHaveLength(2);
    // Every stored node but the roots is drawn, pruned ones marked.
    expect(html.match(/data-node="/g)).toHaveLength(nodes.reduce((sum, list) => sum + list.length - 1, 0));
    expect(html.match(/<li class="pruned/g)?.length).toBe(nodes.flat().filter((node) => node.status === "pruned").length);
  });

  it("rejects a bad grid with a clear error and stores no run for it", async () => {
    const db = join(directory, "bad.db");
    const failure = (await mull("bench", "--dataset", "arith-hard", "--strategies", "self-consistency:n=0", "--db", db).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain("Invalid argument for n");
    expect(JSON.parse((await mull("runs", "--db", db, "--json")).stdout)).toEqual([]);
  });

  it("resumes after SIGKILL without losing or repeating a unit, with the same results as an uninterrupted run", async () => {
    const killedDb = join(directory, "killed.db");
    const child = spawn(process.execPath, ["bin/mull.js", ...args, "--db", killedDb], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // Kill -9 once a few units are stored.
    for (let wait = 0; wait < 600; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const runId = /run ([\w-]+)/.exec(stderr)?.[1];
      if (!runId) continue;
      const store = new RunStore(killedDb);
      const stored = store.units(runId).length;
      store.close();
      if (stored >= 3) break;
    }
    child.kill("SIGKILL");
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.on("exit", resolve));
    const runId = /run ([\w-]+)/.exec(stderr)?.[1] as string;
    const before = new RunStore(killedDb);
    const partial = before.units(runId).length;
    expect(before.getRun(runId)?.status).toBe("running");
    before.close();
    expect(partial).toBeGreaterThanOrEqual(3);
    expect(partial).toBeLessThan(12);

    await mull("bench", "--resume", runId, "--db", killedDb, "--json");
    const cleanDb = join(directory, "clean.db");
    const clean = JSON.parse((await mull(...args, "--db", cleanDb)).stdout) as { run: string };
    const resumedStore = new RunStore(killedDb);
    const cleanStore = new RunStore(cleanDb);
    // Wall time and prefix reuse depend on what the process evaluated before, not on the results.
    const strip = (units: ReturnType<RunStore["units"]>) =>
      units.map(({ wallMs: _wallMs, detail: { cachedPromptTokens: _cached, ...detail }, ...rest }) => ({ ...rest, detail }));
    const resumed = strip(resumedStore.units(runId));
    expect(resumed).toHaveLength(12);
    expect(resumed).toEqual(strip(cleanStore.units(clean.run)));
    expect(resumedStore.getRun(runId)?.status).toBe("done");
    resumedStore.close();
    cleanStore.close();
  });
});
