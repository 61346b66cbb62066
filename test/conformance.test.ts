/**
 * One run environment behind every entry point: a code strategy (`pot`, programs run in the sandbox), an
 * architecture whose generator is a strategy (itself a code strategy, so the inner run needs the sandbox too) and
 * `auto` with a tuned profile each run through the library, `mull solve`, `mull serve` over HTTP (streamed and
 * not), the AI SDK middleware and `mull bench`, and report identical settings, with no "needs a sandbox" anywhere.
 * The model is a scripted OpenAI-compatible chat server on 127.0.0.1 (this is wiring, not a measurement); the
 * programs run in the real sandbox.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mullMiddleware } from "../src/ai-sdk.js";
import { RunStore } from "../src/bench/run-store.js";
import { runCli } from "../src/cli/run-cli.js";
import type { RunSettings } from "../src/core/strategy.js";
import { createMull } from "../src/runtime/create-mull.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { writeOneBinProfile } from "./helpers/one-bin-profile.js";

const folder = mkdtempSync(join(tmpdir(), "mull-conformance-"));
const mull = createMull({ sandbox: { warm: 0, concurrency: 2 } });
const problem = "What is six times seven?";
let upstream = "";
let server: { url: string; stop: () => Promise<number> };

/** A chat model that writes a program when asked for one, and otherwise reasons to `#### 42`. */
const coder = () =>
  serveLocal((_request, body, response) => {
    const messages = body.messages as { content: string }[];
    const asked = messages.at(-1)?.content ?? "";
    const n = typeof body.n === "number" ? body.n : 1;
    const reply = asked.includes("Python program") ? "Here it is.\n```python\nprint(6 * 7)\n```" : "Six sevens are 42.\n#### 42";
    answerChat(
      response,
      Array.from({ length: n }, () => reply),
      body.stream === true,
    );
  });

const architectureFile = join(folder, "architecture.json");
const profileFile = writeOneBinProfile(join(folder, "profile.json"), 3);
writeFileSync(
  architectureFile,
  JSON.stringify({
    kind: "mull-architecture",
    version: 1,
    layers: [[{ role: "generator", samples: 2, strategy: "pot:n=2" }], [{ role: "fuser", using: "vote" }]],
  }),
);

/** Each case: its spec (library, CLI, AI SDK, bench), and how an HTTP request asks for the same run. */
const cases = [
  { name: "a code strategy", spec: "pot:n=2", http: { model: "coder", mull: { strategy: "pot:n=2" } } },
  { name: "an architecture with a strategy generator", spec: `archon:config=${architectureFile}`, http: { model: "composed" } },
  { name: "auto with a profile", spec: `auto:profile=${profileFile}`, http: { model: "coder", mull: { strategy: "auto" } } },
];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  let err = "";
  const code = await runCli({ args, mull, out: (line) => lines.push(line), err: (text) => (err += text) });
  return { code, out: lines.join("\n"), err };
}

/** `mull serve --config`: the coder, a route running the architecture file, and the profile as auto's default. */
async function serve(): Promise<{ url: string; stop: () => Promise<number> }> {
  const config = join(folder, "mull.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      models: { coder: `${upstream}#coder` },
      routes: { composed: `archon:config=${architectureFile} over coder` },
      strategyDefaults: { auto: { profile: profileFile } },
    }),
  );
  const controller = new AbortController();
  const lines: string[] = [];
  const done = runCli({ args: ["serve", "--port", "0", "--config", config], mull, out: (line) => lines.push(line), err: () => {}, signal: controller.signal });
  for (let wait = 0; wait < 500 && !lines.some((line) => line.includes("http://")); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
  const url = /(http:\/\/\S+\/v1)/.exec(lines.join("\n"))?.[1];
  if (!url) throw new Error(`mull serve did not start: ${lines.join("\n")}`);
  return {
    url,
    stop: () => {
      controller.abort();
      return done;
    },
  };
}

