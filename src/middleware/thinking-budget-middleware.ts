/**
 * A thinking budget (`CallOptions.maxReasoningTokens`), enforced by the caller rather than the server, live: the
 * model thinks for at most the budget, stopping at `</think>`, its thinking streamed as it comes; a candidate that
 * ran out has its thinking closed for it; then each candidate answers in a call that continues its own thinking,
 * streamed as it comes. A minimum (`minReasoningTokens`, s1's budget forcing) replaces an early `</think>` with
 * "Wait" and lets the model think on, until the minimum or the budget. The answer is the completion's text and the
 * thinking its `reasoning` (`reasoningTokens` counted), so no number the model tried on the way is voted. A whole
 * call is the same stream, read whole. Continuing needs a raw-text prompt, or a chat backend that continues the
 * assistant's message.
 */

import type { CallOptions, ReasoningEffort } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import { addUsage, emptyUsage, type Usage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { readStream } from "../internal/read-stream.js";
import { callSeedStride, seedAt } from "../internal/seeds.js";
import { continuedText, createThinkingSplitter, type ThinkingPiece } from "../internal/think-tags.js";
import { validateCallOptions } from "../internal/validate-call-options.js";
import { continuePrompt } from "./continue-prompt.js";
import type { ModelMiddleware } from "./model-middleware.js";
import { collectStream, streamOfResult } from "./result-stream.js";

const close = "</think>";
/** What replaces an early end of thinking under a minimum (s1). */
const keepThinking = "Wait";

type Open = (call: CallOptions) => Promise<ReadableStream<StreamPart>>;
type Emit = (part: StreamPart) => void;
type CompletionEnd = Extract<StreamPart, { type: "completion-end" }>;

/** One candidate's thinking so far: its text and split-off reasoning (a server that splits it), the splitter that streams it. */
type Thought = { text: string; reasoning: string; splitter: ReturnType<typeof createThinkingSplitter> };

/** Reads a stream to its end (an error part thrown), handing each part to `onPart`. */
async function readAll(stream: ReadableStream<StreamPart>, onPart: (part: StreamPart) => void): Promise<void> {
  for await (const part of readStream(stream)) onPart(part);
}

/** The call's thinking, live: the thinking call's stream, then each candidate's continuation, as one stream. */
async function budgetStream(options: { call: CallOptions; open: Open; model: LanguageModel }): Promise<ReadableStream<StreamPart>> {
  const { maxReasoningTokens, minReasoningTokens, ...rest } = options.call;
  const budget = maxReasoningTokens as number;
  const started = Date.now();
  // Thinking stops at its close tag only: the caller's stop sequences are for the answer. Opened before the stream
  // is returned, so that a refusal is an error before the first part.
  const thinking = await options.open({ ...rest, maxTokens: budget, stop: [close], logprobs: false });
  const candidate = { rest, budget, minimum: minReasoningTokens ?? 0, open: options.open, model: options.model };
  return new ReadableStream<StreamPart>({
    async start(controller) {
      const emit: Emit = (part) => controller.enqueue(part);
      let usage: Usage = emptyUsage();
      const warnings: Warning[] = [];
      const thoughts = new Map<number, Thought>();
      const thought = (index: number) => {
        const known = thoughts.get(index) ?? { text: "", reasoning: "", splitter: createThinkingSplitter() };
        thoughts.set(index, known);
        return known;
      };
      const ends: CompletionEnd[] = [];
      const said = new Set<string>();
      try {
        await readAll(thinking, (part) => {
          if (part.type === "stream-start") {
            for (const warning of part.warnings) said.add(JSON.stringify(warning));
            emit(part);
          } else if (part.type === "text-delta") {
            thought(part.index).text += part.delta;
            for (const piece of thought(part.index).splitter.push(part.delta)) emit(pieceOf(part.index, piece));
          } else if (part.type === "reasoning-delta") {
            thought(part.index).reasoning += part.delta;
            emit(part);
          } else if (part.type === "completion-end") ends.push(part);
          else if (part.type === "end") usage = part.usage;
          else emit(part);
        });
        // One candidate's tokens are the call's, as the server counted them (a stream's own count is by delta).
        const [only] = ends;
        if (ends.length === 1 && only && usage.completionTokens > 0) ends[0] = { ...only, completionTokens: usage.completionTokens };
        const continuing = ends.map((end) => answerCandidate({ ...candidate, thought: thought(end.index), end, emit, warnings }));
        for (const more of await Promise.all(continuing)) usage = addUsage(usage, more);
        // What the continuations said that the first call did not (rare: a cap lowered to fit the context).
        const more = warnings.filter((warning) => !said.has(JSON.stringify(warning)));
        if (more.length > 0) emit({ type: "stream-start", warnings: more });
        emit({ type: "end", usage: { ...usage, wallMs: Date.now() - started } });
      } catch (error) {
        emit({ type: "error", error });
      }
      controller.close();
    },
  });
}

/** Text and reasoning as a completion has them: no reasoning where none came apart. */
const spoken = (said: { text: string; reasoning: string }) => ({ text: said.text, ...(said.reasoning ? { reasoning: said.reasoning } : {}) });

const pieceOf = (index: number, piece: ThinkingPiece): StreamPart =>
  piece.kind === "reasoning" ? { type: "reasoning-delta", index, delta: piece.delta } : { type: "text-delta", index, delta: piece.delta };

/**
 * One candidate after its thinking call: as it was where it answered without thinking; otherwise thinking forced on
 * to the minimum, then closed, then the answer, streamed. Returns what its calls spent.
 */
async function answerCandidate(options: {
  rest: Omit<CallOptions, "maxReasoningTokens" | "minReasoningTokens">;
  budget: number;
  minimum: number;
  open: Open;
  model: LanguageModel;
  thought: Thought;
  end: CompletionEnd;
  emit: Emit;
  warnings: Warning[];
}): Promise<Usage> {
  const { rest, budget, open, model, end, emit } = options;
  const index = end.index;
  // Ended by the end-of-text token, not the close tag or the budget: the model answered without thinking.
  if (end.stoppedBy === "end-of-text") {
    for (const piece of options.thought.splitter.flush()) emit(pieceOf(index, piece));
    emit(end);
    return emptyUsage();
  }
  // The held tail of the thinking, less the line break before where `</think>` would go.
  const held = options.thought.splitter
    .flush()
    .map((piece) => piece.delta)
    .join("")
    .replace(/\s+$/, "");
  if (held) emit({ type: "reasoning-delta", index, delta: held });
  // A server that splits reasoning off returns the thinking apart: it is joined back into raw text.
  let raw = continuedText({ prefix: "", completion: spoken(options.thought) });
  let used = end.completionTokens;
  let last = end;
  let usage = emptyUsage();
  const seed = (round: number) => seedAt(rest.seed, (index + 1) * 64 + round, callSeedStride);
  const continued = (prefix: string, call: Partial<CallOptions>, round: number): CallOptions => {
    const at = seed(round);
    return {
      ...rest,
      n: 1,
      prompt: continuePrompt({ prompt: rest.prompt, prefix, model, feature: "maxReasoningTokens" }),
      ...(at !== undefined ? { seed: at } : {}),
      ...call,
    };
  };
  for (let round = 1; options.minimum > 0 && last.stoppedBy === "stop-sequence" && used < options.minimum && used < budget; round++) {
    const prefix = `${raw.replace(/\s+$/, "")}\n${keepThinking}`;
    emit({ type: "reasoning-delta", index, delta: `\n${keepThinking}` });
    const more = { text: "", reasoning: "" };
    let moreEnd: CompletionEnd | undefined;
    let spent = emptyUsage();
    await readAll(await open(continued(prefix, { maxTokens: budget - used, stop: [close], logprobs: false }, round)), (part) => {
      if (part.type === "text-delta" || part.type === "reasoning-delta") {
        more[part.type === "text-delta" ? "text" : "reasoning"] += part.delta;
        emit({ type: "reasoning-delta", index, delta: part.delta });
      } else if (part.type === "completion-end") moreEnd = part;
      else if (part.type === "end") spent = part.usage;
      else if (part.type === "stream-start") options.warnings.push(...part.warnings);
    });
    usage = addUsage(usage, spent);
    raw = prefix + continuedText({ prefix, completion: spoken(more) });
    // A single completion's tokens are its call's, as the server counted them.
    used += Math.max(spent.completionTokens, moreEnd?.completionTokens ?? 0, 1);
    last = moreEnd ?? { ...last, stoppedBy: "end-of-text" };
  }
  const cut = last.finishReason === "length" ? "\n" : "";
  const prefix = `${raw}${cut}${close}\n\n`;
  // After thinking closed only the answer follows; a server that parses the continuation alone may call it reasoning.
  let answered: CompletionEnd | undefined;
  let spent = emptyUsage();
  let started = false;
  await readAll(await open(continued(prefix, {}, 0)), (part) => {
    if (part.type === "text-delta" || part.type === "reasoning-delta") {
      // The prefix ends in a blank line: line breaks a server puts before the answer are not the answer's.
      const delta = started ? part.delta : part.delta.replace(/^\n+/, "");
      if (delta === "") return;
      started = true;
      emit({ type: "text-delta", index, delta, ...(part.type === "text-delta" && part.logprobs ? { logprobs: part.logprobs } : {}) });
    } else if (part.type === "tool-call") emit({ ...part, index });
    else if (part.type === "completion-end") answered = part;
    else if (part.type === "end") spent = part.usage;
    else if (part.type === "stream-start") options.warnings.push(...part.warnings);
  });
  // Ended once its call's usage is known: a single completion's tokens are the call's.
  if (answered) {
    const tokens = Math.max(answered.completionTokens, spent.completionTokens);
    emit({ ...answered, index, completionTokens: tokens + used, reasoningTokens: used });
  }
  return addUsage(usage, spent);
}

/** Thinking budgets for `reasoningEffort` where a model takes no effort of its own (`high`: none). */
export type EffortBudgets = Record<ReasoningEffort, number | undefined>;

/**
 * The call with its effort turned into a budget, where the model is given `effortBudgets` (a model that takes
 * `reasoningEffort` itself gets none and keeps the field). A budget the call names wins. A minimum without a budget
 * gets the call's `maxTokens` as its budget.
 */
function withBudget(call: CallOptions, effortBudgets: EffortBudgets | undefined): CallOptions {
  let shaped = call;
  if (effortBudgets && call.reasoningEffort !== undefined) {
    const { reasoningEffort, ...rest } = call;
    const budget = rest.maxReasoningTokens ?? effortBudgets[reasoningEffort];
    shaped = budget === undefined ? rest : { ...rest, maxReasoningTokens: budget };
  }
  if (shaped.minReasoningTokens !== undefined && shaped.maxReasoningTokens === undefined)
    shaped = { ...shaped, maxReasoningTokens: Math.max(shaped.minReasoningTokens, shaped.maxTokens ?? shaped.minReasoningTokens * 2) };
  return shaped;
}

export function thinkingBudgetMiddleware(options: { effortBudgets?: EffortBudgets } = {}): ModelMiddleware {
  return {
    name: "thinking-budget",
    wrapGenerate: async ({ options: asked, next, model }) => {
      const call = withBudget(asked, options.effortBudgets);
      if (call.maxReasoningTokens === undefined) return next(call);
      validateCallOptions(call);
      // The same steps as a stream, each inner call whole.
      return collectStream(() => budgetStream({ call, open: async (inner) => streamOfResult(await next(inner)), model }), call);
    },
    wrapStream: async ({ options: asked, next, model }) => {
      const call = withBudget(asked, options.effortBudgets);
      if (call.maxReasoningTokens === undefined) return next(call);
      validateCallOptions(call);
      return budgetStream({ call, open: next, model });
    },
  };
}
