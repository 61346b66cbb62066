/**
 * `n` candidates decoding at once, their parts merged into one stream in the order they happen. The
 * candidates share one controller: the caller's abort, a failed candidate or the consumer leaving the
 * stream (a cancel) stops every one of them, and leaving waits until all have stopped and given their
 * sequences back, so that a cancelled call leaves nothing decoding behind it.
 */
import { setMaxListeners } from "node:events";
import type { Completion } from "../../core/generate-result.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { Usage } from "../../core/usage.js";
import { callSeedStride } from "../../internal/seeds.js";
import { type DecodedCandidate, type DecodeSettings, decodeCandidate } from "./decode-candidate.js";
import type { LoadedLlamaModel, Token } from "./load-llama-model.js";
import { decodeOnServer, type ServerTarget } from "./server-candidate.js";

export async function* generateCandidates(options: {
  loaded: LoadedLlamaModel;
  promptTokens: readonly Token[];
  n: number;
  settings: DecodeSettings;
  /** Decodes on llama.cpp's own server instead of in-process (see `decodeOnServer`). Defaults to in-process. */
  server?: ServerTarget | undefined;
  /** Fires on the caller's abort; the generator aborts it too when it stops early. */
  controller: AbortController;
  /** Counts candidates decoding now, for the model's `activeCandidates`. */
  onActive: (change: 1 | -1) => void;
}): AsyncGenerator<StreamPart, { completions: Completion[]; usage: Usage }> {
  const { n, controller } = options;
  // Every candidate waiting for a sequence listens on the signal; that is expected, not a leak.
  setMaxListeners(Math.max(20, n + 10), controller.signal);
  const started = Date.now();
  const queue: StreamPart[] = [];
  let wake: (() => void) | undefined;
  const emit = (part: StreamPart) => {
    queue.push(part);
    wake?.();
  };
  let failure: unknown;
  const running = Array.from({ length: n }, (_, index) => runOne(options, index, emit));
  let settled = 0;
  const results: (DecodedCandidate | undefined)[] = [];
  running.forEach((promise, index) => {
    void promise
      .then((result) => {
        results[index] = result;
      })
      .catch((error: unknown) => {
        failure ??= error;
        controller.abort(error);
      })
      .finally(() => {
        settled++;
        wake?.();
      });
  });
  try {
    while (settled < n || queue.length > 0) {
      const part = queue.shift();
      if (part) yield part;
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    // Reached early only when the consumer stopped reading: stop every candidate and wait for them.
    if (settled < n) controller.abort(new DOMException("the stream was cancelled", "AbortError"));
    await Promise.allSettled(running);
  }
  if (failure) throw failure;
  const done = results.filter((result): result is DecodedCandidate => result !== undefined);
  return { completions: done.map((result) => result.completion), usage: sumUsage(done, Date.now() - started) };
}

async function runOne(options: Parameters<typeof generateCandidates>[0], index: number, emit: (part: StreamPart) => void): Promise<DecodedCandidate> {
  options.onActive(1);
  try {
    const settings = { ...options.settings, seed: options.settings.seed + index * callSeedStride };
    const counting = countThinking(options.loaded, emit);
    const candidate = { promptTokens: options.promptTokens, index, settings, signal: options.controller.signal, emit: counting.emit };
    const decoded = options.server
      ? await decodeOnServer({ server: options.server, ...candidate })
      : await decodeCandidate({ loaded: options.loaded, ...candidate });
    return counting.reasoningTokens === undefined ? decoded : { ...decoded, completion: { ...decoded.completion, reasoningTokens: counting.reasoningTokens } };
  } finally {
    options.onActive(-1);
  }
}

/**
 * Counts a candidate's thinking tokens (its text up to `</think>`, tokenized again: exact on either engine) into
 * its `completion-end` part.
 */
function countThinking(loaded: LoadedLlamaModel, emit: (part: StreamPart) => void) {
  let text = "";
  const counting = {
    reasoningTokens: undefined as number | undefined,
    emit(part: StreamPart) {
      if (part.type === "text-delta") text += part.delta;
      if (part.type === "completion-end") {
        const end = text.indexOf("</think>");
        if (end !== -1) {
          counting.reasoningTokens = Math.min(part.completionTokens, loaded.model.tokenize(text.slice(0, end + "</think>".length), false).length);
          emit({ ...part, reasoningTokens: counting.reasoningTokens });
          return;
        }
      }
      emit(part);
    },
  };
  return counting;
}

function sumUsage(results: readonly DecodedCandidate[], wallMs: number): Usage {
  return {
    promptTokens: results.reduce((sum, result) => sum + result.promptTokens, 0),
    cachedPromptTokens: results.reduce((sum, result) => sum + result.cachedPromptTokens, 0),
    completionTokens: results.reduce((sum, result) => sum + result.completion.completionTokens, 0),
    calls: 1,
    wallMs,
  };
}
