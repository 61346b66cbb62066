import { describe, expect, it } from "vitest";
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { extractAnswer, findAnswerText } from "../src/answers/extract-answer.js";
import { normalizeAnswer } from "../src/answers/normalize-answer.js";
import { agreementByCategory, equivalenceCases, extractionCases } from "./fixtures/answer-cases.js";

describe("answer grading against the case table", () => {
  const rows = agreementByCategory({
    equivalent: (a, b) => answersEquivalent(a, b),
    extractedEquivalent: (completion, gold) => answersEquivalent(findAnswerText(completion), gold),
  });

  it("has several hundred cases", () => {
    expect(rows.reduce((sum, row) => sum + row.cases, 0)).toBeGreaterThanOrEqual(400);
  });

  it.each(rows.map((row) => [`${row.kind} / ${row.category}`, row] as const))("%s agrees on at least nine cases in ten", (_name, row) => {
    expect(row.agreed / row.cases, row.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
  });

  it("normalising twice gives what normalising once gave", () => {
    const answers = [
      ...equivalenceCases.flatMap((item) => [item.a, item.b]),
      ...extractionCases.map((item) => item.gold),
      ...extractionCases.map((item) => findAnswerText(item.completion) ?? ""),
    ];
    const unstable = answers.filter((answer) => {
      const once = normalizeAnswer(answer);
      return once !== undefined && normalizeAnswer(once) !== once;
    });
    expect(unstable).toEqual([]);
  });
});

describe("answer grading options and bounds", () => {
  it("takes a numeric tolerance", () => {
    expect(answersEquivalent("3.1416", "3.14159")).toBe(false);
    expect(answersEquivalent("3.1416", "3.14159", { tolerance: 1e-4 })).toBe(true);
  });

  it("reads x = 11 as 11 unless equations are strict", () => {
    expect(answersEquivalent("x=11", "11")).toBe(true);
    expect(answersEquivalent("x=11", "11", { equations: "strict" })).toBe(false);
    expect(answersEquivalent("x=11", "x = 11", { equations: "strict" })).toBe(true);
  });

  it("answers pathological input as text instead of hanging or throwing", () => {
    const deep = `${"(".repeat(5000)}1${")".repeat(5000)}`;
    const long = `\\frac{${"x+".repeat(20_000)}1}{2}`;
    for (const text of [deep, long, "\\boxed{".repeat(3000), "$".repeat(10_000), "\\frac{\\frac{\\frac{}{}}{}}{}"]) {
      expect(() => extractAnswer(text)).not.toThrow();
      expect(typeof answersEquivalent(text, text.slice(0, 100))).toBe("boolean");
    }
  });

  it("keeps <think> blocks out of extraction", () => {
    expect(extractAnswer("<think>The answer is 5.</think>The answer is 6.")).toBe("6");
    expect(extractAnswer("<think>still thinking, maybe 5")).toBeUndefined();
  });
});
