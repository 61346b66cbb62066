/**
 * Grading on real golds and the forms real models write: every MATH500 and GSM8K gold (from ../shared/datasets,
 * skipped without it) written the ways models write answers grades equal, every near miss unequal; and the
 * forms behind the grading bugs of issue 29, restated as cases that need no dataset.
 */
import { existsSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { answersEquivalent } from "../src/answers/answers-equivalent.js";
import { extractChoice } from "../src/answers/choice-answer.js";
import { findAnswerText } from "../src/answers/extract-answer.js";
import { numericValue, parseMath } from "../src/answers/math-engine.js";
import { benchmarkGolds, goldCases } from "./fixtures/gold-phrasings.js";

const datasets = "../shared/datasets";
const graded = (completion: string, gold: string) => answersEquivalent(findAnswerText(completion), gold);

describe("the forms models write", () => {
  it("two different equations never compare equal; the same one scaled does", () => {
    expect(answersEquivalent("5x-7y+11z+4=0", "x+y-z+2=0")).toBe(false);
    expect(answersEquivalent("5x-7y+11z+4=0", "5x-7y+11z+4=1")).toBe(false);
    expect(answersEquivalent("5x-7y+11z+4=0", "10x-14y+22z+8=0")).toBe(true);
    expect(answersEquivalent("x = 2", "x = 3", { equations: "strict" })).toBe(false);
    expect(answersEquivalent("2x > 4", "x > 2")).toBe(true);
    expect(answersEquivalent("2x > 4", "x < 2")).toBe(false);
  });

  it("thousands written with `,\\!`, `{,}` and `\\,` are one number; a bare comma list is a list", () => {
    expect(graded("So the answer is $\\boxed{10,\\!080}$.", "10080")).toBe(true);
    expect(graded("So the answer is $\\boxed{10{,}080}$.", "10,\\!080")).toBe(true);
    expect(graded("$\\boxed{1,2}$", "1.2")).toBe(false);
    expect(graded("$\\boxed{1,2}$", "\\{1, 2\\}")).toBe(true);
    expect(graded("$\\boxed{-2,1}$", "-2.1")).toBe(false);
  });

  it("a Minerva sentence in other words, a named left side, a variable's interval, a chain", () => {
    expect(graded("Final Answer: The total number of ways is 42. I hope it is correct.", "42")).toBe(true);
    expect(graded("Final Answer: The value we are looking for is $(3, 2)$. I hope it is correct.", "(3,2)")).toBe(true);
    expect(graded("The answer is $(x, y) = (3, 2)$.", "(3,2)")).toBe(true);
    expect(graded("The answer is $(x, y) = (2, 3)$.", "(3,2)")).toBe(false);
    expect(graded("The answer is $V_1:V_2 = 11:21$.", "11:21")).toBe(true);
    expect(graded("The answer is $|AB| = 1$.", "1")).toBe(true);
    expect(graded("The answer is $x \\in (2,\\infty)$.", "(2,\\infty)")).toBe(true);
    expect(graded("The answer is $x \\in [2,\\infty)$.", "(2,\\infty)")).toBe(false);
    expect(graded("So $a = b = 12$.", "12")).toBe(true);
    expect(graded("The answer is $\\$32,\\!348$.", "\\$32,\\!348")).toBe(true);
  });

  it("lists in every separator, bare braces, \\pm as a pair, \\approx, array matrices, a later Final Answer over earlier boxes", () => {
    expect(answersEquivalent("2 and 3", "2,3")).toBe(true);
    expect(answersEquivalent("2 or 3", "\\{2,3\\}")).toBe(true);
    expect(answersEquivalent("2; 3", "3, 2")).toBe(true);
    expect(answersEquivalent("2 and 4", "2,3")).toBe(false);
    expect(answersEquivalent("{1,2,3}", "\\{1,2,3\\}")).toBe(true);
    expect(answersEquivalent("1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}")).toBe(true);
    expect(answersEquivalent("1 \\pm \\sqrt{19}", "1+\\sqrt{19}")).toBe(false);
    expect(answersEquivalent("x \\approx 3.14", "3.14")).toBe(true);
    expect(answersEquivalent("\\left(\\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array}\\right)", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}")).toBe(true);
    expect(findAnswerText("So $x \\le 2$.")).toBe("x \\le 2");
    expect(findAnswerText("Thus $\\boxed{3}$ fails, and \\boxed{4}.\n\nFinal Answer: The final answer is $5$. I hope it is correct.")).toBe("5");
  });

  it("numbers: integers exactly, small decimals relatively", () => {
    expect(answersEquivalent("1450001", "1450000")).toBe(false);
    expect(answersEquivalent(".0000673", ".0000672")).toBe(false);
    expect(answersEquivalent("0.3333333", "1/3")).toBe(true);
  });

  it("grading prints nothing of the math engine's to stderr", () => {
    const written = vi.spyOn(process.stderr, "write");
    const logged = vi.spyOn(console, "error");
    // Inputs that made the engine print to stderr (found in MATH500's solutions).
    for (const text of ["\\sqrt{DF^2 - EF^2},", "AB \\parallel DE,", "CD = BD - BC = 3BC."]) {
      answersEquivalent(text, "2");
      const parsed = parseMath(text);
      if (parsed) numericValue(parsed);
    }
    expect(written).not.toHaveBeenCalled();
    expect(logged).not.toHaveBeenCalled();
    written.mockRestore();
    logged.mockRestore();
  });
});

describe("multiple choice, graded through the options", () => {
  const options = ["12", "15", "twenty", "9"];
  it.each([
    ["Answer: B", "B"],
    ["The answer is (B).", "B"],
    ["B) 15", "B"],
    ["After all that, the answer is **B**", "B"],
    ["So the correct option is B.", "B"],
    ["The correct answer is B: 15", "B"],
    ["The answer is 15.", "B"],
    ["The answer is twenty.", "C"],
    ["Thus $\\boxed{B}$", "B"],
    ["Answer: $\\boxed{\\text{(D)}}$", "D"],
    ["My answer: (b)", "B"],
    ["I think it is option C, since the rest fail.", "C"],
    // lighteval's extractive-match behaviours, restated: a bare letter, a letter first, what is ruled out set aside.
    ["D", "D"],
    ["C.", "C"],
    ["D. it cannot be A or C", "D"],
    ["The answer is surely D, it can't be A or B", "D"],
    ["The answer: D, it doesn't fit for it to be A or B", "D"],
    ["It's not A since that fails, so I think it's C", "C"],
    // lighteval's letter-then-name and non-English forms, restated (session 17).
    ["B Bertrand", "B"],
    ["D Dana\nCarl wins", "D"],
    ["la réponse est D non B", "D"],
    ["C。 不是 B", "C"],
    ["C不是 A", "C"],
  ])("%s reads as %s", (completion, letter) => {
    expect(extractChoice(completion, options)).toBe(letter);
  });

  it.each(["Answer: B and C", "Answer: A or B", "Answer: F", "The answer is a number.", "After checking (A) and (C), (C) works.", "A cat sat on the mat."])(
    "%s is no choice (ambiguous, or no option)",
    (completion) => {
      expect(extractChoice(completion, options)).toBeUndefined();
    },
  );
});

describe.skipIf(!existsSync(datasets))("every MATH500 and GSM8K gold, as models write it", () => {
  for (const { source, golds } of existsSync(datasets) ? benchmarkGolds(datasets) : []) {
    it(`${source}: at least 99.5% of phrasings equal and near misses unequal`, () => {
      const cases = goldCases(source, golds);
      const misses = cases.filter((item) => graded(item.completion, item.gold) !== item.equal);
      expect(
        misses.length / cases.length,
        misses
          .slice(0, 5)
          .map((item) => `${item.category}: ${item.completion} vs ${item.gold}`)
          .join("\n"),
      ).toBeLessThanOrEqual(0.005);
    });
  }
});
