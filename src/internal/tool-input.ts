import type { ToolCall } from "../core/tools.js";

/**
 * A tool call's arguments as an object, for APIs that carry them parsed (Anthropic's `tool_use.input`): `{}` where the
 * model wrote none, the raw text under `_raw` where they do not parse (never dropped).
 */
export function toolInput(call: ToolCall): unknown {
  try {
    return JSON.parse(call.function.arguments || "{}");
  } catch {
    return { _raw: call.function.arguments };
  }
}
