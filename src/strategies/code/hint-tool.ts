/**
 * START's hint injection: where the model is about to write a marker (e.g. its final answer's `####`), a
 * hint is put in its place once per completion, nudging it to check with a tool first; the model then writes
 * the marker again when it is done.
 */
import type { TextTool } from "../../core/text-tool.js";

export type Hint = { /** Where the hint goes: before this text. */ before: string /** The hint's text. */; text: string };

export function hintTool(options: { hints: readonly Hint[] }): TextTool {
  return {
    name: "hint",
    triggers: options.hints.map((hint) => hint.before),
    keepsTrigger: false,
    respond({ text, trigger }) {
      const hint = options.hints.find((item) => item.before === trigger);
      // Once per completion: a second time the model writes the marker, it stands.
      if (!hint || text.slice(0, -trigger.length).includes(hint.text)) return undefined;
      return hint.text;
    },
  };
}
