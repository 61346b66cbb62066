/**
 * mull serve as the clients people use reach it: the official `openai` SDK, the AI SDK (through
 * `@ai-sdk/openai-compatible`, and `@ai-sdk/openai`, whose default model speaks the Responses API) and
 * LangChain.js (`@langchain/openai`). Text comes from the bundled model; tool calls and structured output
 * from a scripted tool-calling upstream behind mull serve.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { ChatOpenAI } from "@langchain/openai";
import { generateObject, generateText, jsonSchema, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { answerWithTools, received } from "./helpers/tool-upstream.js";

const mull = createMull();
let server: Awaited<ReturnType<typeof startServer>>;
const weatherParameters = {
  type: "object",
  properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
  required: ["city"],
  additionalProperties: false,
} as const;

beforeAll(async () => {
  const upstream = await serveLocal((_request, body, response) => answerWithTools(response, body));
  server = await startServer({
    models: { "mull-tiny-policy": mull.model("mull-tiny-policy"), up: createOpenAICompatibleModel({ baseURL: upstream, model: "scripted" }) },
    mull,
    port: 0,
  });
});
afterAll(async () => {
  await server.close();
  await closeLocalServers();
  await mull.dispose();
});

describe("the official openai SDK", () => {
  const client = () => new OpenAI({ baseURL: server.url, apiKey: "unused", maxRetries: 0 });

  it("runs a code strategy on the bundled model with the server's sandbox, and refuses one before the stream", async () => {
    // tool-integrated with Python: the model's text is continued with the sandbox in the loop (issue 28's bug: 400 "needs a sandbox").
    const request = { model: "tool-integrated/mull-tiny-policy", prompt: "Q: 12*(7+8)-9\nA: ", max_tokens: 80, mull: { tools: "python", n: 2 } };
    const completion = (await client().completions.create(request as never)) as unknown as {
      mull: { strategy: string; settings: { options: { tools: string } } };
    };
    expect(completion.mull.strategy).toBe("tool-integrated");
    expect(completion.mull.settings.options.tools).toBe("python");
    let streamed = "";
    for await (const chunk of (await client().completions.create({ ...request, stream: true } as never)) as unknown as AsyncIterable<{
      choices: { text?: string }[];
    }>)
      streamed += chunk.choices[0]?.text ?? "";
    expect(streamed).not.toBe("");
    // pot needs a chat prompt: a raw one is a 400 naming why, streamed or not (never a 200 and an error event).
    for (const stream of [false, true])
      await expect(client().completions.create({ model: "pot/mull-tiny-policy", prompt: "Q: 2+3\nA: ", max_tokens: 40, stream })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining("pot asks the model for a program, which needs a chat prompt"),
      });
  });

  it("chats, streams with usage only when asked, completes with legacy logprobs, and retrieves models", async () => {
    const chat = await client().chat.completions.create({
      model: "mull-tiny-policy",
      messages: [{ role: "user", content: "2+3*4" }],
      temperature: 0,
      max_tokens: 32,
    });
    expect(chat.choices[0]?.message.content).toMatch(/#### 14/);
    expect(chat.choices[0]?.message.refusal).toBeNull();
    expect(chat.usage?.completion_tokens).toBeGreaterThan(0);

    const chunks = [];
    for await (const chunk of await client().chat.completions.create({
      model: "mull-tiny-policy",
      messages: [{ role: "user", content: "2+3*4" }],
      temperature: 0,
      max_tokens: 32,
      stream: true,
    }))
      chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(chat.choices[0]?.message.content);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    const withUsage = [];
    for await (const chunk of await client().chat.completions.create({
      model: "mull-tiny-policy",
      messages: [{ role: "user", content: "2+3*4" }],
      temperature: 0,
      max_tokens: 32,
      stream: true,
      stream_options: { include_usage: true },
    }))
      withUsage.push(chunk);
    expect(withUsage.at(-1)?.usage?.completion_tokens).toBe(chat.usage?.completion_tokens);

    const legacy = await client().completions.create({ model: "mull-tiny-policy", prompt: "Q: 2+3*4\nA: ", temperature: 0, max_tokens: 32, logprobs: 0 });
    const logprobs = legacy.choices[0]?.logprobs;
    expect(logprobs?.tokens?.join("")).toBe(legacy.choices[0]?.text);
    expect(logprobs?.top_logprobs).toBeNull();
    expect(logprobs?.text_offset?.[1]).toBe(logprobs?.tokens?.[0]?.length);

    expect((await client().models.retrieve("self-consistency/mull-tiny-policy")).id).toBe("self-consistency/mull-tiny-policy");
    await expect(client().models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client().chat.completions.create({ model: "mull-tiny-policy", messages: [{ role: "user", content: "x" }], temperature: 9, stream: true }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe("the AI SDK", () => {
  it("generates and streams text through @ai-sdk/openai-compatible, strategies included", async () => {
    const provider = createOpenAICompatible({ name: "mull", baseURL: server.url, includeUsage: true });
    const single = await generateText({ model: provider.chatModel("mull-tiny-policy"), prompt: "2+3*4", temperature: 0, maxOutputTokens: 32 });
    expect(single.text).toMatch(/#### 14/);
    expect(single.usage.outputTokens).toBeGreaterThan(0);
    const voted = await generateText({ model: provider.chatModel("self-consistency/mull-tiny-policy"), prompt: "2+3*4", maxOutputTokens: 32 });
    expect(voted.text).toMatch(/####/);
    const streamed = streamText({ model: provider.chatModel("mull-tiny-policy"), prompt: "2+3*4", temperature: 0, maxOutputTokens: 32 });
    expect(await streamed.text).toBe(single.text);
    expect((await streamed.usage).outputTokens).toBe(single.usage.outputTokens);
  });

  it("calls tools and generates objects through an upstream", async () => {
    const provider = createOpenAICompatible({ name: "mull", baseURL: server.url });
    const called = await generateText({
      model: provider.chatModel("up"),
      prompt: "Weather in Paris?",
      tools: { get_weather: tool({ description: "Weather in a city", inputSchema: jsonSchema<{ city: string; unit?: string }>(weatherParameters) }) },
      toolChoice: "required",
    });
    expect(called.toolCalls[0]?.toolName).toBe("get_weather");
    expect(called.toolCalls[0]?.input).toEqual({ city: "Paris", unit: "c" });
    expect(called.finishReason).toBe("tool-calls");
    const voted = await generateText({
      model: provider.chatModel("self-consistency/up"),
      prompt: "Weather in Paris?",
      tools: { get_weather: tool({ description: "Weather in a city", inputSchema: jsonSchema<{ city: string; unit?: string }>(weatherParameters) }) },
      providerOptions: { mull: { mull: { n: 3 } } },
    });
    expect(voted.toolCalls[0]?.input).toEqual({ city: "Paris", unit: "c" });
    // The `mull` object went through as the provider's extra body field: the strategy asked the upstream for 3.
    expect(received.at(-1)?.n).toBe(3);

    const structured = createOpenAICompatible({ name: "mull", baseURL: server.url, supportsStructuredOutputs: true });
    const { object } = await generateObject({
      model: structured.chatModel("up"),
      prompt: "Weather in Paris as JSON",
      schema: jsonSchema<{ city: string; temperature: number }>({
        type: "object",
        properties: { city: { type: "string" }, temperature: { type: "number" } },
        required: ["city", "temperature"],
        additionalProperties: false,
      }),
    });
    expect(object).toEqual({ city: "Paris", temperature: 21 });
    expect(received.at(-1)?.response_format).toMatchObject({ type: "json_schema" });
  });

  it("works with @ai-sdk/openai's default model (the Responses API) and its chat model", async () => {
    const openai = createOpenAI({ baseURL: server.url, apiKey: "unused" });
    const responses = await generateText({ model: openai("mull-tiny-policy"), prompt: "2+3*4", temperature: 0, maxOutputTokens: 32 });
    expect(responses.text).toMatch(/#### 14/);
    const streamed = streamText({ model: openai("mull-tiny-policy"), prompt: "2+3*4", temperature: 0, maxOutputTokens: 32 });
    expect(await streamed.text).toBe(responses.text);
    const chat = await generateText({ model: openai.chat("mull-tiny-policy"), prompt: "2+3*4", temperature: 0, maxOutputTokens: 32 });
    expect(chat.text).toBe(responses.text);
  });
});

describe("LangChain.js", () => {
  const chat = (model: string) =>
    new ChatOpenAI({ model, apiKey: "unused", configuration: { baseURL: server.url }, temperature: 0, maxTokens: 32, maxRetries: 0 });

  it("invokes and streams", async () => {
    const message = await chat("mull-tiny-policy").invoke("2+3*4");
    expect(message.content).toMatch(/#### 14/);
    let streamed = "";
    for await (const chunk of await chat("mull-tiny-policy").stream("2+3*4")) streamed += chunk.content;
    expect(streamed).toBe(message.content);
  });

  it("binds tools and returns structured output through an upstream", async () => {
    const withTools = chat("up").bindTools([
      { type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: weatherParameters } },
    ]);
    const message = await withTools.invoke("Weather in Paris?");
    expect(message.tool_calls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris", unit: "c" } });
    const structured = chat("up").withStructuredOutput(
      { type: "object", properties: { city: { type: "string" }, temperature: { type: "number" } }, required: ["city", "temperature"], title: "weather" },
      { method: "jsonSchema" },
    );
    expect(await structured.invoke("Weather in Paris as JSON")).toEqual({ city: "Paris", temperature: 21 });
  });
});