const chat = (body: Record<string, unknown>) =>
  fetch(`${server.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: problem }], max_tokens: 64, ...body }),
  });

/** The `mull` object of a streamed response: the last chunk that carries one with settings. */
async function streamedMull(response: Response): Promise<{ settings?: RunSettings; answer?: string }> {
  const events = (await response.text())
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)) as { mull?: { settings?: RunSettings; answer?: string }; error?: unknown });
  const failed = events.find((event) => event.error !== undefined);
  if (failed) throw new Error(JSON.stringify(failed.error));
  return events.findLast((event) => event.mull?.settings !== undefined)?.mull ?? {};
}

beforeAll(async () => {
  upstream = await coder();
  server = await serve();
});
afterAll(async () => {
  await server.stop();
  await closeLocalServers();
  await mull.dispose();
});

describe.each(cases)("$name through every entry point", ({ spec, http }) => {
  let expected: RunSettings;

  it("the library runs it (the reference settings)", async () => {
    const result = await mull.run({ model: `${upstream}#coder`, strategy: spec, problem });
    expect(result.answer).toBe("42");
    expected = result.settings;
    expect(expected.model).toBe("coder");
  }, 60_000);

  it("mull solve", async () => {
    const result = await cli("solve", problem, "--strategy", spec, "--model", `${upstream}#coder`, "--json");
    expect(result.err).not.toContain("sandbox");
    expect(result.code, result.err).toBe(0);
    const body = JSON.parse(result.out) as { answer: string; settings: RunSettings };
    expect(body.answer).toBe("42");
    expect(body.settings).toEqual(expected);
  }, 60_000);

  it("mull serve over HTTP, not streamed", async () => {
    const response = await chat(http);
    const body = (await response.json()) as { mull?: { answer: string; settings: RunSettings }; error?: { message: string } };
    expect(body.error?.message).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body.mull?.answer).toBe("42");
    expect(body.mull?.settings).toEqual(expected);
  }, 60_000);

  it("mull serve over HTTP, streamed", async () => {
    const response = await chat({ ...http, stream: true });
    expect(response.status).toBe(200);
    const mullObject = await streamedMull(response);
    expect(mullObject.answer).toBe("42");
    expect(mullObject.settings).toEqual(expected);
  }, 60_000);

  it("the AI SDK middleware, generating and streaming", async () => {
    const model = wrapLanguageModel({
      model: createOpenAICompatible({ name: "coder", baseURL: upstream }).chatModel("coder"),
      middleware: mullMiddleware({ strategy: spec, mull }),
    });
    const generated = await generateText({ model, prompt: problem });
    const metadata = generated.providerMetadata?.mull as { answer: string; settings: RunSettings };
    expect(metadata.answer).toBe("42");
    expect(metadata.settings).toEqual(expected);
    const streamed = streamText({ model, prompt: problem });
    expect(await streamed.text).not.toBe("");
    const streamedMetadata = (await streamed.providerMetadata)?.mull as { answer: string; settings: RunSettings };
    expect(streamedMetadata.answer).toBe("42");
    expect(streamedMetadata.settings).toEqual(expected);
  }, 60_000);

  it("mull bench", async () => {
    const dataset = join(folder, "one.jsonl");
    writeFileSync(dataset, `${JSON.stringify({ question: problem, answer: "6 * 7 = 42\n#### 42" })}\n`);
    const db = join(mkdtempSync(join(tmpdir(), "mull-conformance-db-")), "runs.db");
    const result = await cli("bench", "--dataset", dataset, "--format", "gsm8k", "--model", `${upstream}#coder`, "--strategies", spec, "--db", db, "--json");
    expect(result.code, result.err).toBe(0);
    const store = new RunStore(db);
    try {
      const [unit] = store.units((JSON.parse(result.out) as { run: string }).run);
      expect(unit?.error).toBeUndefined();
      expect(unit?.correct).toBe(true);
      expect(unit?.detail.settings).toEqual(expected);
    } finally {
      store.close();
    }
  }, 60_000);
});
