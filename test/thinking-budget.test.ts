import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";
import { readAll } from "./helpers/read-stream.js";

afterEach(closeLocalServers);
const embedded = createLlamaCppModel({ sequences: 2 });
afterAll(() => embedded.dispose());

/** A thinking model on a real local server: it thinks out loud (trying 3 and 5), runs out of budget or closes its thinking, then answers 7. */
async function thinkingServer(bodies: Record<string, unknown>[]) {
  return serveLocal((_request, body, response) => {
    bodies.push(body);
    const prompt = String(body.prompt);
    const n = Number(body.n ?? 1);
    const choices = prompt.includes("</think>")
      ? [{ index: 0, text: "The answer is 7.", finish_reason: "stop", stop_reason: null }]
      : Array.from({ length: n }, (_, index) =>
          index % 2 === 0
            ? { index, text: "<think>I try 3. Then 5. Then", finish_reason: "length", stop_reason: null }
            : { index, text: "<think>a short thought, 5?", finish_reason: "stop", stop_reason: "</think>" },
        );
    const usage = { prompt_tokens: 5, completion_tokens: 6 * choices.length };
    if (body.stream) {
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (const choice of choices) response.write(`data: ${JSON.stringify({ choices: [choice] })}\n\n`);
      response.end(`data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`);
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ choices, usage }));
  });
}

/** A thinker that closes early, says more after "Wait", and answers only when the test lets it (`release`). */
async function forcedServer(bodies: Record<string, unknown>[], gate: Promise<void>) {
  return serveLocal(async (_request, body, response) => {
    bodies.push(body);
    const prompt = String(body.prompt);
    const text = prompt.includes("</think>") ? "The answer is 7." : prompt.endsWith("Wait") ? " 3+4 is 7 again." : "<think>3+4 is 7.";
    if (prompt.includes("</think>")) await gate;
    const choice = prompt.includes("</think>")
      ? { index: 0, text, finish_reason: "stop", stop_reason: null }
      : { index: 0, text, finish_reason: "stop", stop_reason: "</think>" };
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(`data: ${JSON.stringify({ choices: [choice] })}\n\n`);
    response.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 6 } })}\n\ndata: [DONE]\n\n`);
  });
}

describe("a thinking budget", () => {
  it("streams the thinking live, before the answer exists, and forces a minimum of thinking with Wait (s1)", async () => {
    const bodies: Record<string, unknown>[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const model = createOpenAICompatibleModel({ baseURL: await forcedServer(bodies, gate), model: "thinker" });
    const reader = (await model.doStream({ prompt: "Q: 3+4?\nA: ", maxTokens: 64, maxReasoningTokens: 40, minReasoningTokens: 15 })).getReader();
    const parts = [];
    // The thinking arrives while the answer is still held back by the server.
    for (let step = await reader.read(); !step.done; step = await reader.read()) {
      parts.push(step.value);
      if (step.value.type === "reasoning-delta") break;
    }
    expect(parts.some((part) => part.type === "text-delta")).toBe(false);
    release();
    for (let step = await reader.read(); !step.done; step = await reader.read()) parts.push(step.value);
    const reasoning = parts.map((part) => (part.type === "reasoning-delta" ? part.delta : "")).join("");
    const text = parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
    // 6 tokens a call: the first close at 6 is replaced twice (12, 18) before the 15 of the minimum are thought.
    expect(reasoning).toBe("3+4 is 7.\nWait 3+4 is 7 again.\nWait 3+4 is 7 again.");
    expect(text).toBe("The answer is 7.");
    expect(bodies.map((body) => String(body.prompt).slice("Q: 3+4?\nA: ".length))).toEqual([
      "",
      "<think>3+4 is 7.\nWait",
      "<think>3+4 is 7.\nWait 3+4 is 7 again.\nWait",
      "<think>3+4 is 7.\nWait 3+4 is 7 again.\nWait 3+4 is 7 again.</think>\n\n",
    ]);
    // Each forced round asks at most what is left of the budget.
    expect(bodies.map((body) => body.max_tokens)).toEqual([40, 34, 28, 64]);
    const end = parts.find((part) => part.type === "completion-end");
    expect(end).toMatchObject({ reasoningTokens: 18, completionTokens: 24 });
  });

  it("closes the thinking that ran out, lets each candidate answer, and keeps the thinking out of the answer", async () => {
    const bodies: Record<string, unknown>[] = [];
    const model = createOpenAICompatibleModel({ baseURL: await thinkingServer(bodies), model: "thinker" });
    const result = await model.doGenerate({ prompt: "Q: 3+4?\nA: ", n: 2, maxTokens: 64, maxReasoningTokens: 12, stop: ["\n\n\n"] });
    expect(bodies[0]).toMatchObject({ n: 2, max_tokens: 12, stop: ["</think>"] });
    expect(
      bodies
        .slice(1)
        .map((body) => String(body.prompt).slice("Q: 3+4?\nA: ".length))
        .sort(),
    ).toEqual(["<think>I try 3. Then 5. Then\n</think>\n\n", "<think>a short thought, 5?</think>\n\n"]);
    expect(bodies.slice(1).every((body) => body.max_tokens === 64 && JSON.stringify(body.stop) === JSON.stringify(["\n\n\n"]))).toBe(true);
    expect(result.completions.map((completion) => [completion.text, completion.reasoning])).toEqual([
      ["The answer is 7.", "I try 3. Then 5. Then"],
      ["The answer is 7.", "a short thought, 5?"],
    ]);
    expect(result.usage).toMatchObject({ calls: 3, completionTokens: 12 + 6 + 6 });
    const streamed = await readAll(await model.doStream({ prompt: "Q: 3+4?\nA: ", maxTokens: 64, maxReasoningTokens: 12 }));
    expect(streamed.filter((part) => part.type === "reasoning-delta")).toHaveLength(1);
    expect(streamed.filter((part) => part.type === "text-delta").map((part) => (part.type === "text-delta" ? part.delta : ""))).toEqual(["The answer is 7."]);
    const voted = await createSelfConsistency({ n: 4 }).run({ model, call: { prompt: "Q: 3+4?\nA: ", maxReasoningTokens: 12 } });
    expect(voted.answer).toBe("7");
  });

  it("refuses a chat prompt where the backend cannot continue the thinking, and passes a model that does not think", async () => {
    const model = createOpenAICompatibleModel({ baseURL: await thinkingServer([]), model: "thinker", rawPrompt: false });
    const refused = await model.doGenerate({ prompt: [{ role: "user", content: "3+4?" }], maxReasoningTokens: 8 }).catch((error: unknown) => error);
    expect(InvalidArgumentError.isInstance(refused) && /maxReasoningTokens/.test((refused as Error).message)).toBe(true);
    const plain = await embedded.doGenerate({ prompt: "Q: 17*(3-9)+5\nA: ", temperature: 0 });
    const budgeted = await embedded.doGenerate({ prompt: "Q: 17*(3-9)+5\nA: ", temperature: 0, maxReasoningTokens: 200 });
    expect(budgeted.completions[0]?.text).toBe(plain.completions[0]?.text);
    expect(budgeted.completions[0]?.reasoning).toBeUndefined();
  });
});
