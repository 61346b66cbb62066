/** Tools inside the model's text: the loop's mechanics on a scripted model, then the calculator on the bundled model. */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CallOptions } from "../src/core/call-options.js";
import type { GenerateResult } from "../src/core/generate-result.js";
import type { LanguageModel } from "../src/core/language-model.js";
import { toolLoopMiddleware } from "../src/middleware/tool-loop-middleware.js";
import { wrapModel } from "../src/middleware/wrap-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { calculatorTool } from "../src/tasks/calculator-tool.js";
import { createStepCheck } from "../src/verifiers/step-check-verifier.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

/** Replies with the next scripted text, cut at the first of the call's stop sequences (as a backend does). */
function stopAwareModel(replies: string[]): LanguageModel & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  return {
    specificationVersion: "v1",
    provider: "test",
    modelId: "stop-aware",
    calls,
    async doGenerate(options): Promise<GenerateResult> {
      calls.push(options);
      const reply = replies.shift() ?? "";
      const hits = (options.stop ?? []).map((stop) => ({ stop, at: reply.indexOf(stop) })).filter((hit) => hit.at >= 0);
      const first = hits.sort((a, b) => a.at - b.at)[0];
      const text = first ? reply.slice(0, first.at) : reply;
      const completion = first
        ? { text, finishReason: "stop" as const, completionTokens: text.length, stoppedBy: "stop-sequence" as const, stopSequence: first.stop }
        : { text, finishReason: "stop" as const, completionTokens: text.length, stoppedBy: "end-of-text" as const };
      return { completions: [completion], usage: { promptTokens: 1, completionTokens: text.length, calls: 1, wallMs: 1 }, warnings: [] };
    },
    async doStream() {
      throw new Error("not used");
    },
  };
}

describe("calculator tool", () => {
  const tool = calculatorTool();
  it("writes the exact result of an `a op b=` line, negatives and big numbers included", () => {
    expect(tool.respond({ text: "x\n12*34=", trigger: "=" })).toBe("408");
    expect(tool.respond({ text: "105--1223=", trigger: "=" })).toBe("1328");
    expect(tool.respond({ text: "42+-2142=", trigger: "=" })).toBe("-2100");
    expect(tool.respond({ text: "123456789012*987654321098=", trigger: "=" })).toBe("121932631136585886175176");
  });
  it("leaves lines of any other shape to the model", () => {
    expect(tool.respond({ text: "x = ", trigger: "=" })).toBeUndefined();
    expect(tool.respond({ text: "1+2+3=", trigger: "=" })).toBeUndefined();
    expect(tool.respond({ text: "7/2=", trigger: "=" })).toBeUndefined();
    // A division that comes out whole is a step like the others (word problems share things out).
    expect(tool.respond({ text: "8/2=", trigger: "=" })).toBe("4");
  });
});

