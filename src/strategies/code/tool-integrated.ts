import { z } from "zod";
import type { TextTool } from "../../core/text-tool.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import { toolLoopMiddleware } from "../../middleware/tool-loop-middleware.js";
import { wrapModel } from "../../middleware/wrap-model.js";
import { calculatorTool } from "../../tasks/calculator-tool.js";
import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { samplingOptions } from "../sampling-options.js";
import { hintTool } from "./hint-tool.js";
import { pythonTool } from "./python-tool.js";

const toolNames = ["calculator", "python"] as const;
const toolsByName: Record<(typeof toolNames)[number], (context: RunContext<unknown>, timeoutMs: number) => TextTool> = {
  calculator: () => calculatorTool(),
  python: (context, timeoutMs) => pythonTool({ sandbox: context.sandbox(), timeoutMs }),
};

/** START's hint (Li et al., 2025), put where the model is about to give its final answer. */
export const startHint = "Wait, maybe using Python here is a good idea.\n```python\n";
const answerMarkers = ["####", "\\boxed"];

/**
 * Tool-integrated reasoning: samples n solutions with tools acting inside the text (START-style), then votes.
 * With n=1 it is a single tool-using answer. `calculator` writes the result of each `a op b=` step line;
 * `python` runs each ```python block the model closes in the sandbox and shows it the output; `hints` puts
 * START's hint before the model's first final-answer marker (`####`, `\boxed`).
 */
export const toolIntegrated = defineStrategy({
  name: "tool-integrated",
  description: "Samples n solutions with tools acting inside the model's text (e.g. a calculator on `a op b=` lines), then votes",
  options: z.strictObject({
    ...samplingOptions,
    n: samplingOptions.n.default(1),
    tools: z.enum(toolNames).default("calculator").describe("The tool in the loop: calculator (a op b= lines) or python (code blocks run in the sandbox)"),
    hints: z.boolean().default(false).describe("Insert START's hint to use Python before the first final-answer marker"),
    codeTimeoutMs: z.number().int().min(1).max(600_000).default(5000).describe("Wall-time limit of each python block"),
    maxToolCalls: z.number().int().min(0).max(256).default(32).describe("Most tool outputs per candidate; past it the model goes on unaided"),
  }),
  // Tools act inside the model's own text, so the backend must continue it (as a step-level search does).
  continuesText: true,
  needsSandbox: (options) => options.tools === "python",
  async run(context) {
    const { n, temperature, tools, maxToolCalls, hints, codeTimeoutMs } = context.options;
    let toolCalls = 0;
    const model = wrapModel({
      model: context.model,
      middleware: toolLoopMiddleware({
        tools: [
          toolsByName[tools](context as RunContext<unknown>, codeTimeoutMs),
          ...(hints ? [hintTool({ hints: answerMarkers.map((before) => ({ before, text: startHint })) })] : []),
        ],
        maxToolCalls,
        onToolCall: (event) => {
          toolCalls++;
          context.trace("tool-call", event);
        },
      }),
    });
    const candidates = await context.sample({ model, n, temperature, waveSize: context.waveSize(n, context.options.waveSize) });
    const { answer, votes, confidence } = majorityVote(candidates);
    context.trace("vote", { answer, votes });
    context.progress(`${candidates.length} samples, ${toolCalls} tool calls`, { toolCalls });
    return { chosen: firstWithAnswer(candidates, answer), answer, confidence, candidates, votes };
  },
});

export type ToolIntegratedOptions = NonNullable<Parameters<typeof toolIntegrated.create>[0]>;

export const createToolIntegrated = (options: ToolIntegratedOptions = {}) => toolIntegrated.create(options);
