/**
 * Nothing a request says is dropped: every field is forwarded to an upstream, honoured by the embedded model, or
 * refused by name (real HTTP: the official `openai` client and fetch against `mull serve`, recording upstreams on
 * 127.0.0.1, the bundled policy in-process). The field tables cover OpenAI's published request schemas.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fieldTable } from "../scripts/request-field-table.js";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { chatFields, completionFields } from "../src/server/request-fields.js";
import { responsesFields } from "../src/server/responses-protocol.js";
import { startServer } from "../src/server/start-server.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

const mull = createMull();
const policy = createLlamaCppModel({ sequences: 2 });
let server: Awaited<ReturnType<typeof startServer>>;
let strictServer: Awaited<ReturnType<typeof startServer>>;
const recorded: Record<string, unknown>[] = [];
const refusedByReasoner: string[] = [];

/** Answers n choices of a short solution, as a chat model behind vLLM would. */
function answer(response: ServerResponse, body: Record<string, unknown>) {
  const n = (body.n as number | undefined) ?? 1;
  if (body.stream)
    return answerChat(
      response,
      Array.from({ length: n }, () => "3+4=7. The answer is 7."),
      true,
    );
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      choices: Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: "3+4=7. The answer is 7." }, finish_reason: "stop" })),
      usage: { prompt_tokens: 12, completion_tokens: 9 * n, completion_tokens_details: { reasoning_tokens: 0 } },
    }),
  );
}

/** The fields OpenAI's reasoning models refuse, each a 400 as OpenAI writes it. */
const reasonerRefuses = ["max_tokens", "temperature", "top_p", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "logit_bias"];

beforeAll(async () => {
  const upstream = await serveLocal((_request, body, response) => {
    recorded.push(body);
    answer(response, body);
  });
  const reasoner = await serveLocal((_request, body, response) => {
    recorded.push(body);
    const refused = reasonerRefuses.find((field) => field in body);
    if (refused) {
      refusedByReasoner.push(refused);
      response.writeHead(400, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: {
            message: `Unsupported parameter: '${refused}' is not supported with this model.`,
            type: "invalid_request_error",
            param: refused,
            code: "unsupported_parameter",
          },
        }),
      );
      return;
    }
    answer(response, body);
  });
  const models = {
    "mull-tiny-policy": policy,
    up: mull.model(`${upstream}#scripted`),
    o: mull.model(`${reasoner}#o-like?profile=openai-reasoning`),
    gpt: mull.model(`${upstream}#gpt-like?profile=openai`),
  };
  // The judge is the reasoning model too: its yes/no needs log-probabilities it cannot have, so it reads the text.
  server = await startServer({ models, mull, port: 0, verifiers: { judge: `judge:${reasoner}#o-like?profile=openai-reasoning` } });
  strictServer = await startServer({ models: { up: models.up }, mull, port: 0, strictFields: true });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await strictServer?.close();
  await closeLocalServers();
  await policy.dispose();
  await mull.dispose();
});

const post = (path: string, body: unknown, url = server.url) =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const messages = [{ role: "user", content: "What is 3+4?" }];

