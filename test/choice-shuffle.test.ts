import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createChoiceShuffle, originalLetter, parseChoices, withOrder } from "../src/strategies/vote/choice-shuffle.js";
import { indexExamples, loadExamples } from "../src/strategies/vote/nearest-examples.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

afterEach(closeLocalServers);

const question = "Which city is the capital of France?\n\nA) Lyon\nB) Marseille\nC) Paris\n\nAnswer with the letter.";

describe("choice-shuffle's reading of a multiple-choice question", () => {
  it("finds the last run of lettered options and keeps what surrounds them", () => {
    expect(parseChoices(question)).toEqual({
      before: "Which city is the capital of France?\n",
      options: ["Lyon", "Marseille", "Paris"],
      after: "\nAnswer with the letter.",
    });
    expect(parseChoices("Pick one:\nA. red\nB. blue")?.options).toEqual(["red", "blue"]);
    expect(parseChoices("(A) x\n(B) y")?.options).toEqual(["x", "y"]);
    expect(parseChoices("What is 2+3?")).toBeUndefined();
    expect(parseChoices("B) not from A\nC) either")).toBeUndefined();
  });

  it("re-letters an order and maps an answer back to the original letter", () => {
    const parsed = parseChoices(question);
    if (!parsed) throw new Error("not parsed");
    expect(withOrder(parsed, [2, 0, 1])).toContain("A) Paris\nB) Lyon\nC) Marseille");
    expect(originalLetter("A", parsed, [2, 0, 1])).toBe("C");
    expect(originalLetter("(b)", parsed, [2, 0, 1])).toBe("A");
    expect(originalLetter("So the answer is C.", parsed, [2, 0, 1])).toBe("B");
    expect(originalLetter("Paris", parsed, [2, 0, 1])).toBe("C");
    expect(originalLetter("D", parsed, [2, 0, 1])).toBeUndefined();
    expect(originalLetter(undefined, parsed, [0, 1, 2])).toBeUndefined();
  });
});

describe("choice-shuffle against a local OpenAI-compatible server", () => {
  /** A model that knows the answer (Paris) but, when it is listed last, answers the first option instead. */
  async function biasedModel() {
    const prompts: string[] = [];
    const url = await serveLocal((_request, body, response) => {
      const prompt = (body.messages as { content: string }[]).at(-1)?.content ?? "";
      prompts.push(prompt);
      const options = [...prompt.matchAll(/^([A-J])\) (.*)$/gm)];
      const paris = options.find((match) => match[2] === "Paris");
      const reply = paris && paris !== options.at(-1) ? `The answer is ${paris[1]}` : "A";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
          usage: { prompt_tokens: 30, completion_tokens: 4 },
        }),
      );
    });
    return { model: createOpenAICompatibleModel({ baseURL: url, model: "biased" }), prompts };
  }
  const call = { prompt: [{ role: "user" as const, content: question }], seed: 4 };

  it("asked in the given order only, the position bias answers; shuffled, the votes find the answer", async () => {
    const { model } = await biasedModel();
    const once = await createChoiceShuffle({ n: 1 }).run({ model, call });
    expect(once.answer).toBe("A");
    const { model: again, prompts } = await biasedModel();
    const shuffled = await createChoiceShuffle({ n: 7 }).run({ model: again, call });
    expect(shuffled.answer).toBe("C");
    expect(shuffled.candidates).toHaveLength(7);
    expect(prompts[0]).toBe(question);
    // Every order lists the three options once, lettered A to C, with the question and instruction kept.
    for (const prompt of prompts) {
      expect(prompt.startsWith("Which city is the capital of France?")).toBe(true);
      expect(prompt.endsWith("Answer with the letter.")).toBe(true);
      expect([...prompt.matchAll(/^([A-C])\) (Lyon|Marseille|Paris)$/gm)].map((match) => match[2]).sort()).toEqual(["Lyon", "Marseille", "Paris"]);
    }
    expect(new Set(prompts).size).toBeGreaterThan(1);
    expect(Object.keys(shuffled.votes).every((letter) => ["A", "B", "C"].includes(letter))).toBe(true);
  });

  it("refuses a question without lettered options, naming what it needs", async () => {
    const { model } = await biasedModel();
    await expect(createChoiceShuffle().run({ model, call: { prompt: "What is 2+3?" } })).rejects.toThrow(InvalidArgumentError);
    await expect(createChoiceShuffle().run({ model, call: { prompt: "What is 2+3?" } })).rejects.toThrow(/option lines lettered from A/);
  });
});

describe("Medprompt's dynamic few-shot (choice-shuffle with examples)", () => {
  const directory = mkdtempSync(join(tmpdir(), "mull-examples-"));
  const examplesFile = join(directory, "examples.jsonl");
  writeFileSync(
    examplesFile,
    [
      { question: "Which city is the capital of Italy?\nA) Rome\nB) Milan", answer: "A", reasoning: "Rome has been Italy's capital since 1871." },
      { question: "What is the boiling point of water at sea level?\nA) 90 C\nB) 100 C", answer: "B" },
      { question: "Which city is the capital of Spain?\nA) Seville\nB) Madrid", answer: "B" },
      { question: "Which gas do plants take in?\nA) Oxygen\nB) Carbon dioxide", answer: "B" },
    ]
      .map((line) => JSON.stringify(line))
      .join("\n"),
  );

  it("ranks examples by similarity and puts the k nearest before the question, as earlier turns", async () => {
    const nearest = indexExamples(loadExamples(examplesFile)).nearest(question, 2);
    expect(nearest.map((example) => example.question.split("\n")[0])).toEqual(["Which city is the capital of Italy?", "Which city is the capital of Spain?"]);
    const seen: { role: string; content: string }[][] = [];
    const url = await serveLocal((_request, body, response) => {
      seen.push(body.messages as { role: string; content: string }[]);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          choices: [{ index: 0, message: { role: "assistant", content: "Answer: A" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 30, completion_tokens: 2 },
        }),
      );
    });
    const model = createOpenAICompatibleModel({ baseURL: url, model: "m" });
    const result = await createChoiceShuffle({ n: 3, examples: examplesFile, k: 2 }).run({
      model,
      call: { prompt: [{ role: "user", content: question }], seed: 1 },
    });
    expect(seen).toHaveLength(3);
    for (const messages of seen) {
      expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
      expect(messages[0]?.content).toContain("capital of Italy");
      expect(messages[1]?.content).toBe("Rome has been Italy's capital since 1871.\nAnswer: A");
      expect(messages[3]?.content).toBe("Answer: B");
      expect(messages[4]?.content).toContain("capital of France");
    }
    expect(result.trace.find((event) => event.type === "few-shot")).toBeDefined();
  });

  it("names a missing or malformed examples file when the strategy is built", () => {
    expect(() => createChoiceShuffle({ examples: join(directory, "nope.jsonl") })).toThrow(/cannot read the examples file/);
    const bad = join(directory, "bad.jsonl");
    writeFileSync(bad, '{"question": "q?", "answer": "A"}\n{"question": 3}\n');
    expect(() => createChoiceShuffle({ examples: bad })).toThrow(/bad\.jsonl:2: an example needs a string "question"/);
  });
});