describe("tool loop", () => {
  it("puts the trigger back, appends the tool's output and continues the text so far", async () => {
    const inner = stopAwareModel(["12*34=999\n", "\n408+2=1", "\n#### 410"]);
    const model = wrapModel({ model: inner, middleware: toolLoopMiddleware({ tools: [calculatorTool()] }) });
    const result = await model.doGenerate({ prompt: "Q: 12*34+2\nA: ", maxTokens: 100 });
    expect(result.completions[0]?.text).toBe("12*34=408\n408+2=410\n#### 410");
    expect(inner.calls.map((call) => call.prompt)).toEqual(["Q: 12*34+2\nA: ", "Q: 12*34+2\nA: 12*34=408", "Q: 12*34+2\nA: 12*34=408\n408+2=410"]);
    // Only the model's own text counts as generated: "12*34" + "\n408+2" + "\n#### 410".
    expect(result.completions[0]?.completionTokens).toBe(5 + 6 + 9);
    expect(inner.calls.map((call) => call.maxTokens)).toEqual([100, 95, 89]);
    expect(result.usage.calls).toBe(3);
  });

  it("ends at the caller's own stop sequence, and stops calling tools past maxToolCalls", async () => {
    const stopped = stopAwareModel(["1+1=\n\nrest"]);
    const model = wrapModel({ model: stopped, middleware: toolLoopMiddleware({ tools: [calculatorTool()] }) });
    expect((await model.doGenerate({ prompt: "A: ", stop: ["1+1"] })).completions[0]?.text).toBe("");
    const limited = stopAwareModel(["1+1=5\n2+2=9"]);
    const once = wrapModel({ model: limited, middleware: toolLoopMiddleware({ tools: [calculatorTool()], maxToolCalls: 0 }) });
    expect((await once.doGenerate({ prompt: "A: " })).completions[0]?.text).toBe("1+1=5\n2+2=9");
  });

  it("refuses a chat prompt on a backend that cannot continue the assistant's message, naming why", async () => {
    const model = wrapModel({ model: stopAwareModel(["x"]), middleware: toolLoopMiddleware({ tools: [calculatorTool()] }) });
    await expect(model.doGenerate({ prompt: [{ role: "user", content: "1+1" }] })).rejects.toThrow(/tool use continues the model's own text/);
  });
});

describe("calculator over a raw-completions upstream", () => {
  afterEach(closeLocalServers);

  it("continues the raw prompt with the calculator's result (as vLLM or llama.cpp's server would be called)", async () => {
    // The model's own text, wrong arithmetic included; it goes on from wherever the prompt leaves off.
    const script = "12*34=400\n400+2=401\n#### 401";
    const prompts: string[] = [];
    const url = await serveLocal((_, body, response) => {
      const prompt = body.prompt as string;
      prompts.push(prompt);
      const written = prompt.slice(prompt.indexOf("A: ") + 3);
      // After a corrected result the model keeps to its own next line shape, with the right numbers.
      const rest = written.startsWith("12*34=408") ? "\n408+2=410\n#### 410".slice(written.length - "12*34=408".length) : script.slice(written.length);
      const stop = ((body.stop as string[] | undefined) ?? []).map((item) => ({ item, at: rest.indexOf(item) })).filter((hit) => hit.at >= 0)[0];
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: [{ index: 0, text: stop ? rest.slice(0, stop.at) : rest, finish_reason: "stop", stop_reason: stop ? stop.item : null }],
          usage: { prompt_tokens: 5, completion_tokens: 3 },
        }),
      );
    });
    const mull = createMull();
    const result = await mull.run({ model: `${url}#raw`, strategy: "tool-integrated", prompt: "Q: 12*34+2\nA: " });
    await mull.dispose();
    expect(result.text).toBe("12*34=408\n408+2=410\n#### 410");
    expect(result.answer).toBe("410");
    expect(prompts).toContain("Q: 12*34+2\nA: 12*34=408");
  });
});

describe("calculator on the bundled model", () => {
  const mull = createMull();
  afterAll(() => mull.dispose());

  it("every step line of a tool-integrated answer is arithmetically right", async () => {
    const result = await mull.run({ problem: "92+14-92+82-(6*99-(53+23)*36+42)", strategy: "tool-integrated:n=4", seed: 7 });
    const lines = result.candidates.flatMap((candidate) => candidate.text.split("\n")).filter((line) => /^-?\d+[-+*]-?\d+=/.test(line));
    expect(lines.length).toBeGreaterThan(8);
    for (const line of lines) {
      const [, a, op, b, c] = /^(-?\d+)([-+*])(-?\d+)=(-?\d+)$/.exec(line) ?? [];
      const expected = op === "+" ? Number(a) + Number(b) : op === "-" ? Number(a) - Number(b) : Number(a) * Number(b);
      expect(Number(c), line).toBe(expected);
    }
    expect(result.settings.strategy).toBe("tool-integrated");
  }, 120_000);
});

describe("step-check verifier", () => {
  it("scores 1 when every arithmetic step holds, the penalty when one does not, and marks the false step", async () => {
    const check = createStepCheck();
    expect(await check.score({ prompt: "Q: 12*34+2\nA: ", solution: "12*34=408\n408+2=410\n#### 410" })).toMatchObject({ score: 1, stepScores: [1, 1, 1] });
    expect(await check.score({ prompt: "Q: 12*34+2\nA: ", solution: "12*34=400\n400+2=402\n#### 402" })).toMatchObject({ score: 0.01, stepScores: [0, 1, 1] });
    expect((await createStepCheck({ penalty: 0 }).score({ prompt: "", solution: "2+2=5" })).score).toBe(0);
  });

  it("with weighted-vote on the bundled model, votes only with samples whose arithmetic holds where there are any", async () => {
    const mull = createMull();
    const result = await mull.run({ problem: "92+14-92+82-(6*99-(53+23)*36+42)", strategy: "weighted-vote:n=8", verifier: "step-check", seed: 3 });
    await mull.dispose();
    const clean = result.candidates.filter((candidate) => candidate.score === 1);
    expect(clean.length).toBeGreaterThan(0);
    expect(clean.map((candidate) => candidate.answer)).toContain(result.answer);
    expect(result.verifierTokens).toBe(0);
  }, 120_000);
});
