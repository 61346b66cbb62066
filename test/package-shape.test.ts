/**
 * The package's shape: a bare `import "mull"` stays light (no server, SQLite, vega or node-llama-cpp is
 * loaded), each heavy piece sits behind its subpath, and no folder of src imports a folder above it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Every module URL node resolves while importing `entry` (a path under dist/) in a fresh process. */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), "mull-imports-")), "imports.log");
  await run(
    process.execPath,
    ["--import", "./test/fixtures/import-log/register.mjs", "--input-type=module", "-e", `await import(${JSON.stringify(`./${entry}`)});`],
    {
      env: { ...process.env, MULL_IMPORT_LOG: log },
    },
  );
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const heavy = [
  /\/node_modules\/hono\//,
  /@hono\/node-server/,
  /better-sqlite3/,
  /\/node_modules\/vega/,
  /node-llama-cpp/,
  /\/dist\/server\//,
  /\/dist\/bench\//,
];

describe("package shape", () => {
  it("a bare import of the library entry loads no server, SQLite, vega or node-llama-cpp module", async () => {
    const loaded = await modulesLoadedBy("dist/index.js");
    expect(loaded.some((url) => url.endsWith("/dist/index.js"))).toBe(true);
    expect(loaded.filter((url) => heavy.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it("the subpaths load what they are for (so the check above can fail)", async () => {
    expect((await modulesLoadedBy("dist/server.js")).some((url) => /\/node_modules\/hono\//.test(url))).toBe(true);
    expect((await modulesLoadedBy("dist/bench.js")).some((url) => /\/dist\/bench\/run-store\.js/.test(url))).toBe(true);
  });

  it("exports every subpath the README names", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, unknown> };
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining([".", "./llama-cpp", "./server", "./bench", "./cli", "./ai-sdk", "./sandbox", "./mcp"]),
    );
  });
});

/**
 * The layers, lowest first: a folder may import only folders of a lower layer (and itself). `core`
 * imports nothing; extensions (backends, strategies, verifiers) import core and the shared utilities,
 * never each other; the runtime wires them; server, bench and CLI sit on top.
 */
const layers: string[][] = [
  ["core"],
  ["internal", "answers"],
  ["middleware"],
  ["extension", "tasks"],
  ["backends", "strategies", "verifiers", "sandbox"],
  ["registry"],
  ["runtime"],
  ["server", "bench", "ai-sdk", "mcp"],
  ["cli"],
];
const layerOf = (folder: string) => layers.findIndex((layer) => layer.includes(folder));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("layering", () => {
  it("no folder of src imports a folder above it or a sibling extension folder", () => {
    const violations: string[] = [];
    for (const file of sourceFiles("src")) {
      const from = relative("src", file).split("/")[0] as string;
      // The entry files (src/index.ts, src/server.ts, ...) are the top; they may import anything.
      if (from.endsWith(".ts")) continue;
      expect(layerOf(from), `${from} has a layer`).toBeGreaterThanOrEqual(0);
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
        const target = relative("src", join(file, "..", specifier as string)).split("/")[0] as string;
        if (target === from) continue;
        const sameLayerSibling = layerOf(target) === layerOf(from);
        if (layerOf(target) > layerOf(from) || sameLayerSibling || (from === "core" && target !== "core")) violations.push(`${file} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