describe("request fields over HTTP", () => {
  it("forwards sampling knobs in the upstream's names, extensions and labels as written, an unknown field with a warning", async () => {
    recorded.length = 0;
    // Each field reaches the upstream as the client wrote it (mull's names are OpenAI's and vLLM's).
    const fields = {
      top_k: 20,
      min_p: 0.05,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      repetition_penalty: 1.1,
      logit_bias: { "42": -5 },
      reasoning_effort: "low",
      chat_template_kwargs: { enable_thinking: false },
      guided_json: { type: "object" },
      user: "u-1",
      metadata: { team: "a" },
      temprature: 0.2,
    };
    const response = await post("/chat/completions", { model: "up", messages, ...fields });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { warnings?: { message?: string }[] };
    expect(recorded.at(-1)).toMatchObject(fields);
    expect(body.warnings?.some((warning) => warning.message?.includes('unknown field "temprature" forwarded'))).toBe(true);
  });

  it("refuses an unknown field under strict, per request or per server, naming it", async () => {
    for (const [url, extra] of [
      [server.url, { mull: { strict: true } }],
      [strictServer.url, {}],
    ] as const) {
      const response = await post("/chat/completions", { model: "up", messages, temprature: 0.2, ...extra }, url);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe("temprature");
    }
    // A field mull writes itself cannot ride along as an extension of a route that lacks it.
    const misplaced = await post("/responses", { model: "up", input: "3+4?", n: 3 });
    expect(misplaced.status).toBe(400);
    expect(((await misplaced.json()) as { error: { param: string; message: string } }).error).toMatchObject({
      param: "n",
      message: "n is not a field of /v1/responses",
    });
    // Known fields pass under strict.
    expect((await post("/chat/completions", { model: "up", messages, top_k: 5, mull: { strict: true } })).status).toBe(200);
  });

  it("refuses an upstream's extension on the embedded model by name, and warns about an unknown field it ignores", async () => {
    const refused = await post("/chat/completions", { model: "mull-tiny-policy", messages, chat_template_kwargs: { enable_thinking: false } });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { param: string; message: string } }).error;
    expect(error.param).toBe("chat_template_kwargs");
    expect(error.message).toContain("cannot honour it");
    const warned = await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", max_tokens: 4, temprature: 0 });
    expect(warned.status).toBe(200);
    const body = (await warned.json()) as { warnings: { message?: string }[] };
    expect(body.warnings.some((warning) => warning.message?.includes('unknown field "temprature" ignored'))).toBe(true);
  });

  it("honours top_k, logit_bias and the repetition penalty on the embedded model", async () => {
    const completion = async (extra: Record<string, unknown>) => {
      const response = await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", max_tokens: 12, ...extra });
      expect(response.status).toBe(200);
      return ((await response.json()) as { choices: { text: string }[] }).choices.map((choice) => choice.text);
    };
    const [greedy] = await completion({ temperature: 0 });
    // Top-k 1 leaves only the most likely token: sampling at temperature 1 is greedy.
    expect(await completion({ temperature: 1, top_k: 1, n: 3, seed: 7 })).toEqual([greedy, greedy, greedy]);
    // Biasing the greedy first token out changes the first character.
    const first = (await policy.tokenize(greedy?.slice(0, 1) ?? ""))[0];
    const [biased] = await completion({ temperature: 0, logit_bias: { [String(first)]: -100 } });
    expect(biased?.slice(0, 1)).not.toBe(greedy?.slice(0, 1));
    // Penalties reshape the distribution: the same seeds draw other samples (ignored, they would draw the same).
    // Free text from a bare "Q: " is uncertain enough for a repeat to be penalised within 30 tokens.
    const free = async (extra: Record<string, unknown>) =>
      (
        (await (await post("/completions", { model: "mull-tiny-policy", prompt: "Q: ", max_tokens: 30, temperature: 1, n: 3, seed: 11, ...extra })).json()) as {
          choices: { text: string }[];
        }
      ).choices.map((choice) => choice.text);
    const sampled = await free({});
    expect(await free({})).toEqual(sampled);
    expect(await free({ frequency_penalty: 2, repetition_penalty: 4 })).not.toEqual(sampled);
    expect(await free({ presence_penalty: 2 })).not.toEqual(sampled);
  });

  it("sends max_completion_tokens where the profile says so; a reasoning-model upstream works with every sampling strategy, fields it refuses left out with a warning", async () => {
    recorded.length = 0;
    await post("/chat/completions", { model: "gpt", messages, max_tokens: 30 });
    expect(recorded.at(-1)).toMatchObject({ max_completion_tokens: 30 });
    expect(recorded.at(-1)).not.toHaveProperty("max_tokens");
    refusedByReasoner.length = 0;
    const direct = await post("/chat/completions", { model: "o", messages, max_completion_tokens: 40, temperature: 0.3, logprobs: true });
    expect(direct.status).toBe(200);
    const directBody = (await direct.json()) as { warnings: { feature?: string; details?: string }[] };
    expect(directBody.warnings.some((warning) => warning.details?.includes("temperature, logprobs not sent"))).toBe(true);
    // Every strategy that samples and votes (those with a verifier get the judge from the same upstream).
    for (const strategy of [
      "single",
      "self-consistency",
      "rpc",
      "complexity-vote",
      "adaptive-consistency",
      "esc",
      "leader-threshold",
      "deepconf",
      "auto",
      "best-of-n",
      "weighted-vote",
      "verified-resample",
      "repeated-sampling",
      "genselect",
      "mixture-of-agents",
    ]) {
      const response = await post("/chat/completions", { model: `${strategy}/o`, messages, max_tokens: 40, mull: { budgetTokens: 4000 } });
      const body = (await response.json()) as { choices: { message: { content: string } }[]; error?: unknown };
      expect(response.status, `${strategy}: ${JSON.stringify(body.error)}`).toBe(200);
      expect(body.choices[0]?.message.content).toContain("7");
    }
    expect(refusedByReasoner).toEqual([]);
  });

  it("n under a strategy: each choice a full run, the usage and report cover them all, a warning says so, the budget is shared", async () => {
    recorded.length = 0;
    const response = await post("/chat/completions", { model: "self-consistency/up", messages, n: 2, mull: { n: 4, budgetTokens: 10_000 } });
    const body = (await response.json()) as {
      choices: unknown[];
      usage: { completion_tokens: number };
      warnings: { message?: string }[];
      mull: { runs: { usage: { completionTokens: number } }[] };
    };
    expect(body.choices).toHaveLength(2);
    expect(body.mull.runs).toHaveLength(2);
    expect(body.usage.completion_tokens).toBe(body.mull.runs.reduce((sum, run) => sum + run.usage.completionTokens, 0));
    expect(body.warnings.some((warning) => warning.message?.includes("n: 2 runs self-consistency 2 times"))).toBe(true);
    // A budget of 10 tokens over 2 runs: each run stops at its share, the whole within the budget and one wave.
    const tight = (await (await post("/chat/completions", { model: "self-consistency/up", messages, n: 2, mull: { n: 8, budgetTokens: 60 } })).json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(tight.usage.prompt_tokens + tight.usage.completion_tokens).toBeLessThan(200);
  });

  it("the openai client's reasoning_effort reaches an upstream, and thinking tokens are reported", async () => {
    const client = new OpenAI({ baseURL: server.url, apiKey: "unused", maxRetries: 0 });
    recorded.length = 0;
    const completion = await client.chat.completions.create({ model: "up", messages: [{ role: "user", content: "3+4?" }], reasoning_effort: "high" });
    expect(recorded.at(-1)).toMatchObject({ reasoning_effort: "high" });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
  });
});

