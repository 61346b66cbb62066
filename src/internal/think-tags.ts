/**
 * A reasoning model's raw text (`<think>\n…\n</think>\n\nanswer`) and the two fields a server that splits
 * reasoning returns instead (`reasoning_content`, `content`). Continuations (tool loops, thinking budgets,
 * step searches) work on the raw text, so they join the fields back and split the prefix they send.
 */

const open = "<think>";
const close = "</think>";

/** Raw text so far, split: the reasoning inside `<think>` and the content after it; `closed` once `</think>` came. */
export type SplitThinking = { reasoning: string; content: string; closed: boolean };

/** Splits raw text that opens with `<think>` (after any whitespace); undefined for text that does not. */
export function splitThinking(raw: string): SplitThinking | undefined {
  const start = raw.indexOf(open);
  if (start === -1 || raw.slice(0, start).trim() !== "") return undefined;
  // The tag's own line break belongs to the tag, as chat templates write it (`<think>\n`).
  const inner = raw.slice(start + open.length).replace(/^\n/, "");
  const end = inner.indexOf(close);
  if (end === -1) return { reasoning: inner, content: "", closed: false };
  return { reasoning: inner.slice(0, end).replace(/\n$/, ""), content: inner.slice(end + close.length).replace(/^\n{1,2}/, ""), closed: true };
}

/**
 * The raw text of a completion whose reasoning came apart (`reasoning`): `<think>` with the reasoning, closed
 * when an answer followed. `open` false leaves out the opening tag (text that continues thinking already begun).
 */
export function joinThinking(options: { reasoning: string; content: string; open?: boolean }): string {
  const head = options.open === false ? options.reasoning : `${open}\n${options.reasoning}`;
  if (options.content === "") return head;
  return `${head}${head.endsWith("\n") ? "" : "\n"}${close}\n\n${options.content}`;
}

/**
 * The raw text a completion adds to `prefix` (the raw text it continued; "" for a fresh answer), where the
 * backend may have split the reasoning off: thinking begun in the prefix goes on without a new `<think>`;
 * after thinking closed, only the answer can follow (a server that parses the continuation alone may report
 * it as reasoning, finding no `</think>` in it).
 */
export function continuedText(options: { prefix: string; completion: { text: string; reasoning?: string } }): string {
  const { completion } = options;
  if (completion.reasoning === undefined) return completion.text;
  const before = splitThinking(options.prefix);
  if (before?.closed) return completion.text !== "" ? completion.text : completion.reasoning;
  return joinThinking({ reasoning: completion.reasoning, content: completion.text, open: before === undefined });
}
