import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseArchitecture } from "../src/strategies/compose/architecture.js";
import { defaultArchitectureSpace, rankArchitectures, roundSizes, survivors } from "../src/strategies/compose/architecture-search.js";

const run = promisify(execFile);
const mull = (...args: string[]) =>
  run(process.execPath, ["bin/mull.js", ...args], { timeout: 300_000 }).catch((error: { code: number; stdout: string; stderr: string }) => error);
const folder = mkdtempSync(join(tmpdir(), "mull-tune-architecture-"));

const score = (name: string, correct: number, tokens: number) => ({
  name,
  questions: 10,
  correct,
  tokens: tokens * 10,
  generatedTokens: tokens * 10,
  verifierTokens: 0,
});

describe("architecture search", () => {
  it("states its default space: 39 valid architectures, names unique, none repeating another", () => {
    const space = defaultArchitectureSpace();
    expect(space).toHaveLength(39);
    expect(new Set(space.map((entry) => entry.name)).size).toBe(39);
    expect(space.some((entry) => /top\d-best/.test(entry.name))).toBe(false);
    expect(space.find((entry) => entry.name === "sample8-refine2-best")?.architecture.layers.map((layer) => layer[0]?.role)).toEqual([
      "generator",
      "critic",
      "refiner",
      "ranker",
    ]);
  });

  it("halves by rounds: a third goes on, each question runs once", () => {
    expect(roundSizes(90, 3, 3)).toEqual([10, 30, 90]);
    expect(roundSizes(4, 3, 3)).toEqual([1, 2, 4]);
    const scores = [score("a", 6, 100), score("b", 8, 300), score("c", 8, 200), score("d", 9, 900)];
    expect(rankArchitectures(scores, undefined).map((item) => item.name)).toEqual(["d", "c", "b", "a"]);
    // Within 250 tokens a question first, by accuracy; the others after, cheapest first.
    expect(rankArchitectures(scores, 250).map((item) => item.name)).toEqual(["c", "a", "b", "d"]);
    expect(survivors(scores, 250, 3).map((item) => item.name)).toEqual(["c", "a"]);
  });
});

describe("mull tune-architecture (built bin, bundled models)", () => {
  const space = join(folder, "space.json");
  writeFileSync(
    space,
    JSON.stringify([
      { kind: "mull-architecture", version: 1, name: "two-vote", layers: [[{ role: "generator", samples: 2 }]] },
      {
        kind: "mull-architecture",
        version: 1,
        name: "four-best",
        layers: [[{ role: "generator", samples: 4 }], [{ role: "ranker", topK: 1 }]],
        select: "first",
      },
      {
        kind: "mull-architecture",
        version: 1,
        name: "three-weighted",
        layers: [[{ role: "generator", samples: 3 }], [{ role: "fuser", using: "weighted-vote" }]],
      },
    ]),
  );
  const flags = ["--dataset", "countdown-medium-dev", "--limit", "4", "--space", space, "--rounds", "2", "--keep", "2", "--db", join(folder, "runs.db")];
  const flagsAt = (name: string) => [...flags, "--work-dir", join(folder, "work"), "--out", join(folder, name)];

  it("runs the rounds through the bench, writes the best architecture, and reuses stored units when rerun", async () => {
    const first = (await mull("tune-architecture", ...flagsAt("best.json"))) as { stdout: string; stderr: string };
    expect(first.stderr).toContain("questions 1 to 2 × 3 architectures (0 units stored before)");
    expect(first.stderr).toContain("questions 3 to 4 × 2 architectures (0 units stored before)");
    const best = parseArchitecture(JSON.parse(readFileSync(join(folder, "best.json"), "utf8")), "best.json");
    expect(["two-vote", "four-best", "three-weighted"]).toContain(best.name);
    expect(best.description).toMatch(/^Searched by mull tune-architecture on countdown-medium-dev \(4 questions/);
    expect(first.stdout).toContain(`| ${best.name} | 4 |`);
    const again = (await mull("tune-architecture", ...flagsAt("again.json"), "--json")) as { stdout: string; stderr: string };
    expect(again.stderr).toContain("questions 1 to 2 × 3 architectures (6 units stored before)");
    expect(again.stderr).toContain("questions 3 to 4 × 2 architectures (4 units stored before)");
    expect(JSON.parse(again.stdout).best).toBe(best.name);
  });

  it("names a bad space or an unknown dataset", async () => {
    const badSpace = join(folder, "bad.json");
    writeFileSync(badSpace, JSON.stringify([{ kind: "mull-architecture", version: 1, name: "x", layers: [[{ role: "ranker" }]] }]));
    const bad = (await mull("tune-architecture", "--dataset", "countdown-medium-dev", "--space", badSpace)) as { code: number; stderr: string };
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("layers[0]: the first layer must hold generators");
    const unnamed = join(folder, "unnamed.json");
    writeFileSync(unnamed, JSON.stringify([{ kind: "mull-architecture", version: 1, layers: [[{ role: "generator" }]] }]));
    expect(((await mull("tune-architecture", "--dataset", "countdown-medium-dev", "--space", unnamed)) as { stderr: string }).stderr).toContain(
      "each architecture needs one",
    );
    const dataset = (await mull("tune-architecture", "--dataset", "nope-dev")) as { code: number; stderr: string };
    expect(dataset.code).not.toBe(0);
    expect(dataset.stderr).toContain("nope-dev");
  });
});
