/**
 * The bundled chat model (models/mull-tiny-chat.gguf) served both ways users serve a GGUF: in-process through
 * node-llama-cpp with the template the file stores, and as an OpenAI-compatible upstream through llama.cpp's own
 * server with `--jinja` (skipped, saying so, where the binary is not built), reached over real HTTP as vLLM would be.
 */
import { readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CHAT_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { chatInstructions } from "../src/bench/run-bench.js";
import type { ChatMessage } from "../src/core/call-options.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { chatTemplate, chatTools, renderChat } from "../src/tasks/chat-format.js";
import { loadWordSplit } from "../src/tasks/word-problem.js";
import { llamaServerPath, startLlamaServer } from "./helpers/llama-server.js";
import { readAll } from "./helpers/read-stream.js";

const binary = llamaServerPath();
if (!binary) console.warn("llama-server not built (scripts/build-llama-server.sh): the chat model's upstream suite is skipped");

const [first, second] = loadWordSplit({ difficulty: "easy", limit: 2 });
if (!first || !second) throw new Error("the word split is empty");
/** A conversation with history: an earlier question answered, then the one asked. */
const history: ChatMessage[] = [
  { role: "user", content: first.question },
  { role: "assistant", content: `The answer is ${first.answer}.` },
  { role: "user", content: `${second.question}\n\n${chatInstructions.number}` },
];

describe("the bundled chat model in-process (node-llama-cpp, the GGUF's own template)", () => {
  const mull = createMull();
  afterAll(() => mull.dispose());

  it("stores ChatML's template and control tokens, and renders chat through it", async () => {
    const bytes = readFileSync(BUNDLED_CHAT_MODEL);
    expect(bytes.includes(Buffer.from(chatTemplate))).toBe(true);
    const model = createLlamaCppModel({ modelPath: BUNDLED_CHAT_MODEL, sequences: 1 });
    try {
      expect(model.formatProblem).toBeUndefined();
      // `<|im_start|>` is one token; plain text is one token per character.
      expect(await model.tokenize("ab")).toHaveLength(2);
      const result = await model.doGenerate({ prompt: history, temperature: 0, maxTokens: 300 });
      const text = result.completions[0]?.text ?? "";
      expect(text).toMatch(/^<think>\n[\s\S]*\n<\/think>\n\n/);
      expect(text).toContain("####");
      expect(result.warnings.filter((warning) => warning.type === "unsupported")).toEqual([]);
    } finally {
      await model.dispose();
    }
  }, 120_000);

  it("votes on answers with the thinking kept out, and keeps within a thinking budget", async () => {
    const voted = await mull.run({ model: "mull-tiny-chat", strategy: "self-consistency:n=4", prompt: history, maxTokens: 300, seed: 3 });
    expect(voted.candidates).toHaveLength(4);
    for (const candidate of voted.candidates) {
      if (candidate.answer === undefined) continue;
      // The vote reads the final line, never a number the model computed inside <think>.
      expect(candidate.text.split("</think>").at(-1)).toContain(candidate.answer);
    }
    const budgeted = await mull.run({ model: "mull-tiny-chat", strategy: "single", prompt: history, maxTokens: 200, maxReasoningTokens: 8, seed: 1 });
    expect(budgeted.text).not.toContain("<think>");
    expect(budgeted.answer).toBeDefined();
  }, 240_000);
});

describe.skipIf(!binary)("the bundled chat model behind llama.cpp's server (--jinja)", () => {
  let upstream: Awaited<ReturnType<typeof startLlamaServer>>;
  let proxy: Awaited<ReturnType<typeof startServer>>;
  let client: OpenAI;
  const mull = createMull();

  beforeAll(async () => {
    upstream = await startLlamaServer({
      binary: binary as string,
      model: BUNDLED_CHAT_MODEL,
      slots: 4,
      contextPerSlot: 2048,
      extraArgs: ["--jinja", "--reasoning-format", "deepseek"],
    });
    proxy = await startServer({ models: { chat: createOpenAICompatibleModel({ baseURL: upstream.url, model: "mull-tiny-chat" }) }, mull, port: 0 });
    client = new OpenAI({ baseURL: proxy.url, apiKey: "unused", maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await upstream?.stop();
    await mull.dispose();
  });

  it("applies the template exactly as mull's training data renders it", async () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: first.question },
      { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "calculator", arguments: '{"expression": "1+2"}' } }] },
      { role: "tool", tool_call_id: "c1", content: "3" },
      { role: "user", content: "Thanks." },
    ];
    const response = await fetch(`${upstream.url.replace(/\/v1$/, "")}/apply-template`, {
      method: "POST",
      body: JSON.stringify({ messages, tools: [chatTools.calculator, chatTools.python] }),
    });
    const { prompt } = (await response.json()) as { prompt: string };
    expect(prompt).toBe(
      renderChat({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: first.question },
          { role: "assistant", content: "", tool_calls: [{ name: "calculator", arguments: { expression: "1+2" } }] },
          { role: "tool", content: "3" },
          { role: "user", content: "Thanks." },
        ],
        tools: [chatTools.calculator, chatTools.python],
        generationPrompt: true,
      }),
    );
  });

  it("gives the next-token probabilities PyTorch computed for the shipped Q8_0 weights, within the stated tolerance", async () => {
    type Parity = { tolerance: number; cases: { text: string; top: [number, number][] }[] };
    const parity = JSON.parse(readFileSync(BUNDLED_CHAT_MODEL.replace(/\.gguf$/, ".parity.json"), "utf8")) as Parity;
    expect(parity.cases.length).toBeGreaterThanOrEqual(3);
    for (const testCase of parity.cases) {
      // The server reads the control tokens written in the text, and puts BOS first, as the trainer did.
      const response = await fetch(`${upstream.url.replace(/\/v1$/, "")}/completion`, {
        method: "POST",
        body: JSON.stringify({ prompt: testCase.text, n_predict: 1, n_probs: 20, temperature: 1, top_k: 0, top_p: 1, min_p: 0 }),
      });
      const body = (await response.json()) as { completion_probabilities: { top_logprobs: { id: number; logprob: number }[] }[] };
      const top = new Map(body.completion_probabilities[0]?.top_logprobs.map((entry) => [entry.id, Math.exp(entry.logprob)]));
      for (const [token, probability] of testCase.top)
        expect(Math.abs((top.get(token) ?? 0) - probability), `${JSON.stringify(testCase.text)} token ${token}`).toBeLessThanOrEqual(parity.tolerance);
    }
  });

  it("returns the reasoning apart from the answer, and the vote reads the answer", async () => {
    const model = createOpenAICompatibleModel({ baseURL: upstream.url, model: "mull-tiny-chat" });
    const result = await model.doGenerate({ prompt: history, temperature: 0, maxTokens: 300 });
    const completion = result.completions[0];
    expect(completion?.reasoning).toMatch(/=/);
    expect(completion?.text).not.toContain("<think>");
    expect(completion?.text).toContain("####");
    const voted = await mull.run({ model, strategy: "self-consistency:n=4", prompt: history, maxTokens: 300, seed: 5 });
    expect(voted.answer).toMatch(/^\d+$/);
  }, 120_000);

  it("continues its own thinking across text tools and a thinking budget, though the server splits it off", async () => {
    // The profile continues a final assistant message (llama.cpp's prefill), as `mull probe` detects it.
    const spec = `${upstream.url}#mull-tiny-chat?profile=llama-cpp-server`;
    const [hard] = loadWordSplit({ difficulty: "hard", limit: 1 });
    const prompt: ChatMessage[] = [{ role: "user", content: `${hard?.question}\n\n${chatInstructions.number}` }];
    const tooled = await mull.run({ model: spec, strategy: "tool-integrated:tools=calculator:temperature=0", prompt, maxTokens: 400 });
    const calls = (tooled.trace ?? []).filter((event) => event.type === "tool-call");
    // The calculator acted on lines the model wrote inside <think> (each a continuation of the thinking).
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(tooled.usage.calls).toBe(calls.length + 1);
    expect(tooled.text).not.toMatch(/<\/?think>/);
    expect(tooled.text).toContain("####");
    expect(tooled.answer).toMatch(/^\d+$/);
    // After the thinking, the START hint goes in before "####" and the program the model then writes runs in the
    // sandbox: two triggers outside <think>, told apart by the stop sequence the server names (`verboseStops`).
    const hinted = await mull.run({ model: spec, strategy: "tool-integrated:tools=python:hints=true:temperature=0", prompt, maxTokens: 400 });
    const used = (hinted.trace ?? []).filter((event) => event.type === "tool-call").map((event) => (event.data as { tool: string }).tool);
    expect(used).toEqual(["hint", "python"]);
    expect(hinted.text).toContain("```output");
    expect(hinted.answer).toMatch(/^\d+$/);
    // A thinking budget of 40 tokens (the tag itself is 8 of them), closed for the model, then the answer in a
    // second call that continues the thinking.
    const budgeted = await mull.model(spec).doGenerate({ prompt, maxTokens: 300, maxReasoningTokens: 40, temperature: 0 });
    const [answer] = budgeted.completions;
    expect(budgeted.usage.calls).toBe(2);
    expect(answer?.reasoning?.length).toBeGreaterThan(0);
    expect(answer?.reasoning?.length).toBeLessThanOrEqual(32);
    expect(answer?.text).not.toMatch(/<\/?think>/);
    expect(answer?.text).toMatch(/#### \d+/);
    // Streamed, the same budget holds live, and the same greedy answer comes; a minimum forces more thinking with "Wait".
    const parts = await readAll(await mull.model(spec).doStream({ prompt, maxTokens: 300, maxReasoningTokens: 40, temperature: 0 }));
    expect(parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("")).toBe(answer?.text);
    expect(parts.map((part) => (part.type === "reasoning-delta" ? part.delta : "")).join("")).toBe(answer?.reasoning);
    const forced = await mull.model(spec).doGenerate({ prompt, maxTokens: 300, maxReasoningTokens: 120, minReasoningTokens: 100, temperature: 0 });
    expect(forced.completions[0]?.reasoningTokens).toBeGreaterThanOrEqual(100);
    expect(forced.completions[0]?.reasoningTokens).toBeLessThanOrEqual(120);
    expect(forced.completions[0]?.reasoning).toContain("Wait");
  }, 180_000);

  it("calls tools that the server parses into tool_calls, voted on by name", async () => {
    const model = createOpenAICompatibleModel({ baseURL: upstream.url, model: "mull-tiny-chat" });
    const result = await model.doGenerate({
      prompt: [{ role: "user", content: second.question }],
      tools: [chatTools.calculator],
      temperature: 0.8,
      n: 4,
      maxTokens: 200,
      seed: 2,
    });
    const calls = result.completions.flatMap((completion) => completion.toolCalls ?? []);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) {
      expect(call.function.name).toBe("calculator");
      expect(typeof (JSON.parse(call.function.arguments) as { expression: unknown }).expression).toBe("string");
    }
    // Through mull serve, self-consistency votes on the calls: by name, every sample calls the calculator.
    type Voted = OpenAI.ChatCompletion & { mull: { votes: Record<string, number> } };
    const voted = (await client.chat.completions.create({
      model: "self-consistency/chat",
      messages: [{ role: "user", content: second.question }],
      tools: [chatTools.calculator] as OpenAI.ChatCompletionTool[],
      max_tokens: 200,
      mull: { n: 4, toolVote: "name" },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming)) as unknown as Voted;
    expect(voted.mull.votes).toEqual({ "tool:calculator": 4 });
    expect(voted.choices[0]?.finish_reason).toBe("tool_calls");
  }, 120_000);

  it("calls the calculator through /v1/responses (openai SDK) and /v1/messages (@anthropic-ai/sdk) on the real model", async () => {
    const { function: calculator } = chatTools.calculator;
    // Responses: the call as a function_call item, its output continuing the stored conversation.
    const called = await client.responses.create({
      model: "chat",
      input: second.question,
      tools: [{ type: "function", name: calculator.name, description: calculator.description, parameters: calculator.parameters, strict: false }],
      temperature: 0,
      max_output_tokens: 200,
    });
    const call = called.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error(`no function call: ${JSON.stringify(called.output)}`);
    expect(call.name).toBe("calculator");
    expect((JSON.parse(call.arguments) as { expression?: string }).expression).toMatch(/\d/);
    const answered = await client.responses.create({
      model: "chat",
      previous_response_id: called.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: second.answer }],
      temperature: 0,
      max_output_tokens: 100,
    });
    expect(answered.output_text).toContain(second.answer);
    // Messages: the same call as a tool_use block, streamed by the SDK's own event handling.
    const anthropic = new Anthropic({ baseURL: proxy.url.replace(/\/v1$/, ""), apiKey: "unused", maxRetries: 0 });
    const message = await anthropic.messages
      .stream({
        model: "chat",
        max_tokens: 200,
        messages: [{ role: "user", content: second.question }],
        tools: [{ name: calculator.name, description: calculator.description, input_schema: calculator.parameters as Anthropic.Tool.InputSchema }],
        ...({ temperature: 0 } as object),
      })
      .finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    const use = message.content.find((block) => block.type === "tool_use");
    expect(use?.type === "tool_use" && use.name).toBe("calculator");
  }, 120_000);

  it("passes the official openai client's tools, response_format and streaming checks through mull serve", async () => {
    const tools = [chatTools.calculator] as OpenAI.ChatCompletionTool[];
    const called = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: second.question }],
      tools,
      temperature: 0,
      max_tokens: 200,
    });
    const call = called.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall | undefined;
    expect(called.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.function.name).toBe("calculator");
    const expression = (JSON.parse(call?.function.arguments ?? "{}") as { expression?: string }).expression;
    expect(expression).toMatch(/\d/);

    // The tool's result goes back as a tool message; the model answers from it.
    const answered = await client.chat.completions.create({
      model: "chat",
      messages: [
        { role: "user", content: second.question },
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageFunctionToolCall] },
        { role: "tool", tool_call_id: call?.id ?? "call", content: second.answer },
      ],
      tools,
      temperature: 0,
      max_tokens: 100,
    });
    expect(answered.choices[0]?.message.content).toContain(second.answer);

    const json = await client.chat.completions.create({
      model: "chat",
      messages: [
        { role: "user", content: `${second.question}\n\nReply with a JSON object with the keys "steps" (a list of the calculations) and "answer" (a number).` },
      ],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: {
            type: "object",
            properties: { steps: { type: "array", items: { type: "string" } }, answer: { type: "number" } },
            required: ["steps", "answer"],
          },
        },
      },
      temperature: 0,
      max_tokens: 300,
    });
    const parsed = JSON.parse(json.choices[0]?.message.content ?? "") as { answer: unknown };
    expect(typeof parsed.answer).toBe("number");

    let said = "";
    for await (const chunk of await client.chat.completions.create({
      model: "chat",
      messages: history as OpenAI.ChatCompletionMessageParam[],
      temperature: 0,
      max_tokens: 300,
      stream: true,
    }))
      said += chunk.choices[0]?.delta.content ?? "";
    expect(said).toContain("####");
  }, 180_000);
});
