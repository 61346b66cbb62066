/**
 * One candidate decoded by the llama-server engine: the prompt's tokens (as mull tokenized them, BOS
 * included) sent to the server's native `/completion`, sampled there from the whole distribution
 * (top-k, min-p and the rest of its chain turned off) with the candidate's seed; log-probabilities, when
 * asked, are the server's, from the model's whole distribution as in-process. One answer per candidate, not
 * a stream: on 2 cores, a server event per token and its parsing in Node cost a third of the throughput
 * (`npm run bench:engine`). So a candidate's text arrives whole when it ends, and a candidate cancelled
 * before it ends reports no tokens (the server stops it; what it had decoded is not known here).
 * The server refuses (a 500 naming "Content-only") an output that is not valid UTF-8, which a byte-level
 * model can sample; such a candidate is drawn again with another seed (at most 3 times). The refused draw's
 * tokens are not counted: the server does not say how many it decoded.
 */
import { z } from "zod";
import { BackendCallError } from "../../core/errors/backend-call-error.js";
import type { Completion, FinishReason, TokenLogprob } from "../../core/generate-result.js";
import { isAbortError } from "../../internal/abort.js";
import { postJson } from "../../internal/http/post-json.js";
import { readJsonBody } from "../../internal/http/read-json.js";
import type { CandidateRequest, DecodedCandidate, DecodeSettings } from "./decode-candidate.js";
import type { Token } from "./load-llama-model.js";

const serverTokenProbability = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

const serverAnswer = z.object({
  content: z.string(),
  tokens_predicted: z.number(),
  tokens_evaluated: z.number().optional(),
  stop_type: z.string().optional(),
  stopping_word: z.string().optional(),
  timings: z.object({ cache_n: z.number().optional() }).optional(),
  completion_probabilities: z.array(serverTokenProbability).optional(),
});

/** Seeds of the redraws after a refused output, apart from every candidate's own seed. */
const redrawSeedStride = 1_000_003;
const mostAttempts = 3;

type Attempt = {
  text: string;
  tokens: number;
  promptTokens: number;
  cachedPromptTokens: number;
  stopType: string | undefined;
  stoppingWord: string | undefined;
  logprobs?: TokenLogprob[];
};

class RefusedOutputError extends Error {}

/** The server a candidate goes to, and how to get a running one when `root` cannot be reached (it may have died). */
export type ServerTarget = { root: string; recover: (root: string) => Promise<string | undefined> };

export async function decodeOnServer(options: CandidateRequest & { server: ServerTarget }): Promise<DecodedCandidate> {
  const { index, settings, emit } = options;
  const attempt = await drawAccepted(options);
  const completion = toCompletion(attempt, settings.logprobs);
  if (completion.text) emit({ type: "text-delta", index, delta: completion.text, ...(completion.logprobs ? { logprobs: completion.logprobs } : {}) });
  const { text: _text, logprobs: _logprobs, ...end } = completion;
  emit({ type: "completion-end", index, ...end });
  return { completion, promptTokens: attempt?.promptTokens ?? 0, cachedPromptTokens: attempt?.cachedPromptTokens ?? 0 };
}

/** Draws until the server accepts an output, at most `mostAttempts` times; undefined once the call is cancelled. */
async function drawAccepted(options: Parameters<typeof decodeOnServer>[0]): Promise<Attempt | undefined> {
  const { settings, signal } = options;
  let lastRefusal = "";
  let root = options.server.root;
  let recovered = false;
  for (let number = 0; number < mostAttempts; number++) {
    try {
      return await requestOnce({ ...options, root, seed: settings.seed + number * redrawSeedStride });
    } catch (error) {
      if (error instanceof RefusedOutputError) {
        lastRefusal = error.message;
        continue;
      }
      if (signal.aborted || isAbortError(error)) return undefined;
      // Unreachable (no status): the server may have died; once per candidate, start it again and retry.
      const newRoot = !recovered && error instanceof BackendCallError && error.statusCode === undefined ? await options.server.recover(root) : undefined;
      if (!newRoot) throw error;
      recovered = true;
      root = newRoot;
      number--;
    }
  }
  throw new BackendCallError({ message: `llama-server refused ${mostAttempts} draws of candidate ${options.index}: ${lastRefusal}`, isRetryable: false });
}

