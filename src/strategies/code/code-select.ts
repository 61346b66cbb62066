import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { codeAnswer } from "../../tasks/humaneval-program.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";
import { modelTests, problemText, selectByExecution } from "./execution-selection.js";

/**
 * Execution-based selection for code (after AlphaCode and CodeT): n programs, each run on the examples the problem
 * shows; the programs that pass the most examples are kept, and of those the largest group that behaves alike
 * (returns the same values) wins. Without examples, the most frequent identical program.
 */
export const codeSelect = defineStrategy({
  name: "code-select",
  description: "Samples n programs, runs each on the problem's examples in the sandbox, keeps those passing most, picks the largest group behaving alike",
  options: z.strictObject({
    n: samplesOption(8, "Programs to sample"),
    temperature: temperatureOption(0.8),
    codeTimeoutMs: z.number().int().min(1).max(600_000).default(10_000).describe("Wall-time limit of each program's run"),
    generatedTests: z.number().int().min(0).max(50).default(5).describe("Tests the model writes where the problem shows no examples (0: none)"),
  }),
  needsSandbox: true,
  async run(context) {
    const { n, temperature, codeTimeoutMs } = context.options;
    const drawn = await context.sample({ n, temperature, waveSize: context.waveSize(n, undefined) });
    const candidates: Candidate[] = drawn.map((candidate) => ({ ...candidate, answer: codeAnswer(candidate.text) }));
    const problem = problemText(context.call.prompt);
    const selection = await selectByExecution({
      context: context as RunContext<unknown>,
      candidates,
      problem,
      codeTimeoutMs,
      generateTests: modelTests(context as RunContext<unknown>, problem, context.options.generatedTests),
    });
    return { ...selection, candidates };
  },
});

export type CodeSelectOptions = NonNullable<Parameters<typeof codeSelect.create>[0]>;

export const createCodeSelect = (options: CodeSelectOptions = {}) => codeSelect.create(options);
