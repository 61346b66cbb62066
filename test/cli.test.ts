import { execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const mull = (...args: string[]) =>
  run(process.execPath, ["bin/mull.js", ...args], { timeout: 120_000 }).catch((error: { code: number; stdout: string; stderr: string }) => error);

describe("mull CLI (built bin)", () => {
  it("solve --json prints the answer, confidence, stop reason, candidates and usage", async () => {
    const result = (await mull("solve", "17*(3-9)+5", "--n", "4", "--seed", "1", "--json")) as { stdout: string };
    const body = JSON.parse(result.stdout) as Record<string, unknown> & { usage: Record<string, number>; candidates: unknown[] };
    expect(body).toMatchObject({ answer: "-97", stopReason: "completed" });
    expect(body.confidence).toBeGreaterThan(0.5);
    expect(body.candidates).toHaveLength(4);
    expect(Object.keys(body.usage).sort()).toEqual(["cachedPromptTokens", "calls", "completionTokens", "promptTokens", "wallMs"]);
  });

  it("solve runs a step-level search from a strategy spec and prints its tree", async () => {
    const result = (await mull("solve", "reach 24 with 4 7 8 8", "--strategy", "beam-search:n=4:beamWidth=2", "--seed", "1", "--json")) as { stdout: string };
    const body = JSON.parse(result.stdout) as { text: string; verifierTokens: number; trace: { type: string; data?: { nodes: unknown[] } }[] };
    expect(body.text).toMatch(/#### -?\d+$/);
    expect(body.verifierTokens).toBeGreaterThan(0);
    expect(body.trace.find((event) => event.type === "search-tree")?.data?.nodes.length).toBeGreaterThan(4);
    const typo = (await mull("solve", "1+1", "--strategy", "beam-search:beamwidth=2")) as { code: number; stderr: string };
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('beam-search has no option "beamwidth"');
  });

  it("stops at --budget-tokens and says so", async () => {
    const result = (await mull("solve", "12*(7+8)-9", "--n", "32", "--budget-tokens", "200", "--json")) as { stdout: string };
    const body = JSON.parse(result.stdout) as { stopReason: string; usage: { promptTokens: number; completionTokens: number } };
    expect(body.stopReason).toBe("budget");
    expect(body.usage.promptTokens + body.usage.completionTokens).toBeLessThan(400);
  });

  it("compare prints each strategy's paired difference against the first, on the same problems", async () => {
    const result = (await mull("compare", "--limit", "6", "--strategies", "single,self-consistency:n=2", "--json")) as { stdout: string };
    const body = JSON.parse(result.stdout) as {
      rows: { strategy: string; accuracy: number }[];
      differences: { strategy: string; baseline: string; items: number; difference: number; low: number; high: number }[];
    };
    expect(body.differences).toHaveLength(1);
    const [difference] = body.differences;
    expect(difference).toMatchObject({ strategy: "self-consistency:n=2", baseline: "single", items: 6 });
    // Paired over the same problems, the mean difference is the difference of the accuracies.
    expect(difference!.difference).toBeCloseTo(body.rows[1]!.accuracy - body.rows[0]!.accuracy, 9);
    expect(difference!.low).toBeLessThanOrEqual(difference!.difference);
    expect(difference!.high).toBeGreaterThanOrEqual(difference!.difference);
  });

  it("exits non-zero with a clear message on bad arguments", async () => {
    const unknown = (await mull("solve", "1+1", "--strategy", "nope")) as { code: number; stderr: string };
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown strategy "nope"');
    const badN = (await mull("solve", "1+1", "--n", "0")) as { code: number; stderr: string };
    expect(badN.code).not.toBe(0);
    expect(badN.stderr).toContain("--n must be an integer >= 1");
    const missing = (await mull("solve", "1+1", "--model", "/nowhere/model.gguf")) as { code: number; stderr: string };
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("/nowhere/model.gguf");
  });

  it("SIGTERM stops a bench gracefully: it says so and exits by itself (not killed by the signal)", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "mull-sigterm-")), "runs.db");
    const child = spawn(process.execPath, [
      "bin/mull.js",
      "bench",
      "--dataset",
      "arith-hard",
      "--limit",
      "50",
      "--strategies",
      "self-consistency:n=8",
      "--db",
      db,
    ]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    while (!/\d+\/50 units/.test(stderr)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (...args) => resolve(args)));
    // Killed by the signal, the process could not dispose its models (a llama-server child would be orphaned).
    expect(signal).toBeNull();
    expect(code).not.toBe(0);
    expect(stderr).toContain("interrupted");
  });
});
