import { z } from "zod";
import type { TextTool } from "../core/text-tool.js";
import { defineStrategy } from "../extension/define-strategy.js";
import { toolLoopMiddleware } from "../middleware/tool-loop-middleware.js";
import { wrapModel } from "../middleware/wrap-model.js";
import { calculatorTool } from "./calculator-tool.js";
import { firstWithAnswer, majorityVote } from "./majority-vote.js";
import { samplingOptions } from "./sampling-options.js";

const toolNames = ["calculator"] as const;
const toolsByName: Record<(typeof toolNames)[number], () => TextTool> = { calculator: calculatorTool };

/**
 * Tool-integrated reasoning: samples n solutions with tools acting inside the text (START-style), then votes.
 * With n=1 it is a single tool-using answer. `calculator` writes the result of each `a op b=` step line.
 */
export const toolIntegrated = defineStrategy({
  name: "tool-integrated",
  description: "Samples n solutions with tools acting inside the model's text (e.g. a calculator on `a op b=` lines), then votes",
  options: z.strictObject({
    ...samplingOptions,
    n: samplingOptions.n.default(1),
    tools: z.enum(toolNames).default("calculator").describe("The tool in the loop: calculator"),
    maxToolCalls: z.number().int().min(0).max(256).default(32).describe("Most tool outputs per candidate; past it the model goes on unaided"),
  }),
  async run(context) {
    const { n, temperature, tools, maxToolCalls } = context.options;
    let toolCalls = 0;
    const model = wrapModel({
      model: context.model,
      middleware: toolLoopMiddleware({
        tools: [toolsByName[tools]()],
        maxToolCalls,
        onToolCall: () => {
          toolCalls++;
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