/** The candidate as mull reports it; a cancelled one (no attempt) is an empty abort. */
function toCompletion(attempt: Attempt | undefined, withLogprobs: boolean): Completion {
  const logprobs = withLogprobs ? { logprobs: attempt?.logprobs ?? [] } : {};
  if (!attempt) return { text: "", finishReason: "abort", completionTokens: 0, ...logprobs };
  const finishReason: FinishReason = attempt.stopType === "limit" || attempt.stopType === "none" ? "length" : "stop";
  const stoppedBy: Completion["stoppedBy"] = attempt.stopType === "eos" ? "end-of-text" : attempt.stopType === "word" ? "stop-sequence" : undefined;
  return {
    text: attempt.text,
    finishReason,
    // The server counts the end-of-text token it sampled; the in-process engine counts the text's tokens only.
    completionTokens: stoppedBy === "end-of-text" ? Math.max(0, attempt.tokens - 1) : attempt.tokens,
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(stoppedBy === "stop-sequence" && attempt.stoppingWord !== undefined ? { stopSequence: attempt.stoppingWord } : {}),
    ...logprobs,
  };
}

async function requestOnce(options: {
  root: string;
  promptTokens: readonly Token[];
  settings: DecodeSettings;
  seed: number;
  signal: AbortSignal;
}): Promise<Attempt> {
  const { settings, signal } = options;
  const url = `${options.root}/completion`;
  const body = {
    prompt: options.promptTokens,
    n_predict: settings.maxTokens,
    temperature: settings.temperature,
    top_p: settings.topP,
    // llama.cpp's default chain off unless the call asks (top-k 0 and min-p 0 are off), as in the in-process engine.
    top_k: settings.shape.topK ?? 0,
    min_p: settings.shape.minP ?? 0,
    ...penaltyFields(settings),
    seed: options.seed,
    stop: settings.stops,
    cache_prompt: settings.reusePrefix,
    // The chosen token's log-probability comes with the top ones, from the model's whole distribution.
    n_probs: settings.logprobs ? Math.max(1, settings.topLogprobs ?? 1) : 0,
  };
  let response: Response;
  try {
    response = await postJson({ url, body, signal });
  } catch (error) {
    if (error instanceof BackendCallError && error.statusCode === 500 && /Content-only/.test(error.message)) throw new RefusedOutputError(error.message);
    throw error;
  }
  const answer = await readJsonBody({ response, schema: serverAnswer, url });
  return {
    text: answer.content,
    tokens: answer.tokens_predicted,
    promptTokens: answer.tokens_evaluated ?? options.promptTokens.length,
    cachedPromptTokens: answer.timings?.cache_n ?? 0,
    stopType: answer.stop_type,
    stoppingWord: answer.stopping_word,
    ...(settings.logprobs ? { logprobs: (answer.completion_probabilities ?? []).map((entry) => tokenLogprob(entry, settings.topLogprobs)) } : {}),
  };
}

/**
 * The call's penalties and biases in llama.cpp's names. Its penalties count the last `repeat_last_n` tokens; -1
 * (the whole context) is the nearest to the in-process engine, which counts the generated tokens.
 */
function penaltyFields(settings: DecodeSettings): Record<string, unknown> {
  const { presencePenalty, frequencyPenalty, repetitionPenalty, logitBias } = settings.shape;
  const penalised = presencePenalty !== undefined || frequencyPenalty !== undefined || repetitionPenalty !== undefined;
  return {
    ...(presencePenalty !== undefined ? { presence_penalty: presencePenalty } : {}),
    ...(frequencyPenalty !== undefined ? { frequency_penalty: frequencyPenalty } : {}),
    ...(repetitionPenalty !== undefined ? { repeat_penalty: repetitionPenalty } : {}),
    ...(penalised ? { repeat_last_n: -1 } : {}),
    ...(logitBias && logitBias.size > 0 ? { logit_bias: [...logitBias] } : {}),
  };
}

function tokenLogprob(entry: z.output<typeof serverTokenProbability>, topLogprobs: number | undefined): TokenLogprob {
  const top = topLogprobs ? entry.top_logprobs?.slice(0, topLogprobs).map((item) => ({ token: item.token, logprob: item.logprob })) : undefined;
  return { token: entry.token, logprob: entry.logprob, ...(top ? { topLogprobs: top } : {}) };
}
