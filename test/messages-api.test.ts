/**
 * Anthropic's Messages API on `mull serve`, through the official `@anthropic-ai/sdk`: the bundled chat model
 * in-process (its `<think>` as thinking blocks, a thinking budget, streaming), tools through a recording upstream,
 * a strategy by model id, token counting, keys in `x-api-key`, and Anthropic-shaped errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CHAT_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { answerWithTools, received } from "./helpers/tool-upstream.js";

const mull = createMull();
const chat = createLlamaCppModel({ modelPath: BUNDLED_CHAT_MODEL, sequences: 2 });
const key = "sk-mull-messages-test-0123456789";
let server: Awaited<ReturnType<typeof startServer>>;
let client: Anthropic;

beforeAll(async () => {
  const upstream = await serveLocal((_request, body, response) => answerWithTools(response, body));
  server = await startServer({
    models: { "mull-tiny-chat": chat, up: createOpenAICompatibleModel({ baseURL: upstream, model: "scripted" }) },
    mull,
    port: 0,
    keys: [{ key, name: "tests" }],
  });
  client = new Anthropic({ baseURL: server.url.replace(/\/v1$/, ""), apiKey: key, maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await closeLocalServers();
  await chat.dispose();
  await mull.dispose();
});

const question = "Tom has 3 apples and buys 4 more. How many apples does he have now?";

describe("the Messages API through @anthropic-ai/sdk", () => {
  it("answers with the chat model's thinking as a thinking block and its answer as text, system and history included", async () => {
    const message = await client.messages.create({
      model: "mull-tiny-chat",
      max_tokens: 300,
      // The current API has no temperature; mull still takes it (older clients send it).
      ...({ temperature: 0 } as object),
      system: "Solve the problem.",
      messages: [
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "The answer is 4." },
        { role: "user", content: question },
      ],
    });
    expect(message.type).toBe("message");
    expect(message.role).toBe("assistant");
    const types = message.content.map((block) => block.type);
    expect(types).toEqual(["thinking", "text"]);
    const text = message.content.find((block) => block.type === "text");
    expect(text?.type === "text" && text.text).not.toContain("<think>");
    expect(["end_turn", "max_tokens"]).toContain(message.stop_reason);
    expect(message.usage.input_tokens).toBeGreaterThan(20);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    // count_tokens agrees with what the answer's usage counted.
    const counted = await client.messages.countTokens({
      model: "mull-tiny-chat",
      system: "Solve the problem.",
      messages: [
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "The answer is 4." },
        { role: "user", content: question },
      ],
    });
    expect(counted.input_tokens).toBe(message.usage.input_tokens);
  }, 120_000);

  it("streams thinking and text blocks under a thinking budget, the same answer the stream's final message holds", async () => {
    const stream = client.messages.stream({
      model: "mull-tiny-chat",
      max_tokens: 200,
      ...({ temperature: 0 } as object),
      thinking: { type: "enabled", budget_tokens: 24 },
      messages: [{ role: "user", content: question }],
    });
    const events: string[] = [];
    let thinking = "";
    let text = "";
    stream.on("streamEvent", (event) => {
      events.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "thinking_delta") thinking += event.delta.thinking;
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    });
    const final = await stream.finalMessage();
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
    expect(events).toContain("message_delta");
    const thinkingBlock = final.content.find((block) => block.type === "thinking");
    const textBlock = final.content.find((block) => block.type === "text");
    expect(thinkingBlock?.type === "thinking" && thinkingBlock.thinking).toBe(thinking);
    expect(textBlock?.type === "text" && textBlock.text).toBe(text);
    // At most the budget of thinking (24 tokens of a character-level model: at most 24 characters and the tag's line).
    expect(thinking.length).toBeLessThanOrEqual(26);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  }, 120_000);

  it("holds a thinking budget and a minimum set per request on the chat route too, streamed, reasoning tokens counted", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: "mull-tiny-chat",
        messages: [{ role: "user", content: question }],
        max_tokens: 120,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
        mull: { maxReasoningTokens: 40, minReasoningTokens: 30 },
      }),
    });
    expect(response.status).toBe(200);
    const chunks = (await response.text())
      .split("\n\n")
      .filter((line) => line.startsWith("data: {"))
      .map(
        (line) =>
          JSON.parse(line.slice(6)) as {
            choices: { delta?: { reasoning_content?: string } }[];
            usage?: { completion_tokens_details?: { reasoning_tokens: number } };
          },
      );
    const reasoning = chunks.map((chunk) => chunk.choices[0]?.delta?.reasoning_content ?? "").join("");
    const thinking = chunks.find((chunk) => chunk.usage)?.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
    // Between the minimum and the budget (a character-level model: a token a character, the tag and "Wait" lines besides).
    expect(thinking).toBeGreaterThanOrEqual(30);
    expect(thinking).toBeLessThanOrEqual(40);
    expect(reasoning.length).toBeGreaterThan(0);
    // Under a strategy too: the budget is the call's, not one of the strategy's options.
    const voted = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: "self-consistency/mull-tiny-chat",
        messages: [{ role: "user", content: question }],
        max_tokens: 120,
        mull: { n: 2, maxReasoningTokens: 24 },
      }),
    });
    expect(voted.status).toBe(200);
    const body = (await voted.json()) as { usage: { completion_tokens_details?: { reasoning_tokens: number } } };
    expect(body.usage.completion_tokens_details?.reasoning_tokens ?? 0).toBeLessThanOrEqual(24);
  }, 120_000);

  it("calls tools through an upstream, whole and streamed, and sends their results back as tool messages", async () => {
    const tools = [
      {
        name: "get_weather",
        description: "Weather in a city",
        input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
      },
    ];
    const message = await client.messages.create({
      model: "up",
      max_tokens: 100,
      tools,
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect((received.at(-1) as { tool_choice: unknown }).tool_choice).toBe("required");
    expect(message.stop_reason).toBe("tool_use");
    const use = message.content.find((block) => block.type === "tool_use");
    expect(use?.type === "tool_use" && use.input).toEqual({ city: "Paris", unit: "c" });
    const streamed = await client.messages
      .stream({ model: "up", max_tokens: 100, tools, messages: [{ role: "user", content: "Weather in Paris?" }] })
      .finalMessage();
    const streamedUse = streamed.content.find((block) => block.type === "tool_use");
    expect(streamedUse?.type === "tool_use" && streamedUse.input).toEqual({ city: "Paris", unit: "c" });
    expect(streamed.stop_reason).toBe("tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool use");
    await client.messages.create({
      model: "up",
      max_tokens: 100,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: [use] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "21 C" }] },
      ],
    });
    const sent = received.at(-1) as { messages: { role: string; tool_call_id?: string; content: unknown; tool_calls?: unknown[] }[] };
    expect(sent.messages.map((entry) => entry.role)).toEqual(["user", "assistant", "tool"]);
    expect(sent.messages[1]?.tool_calls).toHaveLength(1);
    expect(sent.messages[2]).toMatchObject({ tool_call_id: use.id, content: "21 C" });
  });

  it("runs a strategy named in the model id, its report beside the message", async () => {
    const message = (await client.messages.create({
      model: "self-consistency/mull-tiny-chat",
      max_tokens: 200,
      messages: [{ role: "user", content: question }],
      // mull's own object rides along as an extra field.
      ...({ mull: { n: 3, budgetTokens: 4000 } } as object),
    })) as Anthropic.Message & { mull: { strategy: string; candidates: unknown[] } };
    expect(message.mull.strategy).toBe("self-consistency");
    expect(message.mull.candidates).toHaveLength(3);
  }, 180_000);

  it("answers errors in Anthropic's shape: a bad request, a bad key, an unknown model", async () => {
    await expect(
      client.messages.create({ model: "mull-tiny-chat", messages: [{ role: "user", content: "hi" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, error: { type: "error", error: { type: "invalid_request_error" } } });
    const stranger = new Anthropic({ baseURL: server.url.replace(/\/v1$/, ""), apiKey: "sk-wrong-key-0000000000000000", maxRetries: 0 });
    await expect(stranger.messages.create({ model: "up", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 401,
      error: { type: "error", error: { type: "authentication_error" } },
    });
    await expect(client.messages.create({ model: "nope", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 404,
      error: { type: "error", error: { type: "not_found_error" } },
    });
  });
});

describe("a Messages-speaking upstream as a backend (anthropic+URL#model), against mull serve's own /v1/messages", () => {
  const history = [
    { role: "system" as const, content: "Solve the problem." },
    { role: "user" as const, content: question },
  ];

  it("answers whole and streamed, the thinking apart, usage counted", async () => {
    const model = mull.model(`anthropic+${server.url}#mull-tiny-chat`, { apiKey: key });
    const whole = await model.doGenerate({ prompt: history, temperature: 0, maxTokens: 300 });
    const completion = whole.completions[0];
    expect(completion?.text).not.toContain("<think>");
    expect(completion?.reasoning?.length).toBeGreaterThan(0);
    expect(["stop", "length"]).toContain(completion?.finishReason);
    expect(whole.usage.promptTokens).toBeGreaterThan(20);
    const parts = [];
    const reader = (await model.doStream({ prompt: history, temperature: 0, maxTokens: 300 })).getReader();
    for (let step = await reader.read(); !step.done; step = await reader.read()) parts.push(step.value);
    const text = parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
    const reasoning = parts.map((part) => (part.type === "reasoning-delta" ? part.delta : "")).join("");
    expect(text).toBe(completion?.text);
    expect(reasoning).toBe(completion?.reasoning);
    expect(parts.at(-1)?.type).toBe("end");
  }, 120_000);

  it("votes over n parallel requests, keeps a thinking budget on the server, and calls tools", async () => {
    const voted = await mull.run({
      model: mull.model(`anthropic+${server.url}#mull-tiny-chat`, { apiKey: key }),
      strategy: "self-consistency:n=3",
      prompt: history,
      maxTokens: 300,
      maxReasoningTokens: 24,
    });
    expect(voted.candidates).toHaveLength(3);
    for (const candidate of voted.candidates) expect(candidate.text).not.toContain("<think>");
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const up = mull.model(`anthropic+${server.url}#up`, { apiKey: key });
    const called = await up.doGenerate({ prompt: [{ role: "user", content: "Weather in Paris?" }], tools, toolChoice: "required" });
    expect(called.completions[0]?.finishReason).toBe("tool-calls");
    expect(JSON.parse(called.completions[0]?.toolCalls?.[0]?.function.arguments ?? "{}")).toEqual({ city: "Paris", unit: "c" });
    const parts = [];
    const reader = (await up.doStream({ prompt: [{ role: "user", content: "Weather in Paris?" }], tools })).getReader();
    for (let step = await reader.read(); !step.done; step = await reader.read()) parts.push(step.value);
    const call = parts.find((part) => part.type === "tool-call");
    expect(call?.type === "tool-call" && JSON.parse(call.toolCall.function.arguments)).toEqual({ city: "Paris", unit: "c" });
    // A raw prompt is refused by name.
    await expect(up.doGenerate({ prompt: "Q: 1+1\nA: " })).rejects.toThrow(/prompt/);
  }, 180_000);
});
