import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { answerWithTools, argumentsByChoice, received } from "./helpers/tool-upstream.js";

const mull = createMull();
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;

beforeAll(async () => {
  const upstream = await serveLocal((_request, body, response) => answerWithTools(response, body));
  server = await startServer({
    models: { up: createOpenAICompatibleModel({ baseURL: upstream, model: "scripted" }), "mull-tiny-policy": mull.model("mull-tiny-policy") },
    mull,
    port: 0,
  });
  client = new OpenAI({ baseURL: server.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await closeLocalServers();
  await mull.dispose();
});

const tools = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city"] },
      strict: true,
    },
  },
];
const messages = [{ role: "user" as const, content: "Weather in Paris?" }];

describe("tools and structured output through mull serve (the official openai SDK as client)", () => {
  it("passes tools, tool_choice, parallel_tool_calls and response_format to an upstream unchanged, and its tool calls back", async () => {
    received.length = 0;
    const completion = await client.chat.completions.create({ model: "up", messages, tools, tool_choice: "required", parallel_tool_calls: false });
    const sent = received.at(-1) as Record<string, unknown>;
    expect(sent.tools).toEqual(tools);
    expect(sent.tool_choice).toBe("required");
    expect(sent.parallel_tool_calls).toBe(false);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([{ id: "call_0", type: "function", function: { name: "get_weather", arguments: argumentsByChoice[0] } }]);

    const format = {
      type: "json_schema" as const,
      json_schema: { name: "weather", schema: { type: "object", properties: { temp: { type: "number" } } }, strict: true },
    };
    await client.chat.completions.create({ model: "up", messages, response_format: format });
    expect((received.at(-1) as Record<string, unknown>).response_format).toEqual(format);

    // Content parts other than text go to an upstream as they are.
    const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } };
    await client.chat.completions.create({ model: "up", messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, image] }] });
    expect((received.at(-1) as { messages: { content: unknown }[] }).messages[0]?.content).toEqual([{ type: "text", text: "What is this?" }, image]);
  });

  it("forwards a reasoning model's reasoning_content apart from its answer, whole and streamed", async () => {
    const thinker = await serveLocal((_request, body, response) => {
      if (body.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (const delta of [{ reasoning_content: "3+4 " }, { reasoning_content: "is 7" }, { content: "7" }])
          response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
        response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "7", reasoning_content: "3+4 is 7" }, finish_reason: "stop" }] }),
      );
    });
    const proxy = await startServer({ models: { thinker: createOpenAICompatibleModel({ baseURL: thinker, model: "t" }) }, port: 0 });
    try {
      const reasoning = new OpenAI({ baseURL: proxy.url, apiKey: "unused", maxRetries: 0 });
      const whole = await reasoning.chat.completions.create({ model: "thinker", messages });
      expect(whole.choices[0]?.message).toMatchObject({ content: "7", reasoning_content: "3+4 is 7" });
      let thought = "";
      let said = "";
      for await (const chunk of await reasoning.chat.completions.create({ model: "thinker", messages, stream: true })) {
        thought += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
        said += chunk.choices[0]?.delta.content ?? "";
      }
      expect([thought, said]).toEqual(["3+4 is 7", "7"]);
    } finally {
      await proxy.close();
    }
  });

  it("streams an upstream's tool calls, joined from their pieces", async () => {
    const stream = await client.chat.completions.create({ model: "up", messages, tools, stream: true });
    const pieces: { name?: string; arguments?: string }[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) pieces.push({ ...(call.function ?? {}) });
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(pieces.map((piece) => piece.name).join("")).toBe("get_weather");
    expect(pieces.map((piece) => piece.arguments ?? "").join("")).toBe(argumentsByChoice[0]);
    expect(finish).toBe("tool_calls");
  });

  it("votes on tool calls under self-consistency: by name and canonical arguments, or by name only", async () => {
    // `mull` is mull's own request extension, beside OpenAI's fields.
    type Voted = OpenAI.ChatCompletion & { mull: { votes: Record<string, number>; confidence: number } };
    const vote = (mullOptions: Record<string, unknown>) =>
      client.chat.completions.create({
        model: "self-consistency/up",
        messages,
        tools,
        mull: mullOptions,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming) as unknown as Promise<Voted>;
    const byArguments = await vote({ n: 3 });
    // The same call written two ways counts once: Paris wins 2 to 1.
    expect(byArguments.mull.votes).toEqual({ 'tool:get_weather({"city":"Paris","unit":"c"})': 2, 'tool:get_weather({"city":"Rome","unit":"c"})': 1 });
    expect(byArguments.mull.confidence).toBeCloseTo(2 / 3, 6);
    expect(byArguments.choices[0]?.finish_reason).toBe("tool_calls");
    const winner = byArguments.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(winner.function.arguments)).toEqual({ city: "Paris", unit: "c" });

    const byName = await vote({ n: 3, toolVote: "name" });
    expect(byName.mull.votes).toEqual({ "tool:get_weather": 3 });
  });

  it("constrains the embedded model's output to JSON, and to a JSON schema, by grammar", async () => {
    // The bundled model knows arithmetic, not JSON: the grammar alone makes its output JSON (cut short only by max_tokens).
    const arithmetic = [{ role: "user" as const, content: "2+3*4" }];
    const json = await client.chat.completions.create({
      model: "mull-tiny-policy",
      messages: arithmetic,
      temperature: 0,
      max_tokens: 64,
      response_format: { type: "json_object" },
    });
    expect(json.choices[0]?.finish_reason).toBe("stop");
    expect(JSON.parse(json.choices[0]?.message.content ?? "")).toBeTypeOf("object");
    const schema = { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"] };
    for (const temperature of [0, 1]) {
      const shaped = await client.chat.completions.create({
        model: "mull-tiny-policy",
        messages: arithmetic,
        temperature,
        seed: 5,
        n: 3,
        max_tokens: 48,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
      });
      for (const choice of shaped.choices) {
        expect(choice.finish_reason).toBe("stop");
        expect(Number.isInteger((JSON.parse(choice.message.content ?? "") as { answer: number }).answer)).toBe(true);
      }
    }
  });

  it("does tools, their outputs, structured output and previous_response_id over the Responses API (client.responses)", async () => {
    received.length = 0;
    const tools = [{ type: "function" as const, name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false }];
    const first = await client.responses.create({ model: "up", input: "Weather in Paris?", tools, tool_choice: "required" });
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no function call");
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris", unit: "c" });
    expect((received.at(-1) as { tool_choice: unknown }).tool_choice).toBe("required");
    // The tool's output continues the stored conversation: the upstream gets the call and its result.
    const second = await client.responses.create({
      model: "up",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: '{"temp":21}' }],
    });
    expect(second.output_text).toBe("plain");
    const sent = received.at(-1) as { messages: { role: string; tool_call_id?: string }[] };
    expect(sent.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
    expect(sent.messages[2]?.tool_call_id).toBe(call.call_id);
    // Structured output on the embedded model: text.format json_schema, by grammar.
    const structured = await client.responses.create({
      model: "mull-tiny-policy",
      input: "Q: 6*7\nA: ",
      max_output_tokens: 40,
      text: {
        format: {
          type: "json_schema",
          name: "answer",
          schema: { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"] },
          strict: true,
        },
      },
    });
    expect(typeof (JSON.parse(structured.output_text) as { answer: unknown }).answer).toBe("number");
    // Streamed, the SDK's own event handling assembles the same function call.
    const stream = client.responses.stream({ model: "up", input: "Weather in Paris?", tools });
    const final = await stream.finalResponse();
    expect(final.output.some((item) => item.type === "function_call" && item.name === "get_weather")).toBe(true);
  });

  it("refuses by name what the embedded model cannot do, and tool_choice without tools", async () => {
    const refused = async (body: Record<string, unknown>) => {
      const error = await client.chat.completions.create({ model: "mull-tiny-policy", messages, ...body } as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return (error as InstanceType<typeof OpenAI.BadRequestError>).param;
    };
    expect(await refused({ tools })).toBe("tools");
    expect(await refused({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }] })).toBe("messages.0.content");
    expect(await refused({ tool_choice: "required" })).toBe("tool_choice");
    // Chat-only fields sent to the legacy completions route are named, not a 500 (found by scripts/fuzz-server.ts).
    const completion = await client.completions.create({ model: "up", prompt: "x", messages: "oops" } as never).catch((caught: unknown) => caught);
    expect((completion as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages");
  });
});
