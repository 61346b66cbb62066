import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, streamText, tool, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mullMiddleware } from "../src/ai-sdk.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import type { CallOptions } from "../src/core/call-options.js";
import type { LanguageModel } from "../src/core/language-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { answerWithTools } from "./helpers/tool-upstream.js";

// The AI SDK model is a real one: @ai-sdk/openai-compatible over HTTP to mull serve, which serves the
// bundled model (counting the calls that reach it) and a scripted tool-calling upstream.
const mull = createMull();
const seen: CallOptions[] = [];
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  const embedded = mull.model("mull-tiny-policy");
  const counted: LanguageModel = {
    ...embedded,
    doGenerate: (call) => {
      seen.push(call);
      return embedded.doGenerate(call);
    },
    doStream: (call) => {
      seen.push(call);
      return embedded.doStream(call);
    },
  };
  const upstream = await serveLocal((_request, body, response) => answerWithTools(response, body));
  server = await startServer({
    models: { "mull-tiny-policy": counted, up: createOpenAICompatibleModel({ baseURL: upstream, model: "scripted" }) },
    mull,
    port: 0,
  });
});
afterAll(async () => {
  await server.close();
  await closeLocalServers();
  await mull.dispose();
});

const provider = () => createOpenAICompatible({ name: "local", baseURL: server.url, includeUsage: true });

describe("mull/ai-sdk: a strategy around any AI SDK model", () => {
  it("votes over n samples inside generateText, with the strategy's whole spend as usage", async () => {
    seen.length = 0;
    const model = wrapLanguageModel({
      model: provider().chatModel("mull-tiny-policy"),
      middleware: mullMiddleware({ strategy: "self-consistency:n=5", mull }),
    });
    const result = await generateText({ model, prompt: "2+3*4", maxOutputTokens: 48 });
    expect(seen).toHaveLength(5);
    expect(seen.every((call) => call.temperature !== undefined && call.temperature > 0)).toBe(true);
    const metadata = result.providerMetadata?.mull as { strategy: string; candidates: number; votes: Record<string, number>; answer: string | null };
    expect(metadata.strategy).toBe("self-consistency");
    expect(metadata.candidates).toBe(5);
    expect(Object.values(metadata.votes).reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(5);
    expect(result.text).toContain(`#### ${metadata.answer}`);
    // Five completions were paid for, not one.
    expect(result.usage.outputTokens).toBeGreaterThan(5 * 4);
  });

  it("streams the chosen answer through streamText, and honours the caller's abort", async () => {
    const model = wrapLanguageModel({
      model: provider().chatModel("mull-tiny-policy"),
      middleware: mullMiddleware({ strategy: "self-consistency:n=3", mull }),
    });
    const streamed = streamText({ model, prompt: "2+3*4", maxOutputTokens: 48 });
    expect(await streamed.text).toMatch(/####/);
    expect((await streamed.providerMetadata)?.mull).toMatchObject({ strategy: "self-consistency", candidates: 3 });
    const controller = new AbortController();
    controller.abort();
    await expect(generateText({ model, prompt: "2+3*4", abortSignal: controller.signal })).rejects.toThrow();
  });

  it("votes on tool calls and returns the winner's", async () => {
    const model = wrapLanguageModel({ model: provider().chatModel("up"), middleware: mullMiddleware({ strategy: "self-consistency:n=3", mull }) });
    const result = await generateText({
      model,
      prompt: "Weather in Paris?",
      tools: { get_weather: tool({ inputSchema: jsonSchema<{ city: string; unit?: string }>({ type: "object", properties: { city: { type: "string" } } }) }) },
    });
    // The scripted upstream answers every single call with its first choice: Paris, written compactly.
    expect(result.toolCalls[0]?.input).toEqual({ city: "Paris", unit: "c" });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.providerMetadata?.mull).toMatchObject({ votes: { 'tool:get_weather({"city":"Paris","unit":"c"})': 3 } });
  });
});
