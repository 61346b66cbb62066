/**
 * A calculator in the model's text, for step-by-step arithmetic: when a line reaches `a op b=` (integers,
 * + - *), it writes the exact result and the model goes on. A line of any other shape is left to the model.
 */
import type { TextTool } from "../core/text-tool.js";

const step = /^\s*(-?\d{1,30})\s*([-+*])\s*(-?\d{1,30})\s*=$/;

export function calculatorTool(): TextTool {
  return {
    name: "calculator",
    triggers: ["="],
    respond({ text }) {
      const line = text.slice(text.lastIndexOf("\n") + 1);
      const match = step.exec(line);
      if (!match) return undefined;
      const a = BigInt(match[1] as string);
      const b = BigInt(match[3] as string);
      return String(match[2] === "+" ? a + b : match[2] === "-" ? a - b : a * b);
    },
  };
}
