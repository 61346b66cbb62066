/**
 * A calculator in the model's text, for step-by-step arithmetic: when a line reaches `a op b=` (integers,
 * + - *, and / where it divides exactly), it writes the exact result and the model goes on. A line of any
 * other shape is left to the model.
 */
import type { TextTool } from "../core/text-tool.js";
import { stepResult } from "./arith-step.js";

export function calculatorTool(): TextTool {
  return {
    name: "calculator",
    triggers: ["="],
    respond: ({ text }) => stepResult(text.slice(text.lastIndexOf("\n") + 1)),
  };
}
