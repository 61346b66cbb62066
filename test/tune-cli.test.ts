import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { startServer } from "../src/server/start-server.js";
import { parseProfile } from "../src/strategies/auto/auto-profile.js";
import { writeOneBinProfile } from "./helpers/one-bin-profile.js";

const run = promisify(execFile);
const mull = (...args: string[]) =>
  run(process.execPath, ["bin/mull.js", ...args], { timeout: 300_000 }).catch((error: { code: number; stdout: string; stderr: string }) => error);

const folder = mkdtempSync(join(tmpdir(), "mull-tune-"));
const profilePath = join(folder, "profile.json");

describe("mull tune (built bin, bundled model)", () => {
  const flags = ["--dataset", "arith-medium-dev", "--limit", "6", "--samples", "6", "--probe-sizes", "2,3", "--db", join(folder, "runs.db")];

  it("draws a pool, writes a valid profile with its dev numbers, and reuses the pool the next time", async () => {
    const first = (await mull("tune", ...flags, "--out", profilePath)) as { stdout: string; stderr: string };
    expect(first.stdout).toContain(`wrote ${profilePath}`);
    expect(first.stdout).toMatch(/majority@6: \d+\.\d%/);
    const profile = parseProfile(JSON.parse(readFileSync(profilePath, "utf8")), profilePath);
    expect([2, 3]).toContain(profile.probe.samples);
    expect(profile.probe.score).toBe(false);
    expect(profile.tunedOn).toMatchObject({ dataset: "arith-medium-dev", samples: 6, questions: 6 });
    expect(profile.bins.reduce((sum, bin) => sum + (bin.dev?.questions ?? 0), 0)).toBe(6);
    const second = (await mull("tune", ...flags, "--objective", "budget", "--token-budget", "100000", "--out", join(folder, "second.json"), "--json")) as {
      stdout: string;
      stderr: string;
    };
    expect(second.stderr).toContain("reusing the stored pool");
    expect(second.stderr).toContain("(6 questions stored)");
    expect(JSON.parse(second.stdout).profile.objective).toMatchObject({ kind: "budget", tokens: 100000 });
  });

  it("refuses bad objectives with the flag named", async () => {
    const missing = (await mull("tune", ...flags, "--objective", "budget")) as { code: number; stderr: string };
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--token-budget");
    const wrong = (await mull("tune", ...flags, "--objective", "fastest")) as { code: number; stderr: string };
    expect(wrong.stderr).toContain("--objective");
    const probe = (await mull("tune", ...flags, "--probe-sizes", "0,9")) as { code: number; stderr: string };
    expect(probe.stderr).toContain("--probe-sizes");
    const cost = (await mull("tune", ...flags, "--verifier-cost", "cheap")) as { code: number; stderr: string };
    expect(cost.code).not.toBe(0);
    expect(cost.stderr).toContain("--verifier-cost");
  });

  it("bench --budget-total needs an auto strategy with a profile, and no per-unit budgets", async () => {
    const db = join(folder, "budget.db");
    const plain = (await mull("bench", "--dataset", "arith-easy", "--limit", "2", "--strategies", "single", "--budget-total", "1000", "--db", db)) as {
      code: number;
      stderr: string;
    };
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain("--budget-total");
    expect(plain.stderr).toContain("auto:profile=");
    const both = (await mull(
      "bench",
      ...["--dataset", "arith-easy", "--limit", "2", "--strategies", `auto:profile=${profilePath}`, "--budgets", "500", "--budget-total", "1000", "--db", db],
    )) as { code: number; stderr: string };
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain("leave --budgets at none");
    // Refused before anything is stored: no half-made run.
    const runs = (await mull("runs", "--db", db, "--json")) as { stdout: string };
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});

describe("serving with a profile", () => {
  const policy = createLlamaCppModel();
  let server: Awaited<ReturnType<typeof startServer>>;
  const profile = join(folder, "served.json");
  beforeAll(async () => {
    writeOneBinProfile(profile, 5);
    server = await startServer({ models: { "mull-tiny-policy": policy }, port: 0, strategyDefaults: { auto: { profile } } });
  });
  afterAll(async () => {
    await server.close();
    await policy.dispose();
  });
  const post = (body: unknown) =>
    fetch(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("auto requests run with the server's profile", async () => {
    const response = await post({ model: "auto/mull-tiny-policy", prompt: "Q: 12*(7+8)-9\nA: ", max_tokens: 120 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { mull: { candidates: unknown[]; settings: { options: { profile?: string } } } };
    expect(body.mull.candidates).toHaveLength(5);
    expect(body.mull.settings.options.profile).toBe(profile);
  });

  it("a request may not name a profile file: refused, OpenAI-shaped, with nothing read", async () => {
    for (const body of [
      { model: "auto/mull-tiny-policy", prompt: "x", mull: { profile: "/etc/passwd" } },
      { model: "mull-tiny-policy", prompt: "x", mull: { strategy: "auto:profile=/etc/passwd" } },
    ]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { message: string; param: string } }).error;
      expect(error.param).toBe("mull.profile");
      expect(error.message).not.toContain("root");
    }
  });

  it("a server started with a bad profile fails at start, naming it", () => {
    expect(() =>
      startServer({ models: { "mull-tiny-policy": policy }, port: 0, strategyDefaults: { auto: { profile: join(folder, "missing.json") } } }),
    ).toThrow(/missing\.json/);
  });
});
