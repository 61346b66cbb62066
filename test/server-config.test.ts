import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMull } from "../src/runtime/create-mull.js";
import { parseServerConfig, readServerConfig, serverOptionsFromConfig } from "../src/server/server-config.js";
import { startServer } from "../src/server/start-server.js";

const mull = createMull();
let upstream: Awaited<ReturnType<typeof startServer>>;
const upstreamKey = "sk-upstream-0123456789abcdef";

beforeAll(async () => {
  // The upstream is another mull serve over the bundled model, asking for a key, as a hosted endpoint would.
  upstream = await startServer({ models: { "mull-tiny-policy": mull.model("mull-tiny-policy") }, port: 0, keys: [{ key: upstreamKey, name: "proxy" }] });
});
afterAll(async () => {
  await upstream.close();
  await mull.dispose();
});

const directory = mkdtempSync(join(tmpdir(), "mull-config-"));
const write = (name: string, text: string) => {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
};

describe("mull serve --config", () => {
  it("refuses a bad config with the field's path and never a secret", () => {
    const bad = (config: unknown) => () => parseServerConfig(config, "mull.config.json");
    expect(bad({})).toThrow(/mull\.config\.json: models/);
    expect(bad({ models: { a: { urls: ["ftp://x"] } } })).toThrow(/models\.a\.urls\.0/);
    expect(bad({ models: { a: "mull-tiny-policy" }, rotues: {} })).toThrow(/rotues/);
    expect(bad({ models: { a: "mull-tiny-policy" }, routes: { fast: "self-consistency over b" } })).toThrow(/routes\.fast: no model named "b"/);
    expect(bad({ models: { a: "mull-tiny-policy" }, routes: { fast: "best-of-n over a with judge" } })).toThrow(/no verifier named "judge"/);
    expect(bad({ models: { a: "mull-tiny-policy" }, routes: { a: "single" } })).toThrow(/routes\.a: a model has the same name/);
    expect(bad({ models: { "a/b": "mull-tiny-policy" } })).toThrow(/no '\/'/);
    expect(bad({ models: { a: "mull-tiny-policy" }, profile: "p.json" })).toThrow(/"profile" is no longer read: .*strategyDefaults/);
    const noKey = parseServerConfig({ models: { up: { urls: [upstream.url], apiKeyEnv: "MULL_TEST_UNSET_KEY" } } });
    expect(() => serverOptionsFromConfig({ mull, config: noKey, env: {} })).toThrow(/models\.up\.apiKeyEnv: .*MULL_TEST_UNSET_KEY is not set/);
    const badYaml = write("bad.yaml", "models: [unclosed");
    expect(() => readServerConfig(badYaml)).toThrow(/cannot read .*bad\.yaml/);
  });

  it("serves routes over an upstream pool whose key comes from the environment, and holds requests to a route's budget", async () => {
    // A route's architecture file is found beside the config, wherever the server starts.
    write("two-and-vote.json", JSON.stringify({ kind: "mull-architecture", version: 1, layers: [[{ role: "generator", samples: 2 }], [{ role: "fuser" }]] }));
    const path = write(
      "mull.config.yaml",
      [
        "models:",
        "  qwen:",
        `    urls: ["${upstream.url}", "${upstream.url}/"]`,
        "    model: mull-tiny-policy",
        "    apiKeyEnv: MULL_TEST_UPSTREAM_KEY",
        "    maxRetries: 0",
        "verifiers:",
        "  prm: prm",
        "routes:",
        '  vote: "self-consistency:n=4 over qwen"',
        '  composed: "archon:config=two-and-vote.json over qwen"',
        "  capped:",
        '    strategy: "self-consistency:n=6"',
        "    model: qwen",
        "    budget: { calls: 2 }",
      ].join("\n"),
    );
    const config = readServerConfig(path);
    const options = serverOptionsFromConfig({ mull, config, configPath: path, env: { MULL_TEST_UPSTREAM_KEY: upstreamKey } });
    const server = await startServer({ ...options, mull, port: 0 });
    try {
      const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(["vote", "capped", "qwen", "self-consistency/qwen"]));
      expect((await fetch(`${server.url}/models/vote`)).status).toBe(200);
      const chat = (model: string, mullOptions?: Record<string, unknown>) =>
        fetch(`${server.url}/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model, prompt: "Q: 6*7\nA: ", max_tokens: 24, temperature: 0.7, ...(mullOptions ? { mull: mullOptions } : {}) }),
        });
      const vote = await chat("vote");
      const voted = (await vote.json()) as { model: string; mull: { strategy: string; candidates: unknown[]; usage: { calls: number } } };
      expect(vote.status, JSON.stringify(voted)).toBe(200);
      expect(voted.model).toBe("vote");
      expect(voted.mull.strategy).toBe("self-consistency");
      expect(voted.mull.candidates).toHaveLength(4);
      // The route's budget of 2 calls holds even though the strategy would make more, and a request may lower it.
      const capped = (await (await chat("capped")).json()) as { mull: { usage: { calls: number }; stopReason: string } };
      expect(capped.mull.usage.calls).toBeLessThanOrEqual(2);
      const lower = (await (await chat("capped", { budgetCalls: 1, n: 3 })).json()) as { mull: { usage: { calls: number } } };
      expect(lower.mull.usage.calls).toBe(1);
      const raise = (await (await chat("capped", { budgetCalls: 50 })).json()) as { mull: { usage: { calls: number } } };
      expect(raise.mull.usage.calls).toBeLessThanOrEqual(2);
      expect(options.routes.composed?.strategy).toBe(`archon:config=${join(directory, "two-and-vote.json")}`);
      const composed = (await (await chat("composed")).json()) as { mull: { strategy: string; candidates: unknown[] } };
      expect(composed.mull.strategy).toBe("archon");
      expect(composed.mull.candidates).toHaveLength(2);
      // A route fixes its strategy.
      const refused = await chat("vote", { strategy: "best-of-n" });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/fixes its strategy/);
    } finally {
      await server.close();
    }
  });
});
