import { z } from "zod";
import type { Verifier } from "../core/verifier.js";
import { defineVerifier } from "../extension/define-verifier.js";
import { stepHolds } from "../tasks/arith-step.js";

/**
 * An exact check of a solution's arithmetic steps (`a op b=c` lines, integers, + - *): score 1 when every such
 * step holds, `penalty` when one does not. It knows no answer, only whether the steps written are true, so it is
 * deployable (not an oracle). Each line scores 1, 0 where false (lines of other shapes count as holding).
 */
export function createStepCheck(options: { penalty?: number } = {}): Verifier {
  const penalty = options.penalty ?? 0.01;
  return {
    name: `step-check:penalty=${penalty}`,
    kind: "process",
    // An exact check runs no model.
    cost: { parameters: 0, pricePerMillion: { prompt: 0, completion: 0 } },
    score: async ({ solution }) => {
      const steps = solution.split("\n").filter((line) => line.trim() !== "");
      const holds = steps.map((line) => stepHolds(line) !== false);
      return { score: holds.every(Boolean) ? 1 : penalty, stepScores: holds.map(Number), tokens: 0 };
    },
  };
}

/** `step-check`: arithmetic steps checked exactly; with `weighted-vote` it drops the samples that made a slip. */
export const stepCheckVerifier = defineVerifier({
  name: "step-check",
  kind: "process",
  description: "Checks every `a op b=c` step line exactly: 1 when all hold, `penalty` when one is false (no model, no answer key)",
  options: z.strictObject({
    penalty: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe("The score of a solution with a false step (a little above 0, so that where every sample slipped the vote is still a majority)"),
  }),
  create: (options) => createStepCheck(options),
});
