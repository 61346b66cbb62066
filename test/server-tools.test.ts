import type { ServerResponse } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

// A scripted upstream that calls tools, as a tool-calling chat model behind vLLM or OpenAI would: choice i
// of a request calls get_weather with the i-th arguments below (the first two are the same call written
// two ways). It records what it was sent.
const argumentsByChoice = ['{"city":"Paris","unit":"c"}', '{ "unit": "c", "city": "Paris" }', '{"city":"Rome","unit":"c"}'];
const received: Record<string, unknown>[] = [];

function answer(response: ServerResponse, body: Record<string, unknown>) {
  received.push(body);
  const n = (body.n as number | undefined) ?? 1;
  const calls = (index: number) => [
    { id: `call_${index}`, type: "function", function: { name: "get_weather", arguments: argumentsByChoice[index % argumentsByChoice.length] } },
  ];
  if (!body.tools) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        choices: [{ index: 0, message: { role: "assistant", content: "plain" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      }),
    );
    return;
  }
  if (body.stream) {
    // Pieces as OpenAI streams them: the id and name first, the arguments in two parts.
    response.writeHead(200, { "content-type": "text/event-stream" });
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    for (let index = 0; index < n; index++) {
      const [call] = calls(index);
      const text = call?.function.arguments ?? "";
      send({
        choices: [
          { index, delta: { role: "assistant", tool_calls: [{ index: 0, id: call?.id, type: "function", function: { name: "get_weather", arguments: "" } }] } },
        ],
      });
      send({ choices: [{ index, delta: { tool_calls: [{ index: 0, function: { arguments: text.slice(0, 7) } }] } }] });
      send({ choices: [{ index, delta: { tool_calls: [{ index: 0, function: { arguments: text.slice(7) } }] } }] });
      send({ choices: [{ index, delta: {}, finish_reason: "tool_calls" }] });
    }
    send({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 12 * n } });
    response.end("data: [DONE]\n\n");
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: "assistant", content: null, tool_calls: calls(index) },
        finish_reason: "tool_calls",
      })),
      usage: { prompt_tokens: 20, completion_tokens: 12 * n },
    }),
  );
}

const mull = createMull();
let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;

beforeAll(async () => {
  const upstream = await serveLocal((_request, body, response) => answer(response, body));
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

  it("refuses by name what the embedded model cannot do, and tool_choice without tools", async () => {
    const refused = async (body: Record<string, unknown>) => {
      const error = await client.chat.completions.create({ model: "mull-tiny-policy", messages, ...body } as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return (error as InstanceType<typeof OpenAI.BadRequestError>).param;
    };
    expect(await refused({ tools })).toBe("tools");
    expect(await refused({ response_format: { type: "json_object" } })).toBe("response_format");
    expect(await refused({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }] })).toBe("messages.0.content");
    expect(await refused({ tool_choice: "required" })).toBe("tool_choice");
  });
});
