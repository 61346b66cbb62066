import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import type { CallOptions } from "../src/core/call-options.js";
import type { LanguageModel } from "../src/core/language-model.js";
import type { StreamPart } from "../src/core/stream-part.js";
import { startServer } from "../src/server/start-server.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { readAll } from "./helpers/read-stream.js";

const embedded = createLlamaCppModel();
// Records the signals of calls that reach the embedded model, to observe cancellation.
const seen: CallOptions[] = [];
const observed: LanguageModel = {
  ...embedded,
  modelId: "mull-tiny-policy",
  doGenerate: (options) => {
    seen.push(options);
    return embedded.doGenerate(options);
  },
  doStream: (options) => {
    seen.push(options);
    return embedded.doStream(options);
  },
};
let server: Awaited<ReturnType<typeof startServer>>;
let client: LanguageModel;

beforeAll(async () => {
  server = await startServer({ models: { "mull-tiny-policy": observed }, port: 0 });
  client = createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-policy" });
});
afterAll(async () => {
  await server.close();
  await embedded.dispose();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("mull serve, reached through mull's own OpenAI-compatible backend", () => {
  it("lists base models and strategy ids", async () => {
    const body = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
    expect(body.data.map((model) => model.id)).toEqual(
      expect.arrayContaining(["mull-tiny-policy", "self-consistency/mull-tiny-policy", "single/mull-tiny-policy"]),
    );
  });

  it("completes raw prompts with n and log-probabilities", async () => {
    const result = await client.doGenerate({ prompt: "Q: 2+3*4\nA: ", n: 3, temperature: 0, logprobs: true });
    expect(result.completions).toHaveLength(3);
    for (const completion of result.completions) {
      expect(completion.text).toBe("4*3=12\n12+2=14\n#### 14"); // the bundled model writes + and * operands either way round
      expect(completion.logprobs).toHaveLength(completion.text.length);
    }
    expect(result.usage.completionTokens).toBe(3 * 22);
    expect(result.warnings).toEqual([]);
  });

  it("answers chat messages and streams", async () => {
    const chat = await client.doGenerate({ prompt: [{ role: "user", content: "6*7" }], temperature: 0 });
    expect(chat.completions[0]?.text).toContain("#### 42");
    const stream = await client.doStream({ prompt: "Q: 6*7\nA: ", temperature: 0 });
    const parts: StreamPart[] = await readAll(stream);
    const text = parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
    expect(text).toBe("6*7=42\n#### 42");
    expect(parts.filter((part) => part.type === "text-delta").length).toBeGreaterThan(5);
    expect(parts.at(-1)).toMatchObject({ type: "end", usage: { completionTokens: text.length } });
  });

  it("runs a strategy named in the model id and reports everything it spent", async () => {
    const response = await post("/completions", { model: "self-consistency/mull-tiny-policy", prompt: "Q: 12*(7+8)-9\nA: ", mull: { n: 6 } });
    const body = (await response.json()) as {
      choices: { text: string }[];
      usage: { completion_tokens: number };
      mull: { answer: string; confidence: number; stopReason: string; candidates: unknown[]; usage: { calls: number } };
    };
    expect(response.status).toBe(200);
    expect(body.mull).toMatchObject({ answer: "171", stopReason: "completed" });
    expect(body.mull.candidates).toHaveLength(6);
    expect(body.usage.completion_tokens).toBeGreaterThan(5 * body.choices[0]!.text.length);
  });

  it("votes on the answers a request's own RE2 pattern projects, and refuses a bad pattern with a 400", async () => {
    // The pattern takes the first operand of the last line's sum, so the vote counts those, not the #### answer.
    const response = await post("/completions", {
      model: "self-consistency/mull-tiny-policy",
      prompt: "Q: 12*(7+8)-9\nA: ",
      mull: { n: 4, answerPattern: "\\n(\\d+)-9=", temperature: 0 },
    });
    const body = (await response.json()) as { mull: { answer: string; votes: Record<string, number> } };
    expect(response.status).toBe(200);
    expect(body.mull.answer).toBe("180");
    const bad = await post("/completions", { model: "self-consistency/mull-tiny-policy", prompt: "x", mull: { answerPattern: "(" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/answer pattern/);
  });

  it("runs a strategy named in the mull object, under a budget, streaming progress then the answer", async () => {
    const response = await post("/chat/completions", {
      model: "mull-tiny-policy",
      messages: [{ role: "user", content: "12*(7+8)-9" }],
      stream: true,
      mull: { strategy: "self-consistency", n: 32, budgetTokens: 300 },
    });
    const events = (await response.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: "))
      .map((event) => event.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { choices: unknown[]; mull?: { progress?: string; stopReason?: string } });
    expect(chunks.some((chunk) => chunk.mull?.progress)).toBe(true);
    expect(chunks.at(-1)?.mull?.stopReason).toBe("budget");
  });

  it("rejects invalid requests with OpenAI-shaped errors", async () => {
    const cases: [unknown, number, string | null][] = [
      ["{not json", 400, null],
      [{ model: "mull-tiny-policy" }, 400, "prompt"],
      [{ model: "mull-tiny-policy", prompt: "x", n: 0 }, 400, "n"],
      [{ model: "nope", prompt: "x" }, 404, "model"],
      [{ model: "mull-tiny-policy", prompt: "x", mull: { strategy: "unknown" } }, 400, "strategy"],
      [{ model: "mull-tiny-policy", prompt: "x", mull: { budgetTokens: -1 } }, 400, "mull.budgetTokens"],
    ];
    for (const [body, status, param] of cases) {
      const response = await post("/completions", body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      const error = ((await response.json()) as { error: { message: string; type: string; param: string | null } }).error;
      expect(error.type).toBe("invalid_request_error");
      expect(error.param).toBe(param);
      expect(error.message.length).toBeGreaterThan(5);
    }
  });

  it("cancels the generation when the client disconnects", async () => {
    const controller = new AbortController();
    seen.length = 0;
    const pending = client
      .doGenerate({ prompt: "Q: 1+1\nA: ", n: 4, temperature: 1.5, maxTokens: 400, abortSignal: controller.signal })
      .catch((error: unknown) => error);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await pending;
    const signal = seen[0]?.abortSignal;
    for (let wait = 0; wait < 100 && !signal?.aborted; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(signal?.aborted).toBe(true);
  });

  it("serves an upstream endpoint too: a second mull serve in front of the first", async () => {
    const front = await startServer({
      models: { upstream: createOpenAICompatibleModel({ baseURL: server.url, model: "mull-tiny-policy", formatProblem: (problem) => `Q: ${problem}\nA: ` }) },
      port: 0,
    });
    try {
      const response = await fetch(`${front.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "self-consistency/upstream", messages: [{ role: "user", content: "6*7" }], mull: { n: 3 } }),
      });
      const body = (await response.json()) as {
        mull: { answer: string; candidates: unknown[]; usage: { calls: number } };
        usage: { completion_tokens: number };
      };
      expect(body.mull.answer).toBe("42");
      expect(body.mull.candidates).toHaveLength(3);
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
    } finally {
      await front.close();
    }
  });

  it("serves the same strategy unchanged through the HTTP backend", async () => {
    const result = await createSelfConsistency({ n: 4 }).run({ model: client, call: { prompt: "Q: 6*7\nA: ", seed: 2 } });
    expect(result.answer).toBe("42");
    expect(result.usage.calls).toBe(1);
  });
});

/** An OpenAI response body, read field by field in the assertions below. */
// biome-ignore lint/suspicious/noExplicitAny: the tests check the wire shape itself, field by field
type WireBody = Record<string, any>;

describe("OpenAI wire compatibility of mull serve", () => {
  const json = async (path: string, body: unknown) => {
    const response = await post(path, body);
    return { status: response.status, body: (await response.json()) as WireBody };
  };
  const chunksOf = async (response: Response) =>
    (await response.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: ") && !event.startsWith("data: [DONE]"))
      .map((event) => JSON.parse(event.slice(6)) as WireBody);

  it("answers chat with message.refusal, and log-probabilities with their bytes and a refusal field", async () => {
    const { status, body } = await json("/chat/completions", {
      model: "mull-tiny-policy",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "6*" },
            { type: "text", text: "7" },
          ],
        },
      ],
      temperature: 0,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(status).toBe(200);
    const choice = body.choices[0];
    expect(choice.message).toMatchObject({ role: "assistant", refusal: null });
    expect(choice.message.content).toContain("#### 42");
    expect(choice.logprobs.refusal).toBeNull();
    const first = choice.logprobs.content[0];
    expect(first.bytes).toEqual([...new TextEncoder().encode(first.token)]);
    expect(first.top_logprobs[0].bytes).toEqual([...new TextEncoder().encode(first.top_logprobs[0].token)]);
  });

  it("gives legacy logprobs: 0 the sampled tokens with their real text offsets", async () => {
    const { body } = await json("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", temperature: 0, logprobs: 0 });
    const { text, logprobs } = body.choices[0];
    expect(logprobs.tokens.join("")).toBe(text);
    expect(logprobs.top_logprobs).toBeNull();
    expect(logprobs.text_offset).toEqual(logprobs.tokens.map((_: string, index: number) => logprobs.tokens.slice(0, index).join("").length));
  });

  it("sends a usage chunk only when stream_options.include_usage asks, and finish reasons OpenAI knows", async () => {
    const plain = await chunksOf(await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", temperature: 0, stream: true }));
    expect(plain.some((chunk) => chunk.usage)).toBe(false);
    const asked = await chunksOf(
      await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", temperature: 0, stream: true, stream_options: { include_usage: true } }),
    );
    expect(asked.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    const reasons = asked.flatMap((chunk) => chunk.choices.map((choice: { finish_reason: string | null }) => choice.finish_reason)).filter(Boolean);
    expect(reasons.every((reason: string) => ["stop", "length", "tool_calls", "content_filter"].includes(reason))).toBe(true);
  });

  it("refuses a streamed request the model cannot take with a real HTTP 400, before any event", async () => {
    const response = await post("/completions", { model: "mull-tiny-policy", prompt: "1+".repeat(3000), stream: true });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("prompt");
  });

  it("describes one model at GET /v1/models/{id}, strategy ids included, and 404s an unknown one", async () => {
    for (const id of ["mull-tiny-policy", "self-consistency/mull-tiny-policy"]) {
      const response = await fetch(`${server.url}/models/${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id, object: "model" });
    }
    const missing = await fetch(`${server.url}/models/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });

  it("refuses by name what it cannot honour instead of dropping it, and warns that a strategy returns no logprobs", async () => {
    const base = { model: "mull-tiny-policy", messages: [{ role: "user", content: "6*7" }] };
    const tools = await json("/chat/completions", {
      ...base,
      tools: [{ type: "function", function: { name: "calc", parameters: {} } }],
      tool_choice: "required",
    });
    expect(tools).toMatchObject({ status: 400, body: { error: { param: "tools" } } });
    // The embedded model constrains its output to a schema by grammar; one the converter cannot take is a 400 naming it.
    const format = await json("/chat/completions", { ...base, response_format: { type: "json_schema", json_schema: { name: "x", schema: { oneOf: 3 } } } });
    expect(format).toMatchObject({ status: 400, body: { error: { param: "responseFormat" } } });
    const image = await json("/chat/completions", {
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: "data:," } },
          ],
        },
      ],
    });
    expect(image).toMatchObject({ status: 400, body: { error: { param: "messages.0.content" } } });
    const strategy = await json("/completions", { model: "self-consistency/mull-tiny-policy", prompt: "Q: 6*7\nA: ", logprobs: 1, mull: { n: 2 } });
    expect(strategy.body.warnings?.some((warning: { feature?: string }) => warning.feature === "logprobs")).toBe(true);
  });
});
