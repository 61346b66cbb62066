import { describe, expect, it } from "vitest";
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { extractAnswer } from "../src/answers/extract-answer.js";
import { normalizeAnswer } from "../src/answers/normalize-answer.js";

describe("answer extraction on real-looking model output", () => {
  it.each([
    ["3*4=12\n2+12=14\n#### 14", "14"],
    ["so the total is \\boxed{\\frac{3}{4}}.", "3/4"],
    ["Thus $x = \\boxed{2^{10}}$", "1024"],
    ["nested \\boxed{\\left(1,\\frac{1}{2}\\right)} end", "(1,1/2)"],
    ["We get 12 apples. The answer is 1,234.", "1234"],
    ["Final answer: 0.50", "1/2"],
    ["Answer: (C) because ...", "C"],
    ["The answer is B.", "B"],
    ["Here is code:\n```python\nprint(42)\n```\n", "print(42)"],
    ["after 3 steps we reach -7.25", "-29/4"],
    ["no digits here at all", undefined],
    ["", undefined],
  ])("%j -> %j", (text, expected) => {
    expect(extractAnswer(text)).toBe(expected);
  });

  it("compares normalised values", () => {
    expect(answersEquivalent("0.5", "1/2")).toBe(true);
    expect(answersEquivalent("\\frac{1}{2}", "$\\dfrac12$")).toBe(true);
    expect(answersEquivalent("1,000", "1000.0")).toBe(true);
    expect(answersEquivalent("\\sqrt{2}", "sqrt(2)")).toBe(true);
    expect(answersEquivalent("(b)", "B")).toBe(true);
    expect(answersEquivalent("2", "3")).toBe(false);
    expect(answersEquivalent(undefined, undefined)).toBe(false);
    expect(normalizeAnswer("-97")).toBe("-97");
    expect(normalizeAnswer("   ")).toBeUndefined();
  });
});
