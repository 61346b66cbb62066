/**
 * mull serve's responses, stream chunks, models and errors validated against OpenAI's published OpenAPI
 * description (`../shared/reference/openai-openapi.yaml`; skipped where the folder is absent).
 */
import { existsSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { answerWithTools } from "./helpers/tool-upstream.js";

const specPath = "../shared/reference/openai-openapi.yaml";

/** OpenAPI 3.0's `nullable: true`, still in places of the 3.1 file, as JSON Schema's `type: [..., "null"]`. */
function withoutNullable(node: unknown): void {
  if (Array.isArray(node)) for (const item of node) withoutNullable(item);
  else if (node && typeof node === "object") {
    const schema = node as Record<string, unknown>;
    if (schema.nullable === true) {
      delete schema.nullable;
      if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
      if (typeof schema.type === "string") schema.type = [schema.type, "null"];
      else if (schema.type === undefined) {
        const copy = { ...schema };
        for (const key of Object.keys(schema)) delete schema[key];
        schema.anyOf = [copy, { type: "null" }];
      }
    }
    for (const value of Object.values(schema)) withoutNullable(value);
  }
}

describe.skipIf(!existsSync(specPath))("mull serve against OpenAI's OpenAPI description", () => {
  const model = createLlamaCppModel({ sequences: 2 });
  let server: Awaited<ReturnType<typeof startServer>>;
  let check: (schema: string, body: unknown) => string[];

  beforeAll(async () => {
    const spec = parse(readFileSync(specPath, "utf8")) as { components: unknown };
    withoutNullable(spec.components);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: "openai", components: spec.components });
    check = (schema, body) => {
      const validate = ajv.getSchema(`openai#/components/schemas/${schema}`);
      if (!validate) throw new Error(`no schema ${schema}`);
      return validate(body)
        ? []
        : (validate.errors ?? []).map((error: { instancePath: string; message?: string }) => `${schema}${error.instancePath}: ${error.message}`);
    };
    const upstream = await serveLocal((_request, body, response) => answerWithTools(response, body));
    server = await startServer({ models: { "mull-tiny-policy": model, up: createOpenAICompatibleModel({ baseURL: upstream, model: "scripted" }) }, port: 0 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await closeLocalServers();
    await model.dispose();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  /** Each server-sent event's data (named events included), without the final [DONE]. */
  const chunks = async (response: Response) =>
    (await response.text())
      .split("\n\n")
      .map((event) =>
        event
          .split("\n")
          .find((line) => line.startsWith("data: "))
          ?.slice(6),
      )
      .filter((data): data is string => data !== undefined && data !== "[DONE]")
      .map((data) => JSON.parse(data) as unknown);

  it("chat completions, with log-probabilities and n, and a strategy's", async () => {
    for (const model of ["mull-tiny-policy", "self-consistency/mull-tiny-policy"]) {
      const response = await post("/chat/completions", {
        model,
        messages: [{ role: "user", content: "6*7" }],
        n: 2,
        logprobs: true,
        top_logprobs: 2,
        mull: model.includes("/") ? { n: 2 } : undefined,
      });
      expect(check("CreateChatCompletionResponse", await response.json())).toEqual([]);
    }
  });

  it("tool calls from an upstream, whole, streamed and voted on", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const messages = [{ role: "user", content: "Weather in Paris?" }];
    for (const model of ["up", "self-consistency/up"]) {
      const whole = await post("/chat/completions", { model, messages, tools, tool_choice: "required", mull: model.includes("/") ? { n: 3 } : undefined });
      const body = (await whole.json()) as { choices: { message: { tool_calls?: unknown[] } }[] };
      expect(body.choices[0]?.message.tool_calls).toHaveLength(1);
      expect(check("CreateChatCompletionResponse", body)).toEqual([]);
    }
    const streamed = await chunks(await post("/chat/completions", { model: "up", messages, tools, stream: true }));
    expect(streamed.some((chunk) => JSON.stringify(chunk).includes('"tool_calls"'))).toBe(true);
    expect(streamed.flatMap((chunk) => check("CreateChatCompletionStreamResponse", chunk))).toEqual([]);
  });

  it("legacy completions with log-probabilities", async () => {
    const response = await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", logprobs: 2, n: 2 });
    expect(check("CreateCompletionResponse", await response.json())).toEqual([]);
  });

  it("stream chunks, chat and legacy, with usage asked for", async () => {
    const chat = await chunks(
      await post("/chat/completions", {
        model: "mull-tiny-policy",
        messages: [{ role: "user", content: "6*7" }],
        stream: true,
        logprobs: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chat.flatMap((chunk) => check("CreateChatCompletionStreamResponse", chunk))).toEqual([]);
    const legacy = await chunks(
      await post("/completions", { model: "mull-tiny-policy", prompt: "Q: 6*7\nA: ", stream: true, stream_options: { include_usage: true } }),
    );
    // The description has no schema of its own for legacy stream chunks; its completion schema requires a finish
    // reason, which a chunk in the middle of a stream (OpenAI's too) has as null. The chunks that end choices are checked.
    const ends = legacy.filter((chunk) => (chunk as { choices: { finish_reason: unknown }[] }).choices.every((choice) => choice.finish_reason !== null));
    expect(ends.length).toBeGreaterThan(0);
    expect(ends.flatMap((chunk) => check("CreateCompletionResponse", chunk))).toEqual([]);
  });

  it("the Responses API, plain and streamed", async () => {
    const body = { model: "mull-tiny-policy", input: [{ role: "user", content: [{ type: "input_text", text: "6*7" }] }], temperature: 0 };
    const plain = (await (await post("/responses", body)).json()) as { output: { content: { text: string }[] }[] };
    expect(check("Response", plain)).toEqual([]);
    expect(plain.output[0]?.content[0]?.text).toContain("#### 42");
    const events = await chunks(await post("/responses", { ...body, stream: true }));
    expect(events.length).toBeGreaterThan(6);
    // Each event against its own schema (the union's errors name every member).
    const schemas: Record<string, string> = {
      "response.created": "ResponseCreatedEvent",
      "response.in_progress": "ResponseInProgressEvent",
      "response.output_item.added": "ResponseOutputItemAddedEvent",
      "response.content_part.added": "ResponseContentPartAddedEvent",
      "response.output_text.delta": "ResponseTextDeltaEvent",
      "response.output_text.done": "ResponseTextDoneEvent",
      "response.content_part.done": "ResponseContentPartDoneEvent",
      "response.output_item.done": "ResponseOutputItemDoneEvent",
      "response.completed": "ResponseCompletedEvent",
    };
    expect(events.flatMap((event) => check(schemas[(event as { type: string }).type] ?? "ResponseStreamEvent", event))).toEqual([]);
    const types = events.map((event) => (event as { type: string }).type);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    const text = events.map((event) => ((event as { type: string }).type === "response.output_text.delta" ? (event as { delta: string }).delta : "")).join("");
    expect(text).toBe(plain.output[0]?.content[0]?.text);
  });

  it("the Responses API with function tools, their outputs and previous_response_id, plain and streamed", async () => {
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true }];
    const first = (await (await post("/responses", { model: "up", input: "Weather in Paris?", tools, tool_choice: "required" })).json()) as {
      id: string;
      output: { type: string; call_id: string; name: string; arguments: string }[];
    };
    expect(check("Response", first)).toEqual([]);
    const call = first.output.find((item) => item.type === "function_call");
    expect(call?.name).toBe("get_weather");
    expect(JSON.parse(call?.arguments ?? "{}")).toEqual({ city: "Paris", unit: "c" });
    // The tool's output continues the stored conversation.
    const output = { type: "function_call_output", call_id: call?.call_id, output: '{"temp":21}' };
    const second = await post("/responses", { model: "up", previous_response_id: first.id, input: [output] });
    const answered = (await second.json()) as { output: { type: string; content?: { text: string }[] }[] };
    expect(check("Response", answered)).toEqual([]);
    expect(answered.output[0]?.content?.[0]?.text).toBe("plain");
    // An unknown previous response is refused by name.
    const unknown = await post("/responses", { model: "up", previous_response_id: "resp_nope", input: "hi" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { param: string } }).error.param).toBe("previous_response_id");
    const events = await chunks(await post("/responses", { model: "up", input: "Weather in Paris?", tools, stream: true }));
    const schemas: Record<string, string> = {
      "response.created": "ResponseCreatedEvent",
      "response.in_progress": "ResponseInProgressEvent",
      "response.output_item.added": "ResponseOutputItemAddedEvent",
      "response.function_call_arguments.delta": "ResponseFunctionCallArgumentsDeltaEvent",
      "response.function_call_arguments.done": "ResponseFunctionCallArgumentsDoneEvent",
      "response.output_item.done": "ResponseOutputItemDoneEvent",
      "response.completed": "ResponseCompletedEvent",
    };
    expect(events.flatMap((event) => check(schemas[(event as { type: string }).type] ?? "ResponseStreamEvent", event))).toEqual([]);
    const done = events.at(-1) as { response: { output: { type: string }[] } };
    expect(done.response.output.map((item) => item.type)).toEqual(["function_call"]);
  });

  it("is a real check: an empty body and a wrong finish reason fail", () => {
    expect(check("CreateChatCompletionResponse", {}).length).toBeGreaterThan(0);
    const chunk = { id: "x", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "abort" }] };
    expect(check("CreateChatCompletionStreamResponse", chunk).length).toBeGreaterThan(0);
  });

  it("models and errors", async () => {
    expect(check("ListModelsResponse", await (await fetch(`${server.url}/models`)).json())).toEqual([]);
    expect(check("Model", await (await fetch(`${server.url}/models/self-consistency/mull-tiny-policy`)).json())).toEqual([]);
    for (const response of [await fetch(`${server.url}/models/nope`), await post("/completions", { model: "mull-tiny-policy" })])
      expect(check("ErrorResponse", await response.json())).toEqual([]);
  });
});