/** The property names of a schema in OpenAI's description, through `allOf` and `$ref`. */
function properties(spec: { components: { schemas: Record<string, unknown> } }, name: string): string[] {
  const seen = new Set<string>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const schema = node as { $ref?: string; allOf?: unknown[]; properties?: Record<string, unknown> };
    if (schema.$ref) walk(spec.components.schemas[schema.$ref.split("/").at(-1) as string]);
    for (const part of schema.allOf ?? []) walk(part);
    for (const key of Object.keys(schema.properties ?? {})) seen.add(key);
  };
  walk(spec.components.schemas[name]);
  return [...seen].sort();
}

describe("the README's field table", () => {
  it("is the tables the server reads, as scripts/request-field-table.ts prints them", () => {
    expect(readFileSync("README.md", "utf8")).toContain(fieldTable());
  });
});

const specPath = "../shared/reference/openai-openapi.yaml";

describe.skipIf(!existsSync(specPath))("the field tables against OpenAI's published request schemas", () => {
  it("name every field of chat completions, completions and responses", () => {
    const spec = parse(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, unknown> } };
    for (const [schema, table] of [
      ["CreateChatCompletionRequest", chatFields],
      ["CreateCompletionRequest", completionFields],
      ["CreateResponse", responsesFields],
    ] as const) {
      const fields = properties(spec, schema);
      expect(fields.length, schema).toBeGreaterThan(10);
      expect(
        fields.filter((field) => !(field in table)),
        schema,
      ).toEqual([]);
    }
  });
});
