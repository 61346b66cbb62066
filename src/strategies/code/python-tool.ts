/**
 * Python in the model's text (START, program-of-thought with execution): when the model closes a
 * ```python block, the block runs in the sandbox and its output follows in an ```output block; the model
 * then goes on, having seen it. Errors and limits come back as output too, as the model should see them.
 */
import type { CodeSandbox } from "../../core/code-sandbox.js";
import type { TextTool } from "../../core/text-tool.js";

const fence = "```";
/** Most characters of a run's output shown to the model (the rest is cut with a note). */
const shownLimit = 2000;

/** The code of the ```python block that `text` (ending in a fence) has just closed, if that is what happened. */
export function closedPythonBlock(text: string): string | undefined {
  const fences = text.split(fence).length - 1;
  if (fences < 2 || fences % 2 === 1) return undefined;
  const body = text.slice(0, -fence.length);
  const opened = body.lastIndexOf(fence);
  const block = body.slice(opened + fence.length);
  const header = /^(python|py)[^\n]*\n/.exec(block);
  return header ? block.slice(header[0].length) : undefined;
}

function shown(text: string): string {
  return text.length <= shownLimit ? text : `${text.slice(0, shownLimit)}\n... (${text.length - shownLimit} more characters)`;
}

export function pythonTool(options: { sandbox: CodeSandbox; timeoutMs?: number }): TextTool {
  return {
    name: "python",
    triggers: [fence],
    async respond({ text, signal }) {
      const code = closedPythonBlock(text);
      if (code === undefined) return undefined;
      const result = await options.sandbox.run({
        language: "python",
        code,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(signal ? { signal } : {}),
      });
      const printed =
        result.stdout + (result.exitReason === "ok" ? "" : `${result.stderr.split("\n").filter(Boolean).at(-1) ?? result.error ?? result.exitReason}\n`);
      return `\n${fence}output\n${shown(printed || (result.result ?? ""))}${printed.endsWith("\n") || printed === "" ? "" : "\n"}${fence}\n`;
    },
  };
}
