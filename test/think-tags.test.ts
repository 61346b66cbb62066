/**
 * Raw reasoning text and the split fields a reasoning server returns: continuations join them back, and
 * llama.cpp's server gets a prefill split the way it renders one (its own rendering is checked against the
 * built binary in test/chat-model.test.ts).
 */
import { describe, expect, it } from "vitest";
import { llamaServerPrefill, withoutRepeatedPrefill } from "../src/backends/openai-compatible/assistant-prefill.js";
import { continuedText, createThinkingSplitter, joinThinking, splitThinking } from "../src/internal/think-tags.js";

describe("think tags", () => {
  it("split raw text into reasoning and answer, open or closed, and join it back", () => {
    expect(splitThinking("<think>\n3+4=7\n</think>\n\nSeven.")).toEqual({ reasoning: "3+4=7", content: "Seven.", closed: true });
    expect(splitThinking("<think>\n3+4=")).toEqual({ reasoning: "3+4=", content: "", closed: false });
    expect(splitThinking("Seven.")).toBeUndefined();
    expect(splitThinking("So <think> is a tag")).toBeUndefined();
    expect(joinThinking({ reasoning: "3+4=7", content: "Seven." })).toBe("<think>\n3+4=7\n</think>\n\nSeven.");
    expect(joinThinking({ reasoning: "3+4", content: "" })).toBe("<think>\n3+4");
    const raw = "<think>\n3+4=7\n</think>\n\nSeven.";
    const parts = splitThinking(raw);
    expect(joinThinking({ reasoning: parts?.reasoning ?? "", content: parts?.content ?? "" })).toBe(raw);
  });

  it("give what a completion adds to the raw text it continued, wherever the server put it", () => {
    // A fresh answer, reasoning split off by the server.
    expect(continuedText({ prefix: "", completion: { text: "", reasoning: "3+4" } })).toBe("<think>\n3+4");
    // Thinking goes on, then closes and answers.
    expect(continuedText({ prefix: "<think>\n3+4=7", completion: { text: "Seven.", reasoning: "\n7*2=14" } })).toBe("\n7*2=14\n</think>\n\nSeven.");
    // After thinking closed, only the answer follows (some servers report it as reasoning, finding no close tag).
    expect(continuedText({ prefix: "<think>\nx\n</think>\n\n", completion: { text: "", reasoning: "Seven." } })).toBe("Seven.");
    // A backend that returns raw text is taken as it is.
    expect(continuedText({ prefix: "<think>\n3+4=", completion: { text: "7\n</think>\n\nSeven." } })).toBe("7\n</think>\n\nSeven.");
  });

  it("send llama.cpp's server a prefill as reasoning and content, and cut the prefill it repeats", () => {
    const user = { role: "user" as const, content: "3+4?" };
    const thinking = llamaServerPrefill([user, { role: "assistant", content: "<think>\n3+4=" }]);
    expect(thinking?.messages.at(-1)).toEqual({ role: "assistant", content: "", reasoning_content: "3+4=" });
    expect(thinking?.fields).toEqual({ continue_final_message: "reasoning_content", add_generation_prompt: false });
    const answering = llamaServerPrefill([user, { role: "assistant", content: "<think>\n3+4=7\n</think>\n\n" }]);
    expect(answering?.messages.at(-1)).toEqual({ role: "assistant", content: "", reasoning_content: "3+4=7" });
    expect(answering?.fields.continue_final_message).toBe("content");
    expect(llamaServerPrefill([user])).toBeUndefined();
    const plain = llamaServerPrefill([user, { role: "assistant", content: "The sum is" }]);
    expect(plain?.fields).toEqual({});
    if (!thinking || !plain) throw new Error("no prefill");
    expect(withoutRepeatedPrefill(thinking.sent, { text: "", reasoning: "3+4=7\n7*2" })).toEqual({ text: "", reasoning: "7\n7*2" });
    // Thinking closed at once: the empty reasoning says so.
    expect(withoutRepeatedPrefill(thinking.sent, { text: "Seven.", reasoning: undefined })).toEqual({ text: "Seven.", reasoning: "" });
    expect(withoutRepeatedPrefill(plain.sent, { text: "The sum is 7.", reasoning: undefined })).toEqual({ text: " 7.", reasoning: undefined });
    // A server that does not repeat the prefill keeps its reply whole.
    expect(withoutRepeatedPrefill(plain.sent, { text: " 7.", reasoning: undefined })).toEqual({ text: " 7.", reasoning: undefined });
  });
});

describe("splitting raw thinking as it streams", () => {
  const run = (raw: string, cut: number) => {
    const splitter = createThinkingSplitter();
    const pieces: { kind: string; delta: string }[] = [];
    for (let at = 0; at < raw.length; at += cut) pieces.push(...splitter.push(raw.slice(at, at + cut)));
    pieces.push(...splitter.flush());
    const join = (kind: string) =>
      pieces
        .filter((piece) => piece.kind === kind)
        .map((piece) => piece.delta)
        .join("");
    return { reasoning: join("reasoning"), text: join("text") };
  };

  it("gives what splitThinking gives, whatever the deltas' size", () => {
    for (const raw of ["<think>\n3+4=7\n</think>\n\nThe answer is 7.", "  <think>\na\nb\n</think>\n\n#### 2", "The answer is 7.", "<think>\nunfinished"]) {
      const whole = splitThinking(raw);
      for (const cut of [1, 2, 3, 5, 100]) {
        const streamed = run(raw, cut);
        expect(streamed.reasoning, `${raw} by ${cut}`).toBe(whole?.reasoning ?? "");
        expect(streamed.text, `${raw} by ${cut}`).toBe(whole ? whole.content : raw);
      }
    }
  });
});
