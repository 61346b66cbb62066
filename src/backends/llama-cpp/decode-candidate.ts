/**
 * One candidate: claims a sequence, evaluates the prompt (reusing a held prefix), then draws tokens in
 * JavaScript from the full next-token distribution (exact log-probabilities, reproducible seeds), stopping
 * at end-of-text, a stop sequence, `maxTokens` or the signal. Text is emitted as it becomes safe: a tail
 * that may begin a stop sequence is held back until the next token decides it.
 */
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import type { Completion, FinishReason, TokenLogprob } from "../../core/generate-result.js";
import type { StreamPart } from "../../core/stream-part.js";
import { type SamplingShape, sampleToken } from "../../internal/sample-token.js";
import { createRandom } from "../../internal/seeded-random.js";
import { claimSequence, releaseSequence } from "./claim-sequence.js";
import type { LoadedLlamaModel, Sequence, Token } from "./load-llama-model.js";
import { grammarState, type OutputGrammar } from "./output-grammar.js";
import { createStopDetector } from "./stop-detector.js";

export type DecodeSettings = {
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  stops: readonly string[];
  logprobs: boolean;
  topLogprobs: number | undefined;
  reusePrefix: boolean;
  /** Top-k, min-p, penalties and biases (see `CallOptions`); the generated counts are each candidate's own. */
  shape: Omit<SamplingShape<Token>, "generated">;
  /** Constrains the output (a response format); each candidate gets its own state. Defaults to none. */
  grammar?: import("node-llama-cpp").LlamaGrammar | undefined;
};

type EvaluateInput = import("node-llama-cpp").ControlledEvaluateInputItem;

/** What one candidate produced, and the prompt tokens it evaluated and reused. */
export type DecodedCandidate = { completion: Completion; promptTokens: number; cachedPromptTokens: number };

/** A candidate's state while it decodes. */
class CandidateState {
  readonly tokens: Token[] = [];
  readonly logprobs: TokenLogprob[] = [];
  text = "";
  emitted = 0;
  finishReason: FinishReason = "length";
  stoppedBy: "end-of-text" | "stop-sequence" | undefined;
  stopSequence: string | undefined;

  completion(withLogprobs: boolean): Completion {
    return {
      text: this.text,
      finishReason: this.finishReason,
      completionTokens: this.tokens.length,
      ...(this.stoppedBy ? { stoppedBy: this.stoppedBy } : {}),
      ...(this.stoppedBy === "stop-sequence" && this.stopSequence !== undefined ? { stopSequence: this.stopSequence } : {}),
      ...(withLogprobs ? { logprobs: this.logprobs } : {}),
    };
  }
}

/** One candidate to decode, on either engine: its prompt, its index among the call's, its settings. */
export type CandidateRequest = {
  promptTokens: readonly Token[];
  index: number;
  settings: DecodeSettings;
  signal: AbortSignal;
  emit: (part: StreamPart) => void;
};

export async function decodeCandidate(options: CandidateRequest & { loaded: LoadedLlamaModel }): Promise<DecodedCandidate> {
  const { loaded, promptTokens, index, settings, signal, emit } = options;
  const state = new CandidateState();
  let sequence: Sequence | undefined;
  let reused = 0;
  let failed = false;
  try {
    // At least the prompt's last token is evaluated again: its next-token distribution is needed.
    const claimed = await claimSequence({ loaded, tokens: promptTokens, mostReused: promptTokens.length - 1, reusePrefix: settings.reusePrefix, signal });
    sequence = claimed.sequence;
    reused = claimed.reused;
    await decodeLoop({ loaded, sequence, input: promptTokens.slice(reused), state, settings, signal, emit: (delta) => emitDelta(emit, index, delta) });
  } catch (error) {
    failed = true;
    if (!signal.aborted) throw error;
    state.finishReason = "abort";
  } finally {
    if (sequence) await releaseSequence({ loaded, sequence, clear: failed || !settings.reusePrefix });
  }
  if (state.text.length > state.emitted) emitDelta(emit, index, { text: state.text.slice(state.emitted) });
  const completion = state.completion(settings.logprobs);
  const { text: _text, logprobs: _logprobs, ...end } = completion;
  emit({ type: "completion-end", index, ...end });
  // A candidate cancelled before it had a sequence evaluated nothing.
  return { completion, promptTokens: sequence ? promptTokens.length : 0, cachedPromptTokens: reused };
}

function emitDelta(emit: (part: StreamPart) => void, index: number, delta: { text: string; logprobs?: TokenLogprob[] }): void {
  emit({ type: "text-delta", index, delta: delta.text, ...(delta.logprobs ? { logprobs: delta.logprobs } : {}) });
}

