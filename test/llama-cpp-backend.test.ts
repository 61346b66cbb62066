import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { DisposedError } from "../src/core/errors/disposed-error.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import type { StreamPart } from "../src/core/stream-part.js";
import { readAll } from "./helpers/read-stream.js";

const model = createLlamaCppModel();
afterAll(() => model.dispose());
const prompt = "Q: 17*(3-9)+5\nA: ";

describe("embedded llama.cpp backend on the bundled policy", () => {
  it("solves an easy problem greedily and reports exact usage", async () => {
    const result = await model.doGenerate({ prompt, temperature: 0 });
    expect(result.completions).toHaveLength(1);
    expect(result.completions[0]?.text).toBe("3-9=-6\n17*-6=-102\n5+-102=-97\n#### -97");
    expect(result.completions[0]?.finishReason).toBe("stop");
    expect(result.usage.promptTokens).toBe(prompt.length + 1); // BOS + one token per character
    expect(result.usage.completionTokens).toBe(result.completions[0]?.text.length);
    expect(result.usage.calls).toBe(1);
  });

  it("runs n candidates in parallel; greedy candidates agree with a lone greedy run", async () => {
    const lone = await model.doGenerate({ prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", temperature: 0 });
    const many = await model.doGenerate({ prompt: "Q: 44-(15+(37*1-88))-63-47+81\nA: ", temperature: 0, n: 6 });
    expect(many.completions).toHaveLength(6);
    for (const completion of many.completions) expect(completion.text).toBe(lone.completions[0]?.text);
  });

  it("samples reproducibly with a seed and returns log-probabilities", async () => {
    const call = { prompt: "Q: reach 24 with 4 7 8 8\nA: ", temperature: 1, n: 4, seed: 42, logprobs: true };
    const first = await model.doGenerate(call);
    const second = await model.doGenerate(call);
    expect(second.completions.map((completion) => completion.text)).toEqual(first.completions.map((completion) => completion.text));
    const completion = first.completions[0];
    expect(completion?.logprobs).toHaveLength(completion?.completionTokens ?? -1);
    for (const item of completion?.logprobs ?? []) expect(item.logprob).toBeLessThanOrEqual(0);
    expect(new Set(first.completions.map((item) => item.text)).size).toBeGreaterThan(1);
  });

  it("honours stop sequences and maxTokens", async () => {
    const stopped = await model.doGenerate({ prompt, temperature: 0, stop: ["\n"] });
    expect(stopped.completions[0]).toMatchObject({ text: "3-9=-6", finishReason: "stop" });
    const short = await model.doGenerate({ prompt, temperature: 0, maxTokens: 4 });
    expect(short.completions[0]).toMatchObject({ text: "3-9=", finishReason: "length", completionTokens: 4 });
  });

  it("streams deltas per candidate, then completion ends, then usage", async () => {
    const stream = await model.doStream({ prompt, temperature: 0, n: 2 });
    const parts: StreamPart[] = await readAll(stream);
    expect(parts[0]?.type).toBe("stream-start");
    expect(parts.at(-1)?.type).toBe("end");
    const text = parts
      .filter((part): part is Extract<StreamPart, { type: "text-delta" }> => part.type === "text-delta" && part.index === 1)
      .map((part) => part.delta)
      .join("");
    expect(text).toBe("3-9=-6\n17*-6=-102\n5+-102=-97\n#### -97");
    expect(parts.filter((part) => part.type === "completion-end")).toHaveLength(2);
  });

  it("stops generating when aborted and returns what it had", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const result = await model.doGenerate({ prompt: "Q: 1+1\nA: ", temperature: 1.5, maxTokens: 400, n: 4, abortSignal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.completions.some((completion) => completion.finishReason === "abort")).toBe(true);
  });

  it("cancelling a stream stops every candidate, and the cancel returns once they have stopped", async () => {
    const stream = await model.doStream({ prompt: "Q: 1+1\nA: ", temperature: 1.5, maxTokens: 400, n: 4 });
    const reader = stream.getReader();
    let deltas = 0;
    while (deltas < 3) if ((await reader.read()).value?.type === "text-delta") deltas++;
    expect(model.activeCandidates).toBeGreaterThan(0);
    await reader.cancel();
    expect(model.activeCandidates).toBe(0);
    // Every sequence is free again: a full-width call runs at once and greedily gives the lone greedy answer.
    const after = await model.doGenerate({ prompt, temperature: 0, n: 4 });
    expect(new Set(after.completions.map((completion) => completion.text)).size).toBe(1);
  });

  it("rejects bad options with errors that name the parameter", async () => {
    for (const [options, parameter] of [
      [{ prompt, n: 0 }, "n"],
      [{ prompt, temperature: -1 }, "temperature"],
      [{ prompt, maxTokens: 1.5 }, "maxTokens"],
      [{ prompt: [] }, "messages"],
    ] as const) {
      const error = await model.doGenerate(options as never).catch((caught: unknown) => caught);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).parameter).toBe(parameter);
    }
  });

  it("throws DisposedError after dispose", async () => {
    const other = createLlamaCppModel({ sequences: 1 });
    await other.load();
    await other.dispose();
    await expect(other.doGenerate({ prompt })).rejects.toSatisfy((error: unknown) => DisposedError.isInstance(error));
  });
});
