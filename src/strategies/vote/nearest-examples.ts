/**
 * Medprompt's dynamic few-shot (Nori et al., 2023): for each question, the k most similar solved examples from
 * a file are put before it. Medprompt ranks by embedding similarity; no embedding model ships with mull, so
 * similarity here is TF-IDF cosine over words (the examples file is the corpus), which needs nothing to run.
 * The file is JSON lines: `{ "question": ..., "answer": ..., "reasoning"?: ... }` (`prompt` for `question` also
 * reads, as bench records write it).
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";

export type SolvedExample = { question: string; answer: string; reasoning?: string };

type Indexed = { example: SolvedExample; weights: Map<string, number>; norm: number };

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** Reads an examples file; an error names the file and the line. */
export function loadExamples(path: string): SolvedExample[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "examples", value: path, message: `cannot read the examples file ${path}: ${(error as Error).message}` });
  }
  return text
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new InvalidArgumentError({ parameter: "examples", value: path, message: `${path}:${number} is not JSON` });
      }
      const question = record.question ?? record.prompt;
      if (typeof question !== "string" || typeof record.answer !== "string")
        throw new InvalidArgumentError({
          parameter: "examples",
          value: path,
          message: `${path}:${number}: an example needs a string "question" and a string "answer"`,
        });
      return { question, answer: record.answer, ...(typeof record.reasoning === "string" ? { reasoning: record.reasoning } : {}) };
    });
}

/** An index of the examples; `nearest` returns the k most similar to a question, most similar first (ties: file order). */
export function indexExamples(examples: readonly SolvedExample[]): { nearest(question: string, k: number): SolvedExample[] } {
  const documentFrequency = new Map<string, number>();
  for (const example of examples) for (const word of new Set(words(example.question))) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  const idf = (word: string) => Math.log((1 + examples.length) / (1 + (documentFrequency.get(word) ?? 0))) + 1;
  const vector = (text: string) => {
    const weights = new Map<string, number>();
    for (const word of words(text)) weights.set(word, (weights.get(word) ?? 0) + idf(word));
    return { weights, norm: Math.sqrt([...weights.values()].reduce((sum, value) => sum + value * value, 0)) };
  };
  const indexed: Indexed[] = examples.map((example) => ({ example, ...vector(example.question) }));
  return {
    nearest(question, k) {
      const asked = vector(question);
      const similarity = (item: Indexed) => {
        if (item.norm === 0 || asked.norm === 0) return 0;
        let dot = 0;
        for (const [word, weight] of asked.weights) dot += weight * (item.weights.get(word) ?? 0);
        return dot / (item.norm * asked.norm);
      };
      return indexed
        .map((item, order) => ({ item, order, score: similarity(item) }))
        .sort((a, b) => b.score - a.score || a.order - b.order)
        .slice(0, k)
        .map(({ item }) => item.example);
    },
  };
}