async function decodeLoop(options: {
  loaded: LoadedLlamaModel;
  sequence: Sequence;
  input: Token[];
  state: CandidateState;
  settings: DecodeSettings;
  signal: AbortSignal;
  emit: (delta: { text: string; logprobs?: TokenLogprob[] }) => void;
}): Promise<void> {
  const { loaded, sequence, state, settings, signal, emit } = options;
  const random = createRandom(settings.seed);
  const grammar = settings.grammar ? await grammarState(loaded, settings.grammar) : undefined;
  const stops = createStopDetector(settings.stops);
  const generated = new Map<Token, number>();
  const shape: SamplingShape<Token> = { ...settings.shape, generated };
  let input: EvaluateInput[] = options.input;
  while (state.tokens.length < settings.maxTokens) {
    if (signal.aborted) {
      state.finishReason = "abort";
      return;
    }
    const { token, probabilities } = await nextToken({ sequence, input, settings, shape, random, grammar });
    if (token === undefined) {
      // Nothing the model gives any probability may come next: the output cannot go on within the grammar.
      state.finishReason = "stop";
      return;
    }
    if (token === loaded.eos || loaded.model.isEogToken(token)) {
      state.finishReason = "stop";
      state.stoppedBy = "end-of-text";
      return;
    }
    grammar?.accept(token);
    state.tokens.push(token);
    generated.set(token, (generated.get(token) ?? 0) + 1);
    state.text = loaded.model.detokenize(state.tokens);
    if (settings.logprobs) state.logprobs.push(tokenLogprob(loaded, probabilities, token, settings.topLogprobs));
    const stop = stops.find(state.text, state.emitted);
    if (stop) {
      state.text = state.text.slice(0, stop.at);
      state.finishReason = "stop";
      state.stoppedBy = "stop-sequence";
      state.stopSequence = stop.stop;
    }
    const safeEnd = state.text.length - (stop ? 0 : stops.holdBack(state.text));
    if (safeEnd > state.emitted) {
      emit({ text: state.text.slice(state.emitted, safeEnd), ...(settings.logprobs ? { logprobs: state.logprobs.slice(-1) } : {}) });
      state.emitted = safeEnd;
    }
    if (stop) return;
    input = [token];
  }
}

/** Evaluates the input and draws the next token, within the grammar where there is one (none: it allows nothing). */
async function nextToken(options: {
  sequence: Sequence;
  input: EvaluateInput[];
  settings: DecodeSettings;
  shape: SamplingShape<Token>;
  random: ReturnType<typeof createRandom>;
  grammar: OutputGrammar | undefined;
}): Promise<{ token: Token | undefined; probabilities: ReadonlyMap<Token, number> }> {
  const { sequence, input, settings, shape, random, grammar } = options;
  const last = input.length - 1;
  input[last] = [input[last] as Token, { generateNext: { probabilities: true } }];
  const output = await sequence.controlledEvaluate(input);
  const probabilities = output[last]?.next?.probabilities;
  if (!probabilities) throw new BackendCallError({ message: "llama.cpp returned no next-token probabilities", isRetryable: false });
  const draw = (from: ReadonlyMap<Token, number>) =>
    sampleToken({ probabilities: from, temperature: settings.temperature, topP: settings.topP, random, shape });
  return { token: grammar ? drawAllowed({ probabilities, grammar, draw }) : draw(probabilities), probabilities };
}

/**
 * A token the grammar allows, drawn from the distribution renormalised over the allowed ones: a refused
 * draw is removed and the draw repeated; after a few refusals the whole distribution is filtered at once.
 */
function drawAllowed(options: {
  probabilities: ReadonlyMap<Token, number>;
  grammar: OutputGrammar;
  draw: (from: ReadonlyMap<Token, number>) => Token;
}): Token | undefined {
  const { grammar, draw } = options;
  let remaining = options.probabilities;
  for (let refusals = 0; refusals < 8; refusals++) {
    if (remaining.size === 0) return undefined;
    const token = draw(remaining);
    if (grammar.allows(token)) return token;
    const next = new Map(remaining);
    next.delete(token);
    remaining = next;
  }
  const allowed = new Map([...remaining].filter(([token, probability]) => probability > 0 && grammar.allows(token)));
  return allowed.size === 0 ? undefined : draw(allowed);
}

function tokenLogprob(loaded: LoadedLlamaModel, probabilities: ReadonlyMap<Token, number>, token: Token, topLogprobs: number | undefined): TokenLogprob {
  const logOf = (probability: number) => Math.log(Math.max(probability, Number.MIN_VALUE));
  const top = topLogprobs
    ? [...probabilities.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, topLogprobs)
        .map(([id, probability]) => ({ token: loaded.model.detokenize([id]), logprob: logOf(probability) }))
    : undefined;
  return { token: loaded.model.detokenize([token]), logprob: logOf(probabilities.get(token) ?? 0), ...(top ? { topLogprobs: top } : {}) };
}
