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

/** A piece of streamed raw text, as reasoning or answer. */
export type ThinkingPiece = { kind: "reasoning" | "text"; delta: string };

/**
 * Splits raw text as it streams into reasoning and answer pieces, as a reasoning parser does on a server: text that
 * opens with `<think>` is reasoning until `</think>` (a tag cut between deltas is held back until it is whole), the
 * rest is the answer; text that does not open with it is all answer.
 */
class ThinkingSplitter {
  private state: "start" | "thinking" | "answer" = "start";
  private held = "";
  private reasoningStarted = false;
  private answerStarted = false;

  push(delta: string): ThinkingPiece[] {
    this.held += delta;
    if (this.state === "start") this.open();
    if (this.state === "start") return [];
    return this.state === "thinking" ? this.thinking() : this.answer();
  }

  /** A streamed delta: reasoning a server split off stays reasoning; raw text is split. */
  read(part: { type: "reasoning-delta" | "text-delta"; delta: string }): ThinkingPiece[] {
    return part.type === "reasoning-delta" ? [{ kind: "reasoning", delta: part.delta }] : this.push(part.delta);
  }

  /** What is still held at the end (an unclosed thinking's tail stays reasoning). */
  flush(): ThinkingPiece[] {
    if (this.held === "") return [];
    if (this.state === "thinking") return [{ kind: "reasoning", delta: this.take() }];
    if (this.state === "start") return [{ kind: "text", delta: this.take() }];
    return this.answer();
  }

  private take(length = this.held.length): string {
    const taken = this.held.slice(0, length);
    this.held = this.held.slice(length);
    return taken;
  }

  /** At the start: `<think>` opens the thinking; text that cannot open it is the answer; a part of it waits. */
  private open(): void {
    const trimmed = this.held.trimStart();
    if (trimmed.length < open.length && open.startsWith(trimmed)) return;
    if (!trimmed.startsWith(open)) {
      this.state = "answer";
      this.answerStarted = true;
      return;
    }
    this.state = "thinking";
    this.held = trimmed.slice(open.length);
  }

  private thinking(): ThinkingPiece[] {
    if (!this.reasoningStarted) {
      // The opening tag's own line break is the tag's.
      if (this.held === "") return [];
      if (this.held.startsWith("\n")) this.held = this.held.slice(1);
      this.reasoningStarted = true;
    }
    const end = this.held.indexOf(close);
    if (end !== -1) {
      const reasoning = this.take(end).replace(/\n$/, "");
      this.take(close.length);
      this.state = "answer";
      return [...(reasoning ? [{ kind: "reasoning" as const, delta: reasoning }] : []), ...this.answer()];
    }
    const out = this.take(this.held.length - this.mayClose());
    return out ? [{ kind: "reasoning", delta: out }] : [];
  }

  /** How much of the held tail could begin the closing tag (with a line break before it). */
  private mayClose(): number {
    let keep = 0;
    for (let length = Math.min(close.length, this.held.length); length > 0 && keep === 0; length--)
      if (close.startsWith(this.held.slice(this.held.length - length))) keep = length;
    return this.held.length - keep > 0 && this.held[this.held.length - keep - 1] === "\n" ? keep + 1 : keep;
  }

  private answer(): ThinkingPiece[] {
    // The blank line after `</think>` belongs to the tag, as `splitThinking` reads it.
    const text = this.take();
    const delta = this.answerStarted ? text : text.replace(/^\n{1,2}/, "");
    if (delta === "") return [];
    this.answerStarted = true;
    return [{ kind: "text", delta }];
  }
}

export const createThinkingSplitter = () => new ThinkingSplitter();

/** A completion's thinking and answer: as the backend split them, or split from raw `<think>` text. */
export function thinkingApart(completion: { text: string; reasoning?: string }): { reasoning: string | undefined; text: string } {
  if (completion.reasoning !== undefined) return { reasoning: completion.reasoning, text: completion.text };
  const split = splitThinking(completion.text);
  return split ? { reasoning: split.reasoning, text: split.content } : { reasoning: undefined, text: completion.text };
}
