/**
 * ST-BoN, self-truncation best-of-N (Wang et al., 2025, "Sampling-Efficient Test-Time Scaling: Self-Estimating
 * the Best-of-N Sampling in Early Decoding"): `n` traces at once; from the point where every pair of them has
 * diverged (c) and `buffer` × c further, the trace most consistent with the others so far is kept and the rest are
 * truncated (their tokens counted), so that one trace, not n, runs to its end; every trace writes at least
 * `minTokens` first. The paper measures consistency on
 * the model's hidden states; mull, on any model, by the word-overlap F1 of the traces' texts at that point.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { type LiveTrace, streamTraces } from "../../extension/stream-traces.js";
import { meanSimilarities, wordF1 } from "../mean-similarity.js";
import { samplesOption, temperatureOption } from "../sampling-options.js";

/**
 * Where the traces have diverged: over their prefixes as long as the shortest (traces stream at different paces),
 * identical prefixes counted as one (duplicate traces are common at low temperature), the largest first difference
 * over every pair; undefined while they all still agree.
 */
export function divergencePoint(texts: readonly string[]): number | undefined {
  const shortest = Math.min(...texts.map((text) => text.length));
  const prefixes = [...new Set(texts.map((text) => text.slice(0, shortest)))];
  if (prefixes.length < 2) return undefined;
  let point = 0;
  for (let i = 0; i < prefixes.length; i++)
    for (let j = i + 1; j < prefixes.length; j++) {
      const a = prefixes[i] as string;
      const b = prefixes[j] as string;
      let at = 0;
      while (a[at] === b[at]) at++;
      point = Math.max(point, at + 1);
    }
  return point;
}

export const selfTruncationBestOfN = defineStrategy({
  name: "st-bon",
  description:
    "Streams n traces, keeps the one most consistent with the others once they have all diverged, and truncates the rest early (ST-BoN, Wang et al., 2025); no reward model",
  options: z.strictObject({
    n: samplesOption(8, "Traces started at once. Default: 8"),
    temperature: temperatureOption(0.7),
    buffer: z
      .number()
      .min(0)
      .max(16)
      .default(1)
      .describe("How far past the divergence point c the traces run before the choice, in multiples of c (the paper's τ = c). Default: 1"),
    minTokens: z
      .number()
      .int()
      .min(0)
      .max(4096)
      .default(16)
      .describe("Tokens every trace writes before the choice, however early they diverge (a first character says little). Default: 16"),
  }),
  async run(context) {
    const { n, temperature, buffer, minTokens } = context.options;
    let leader: number | undefined;
    const byTrace = new Map<number, Candidate>();
    const choose = (traces: readonly LiveTrace[]) => {
      // Traces waiting for a free sequence (an engine runs only so many at once) are not compared; the choice stops them too.
      const live = traces.filter((trace) => !trace.stopped && trace.tokens > 0);
      if (live.length < 2) return;
      const texts = live.map((trace) => trace.text);
      const point = divergencePoint(texts);
      if (point === undefined || live.some((trace) => !trace.done && (trace.text.length < point * (1 + buffer) || trace.tokens < minTokens))) return;
      // Compared as far as every trace has come (at least c × (1 + buffer) characters).
      const cut = Math.min(...texts.map((text) => text.length));
      const prefixes = texts.map((text) => text.slice(0, cut));
      const consistency = prefixes.map((prefix, i) => prefixes.reduce((sum, other, j) => (i === j ? sum : sum + wordF1(prefix, other)), 0));
      leader = live[consistency.indexOf(Math.max(...consistency))]?.index;
      const others = traces.filter((trace) => trace.index !== leader && !trace.done && !trace.stopped);
      context.progress(`trace ${leader} kept after ${cut} characters; ${others.length} truncated`, { leader, truncatedAt: cut });
      for (const trace of others) trace.stop("truncated: another trace is more consistent");
    };
    const finished = await streamTraces(context, {
      k: n,
      temperature,
      onDelta: (_trace, traces) => {
        if (leader === undefined) choose(traces);
      },
      onFinish: (candidate, trace, traces) => {
        byTrace.set(trace.index, candidate);
        if (leader === undefined) choose(traces);
      },
    });
    // The leader's own text; where traces all finished before the choice (short answers) or the leader was cut by the
    // budget, the finished one most consistent with the others.
    const chosen = (leader !== undefined ? byTrace.get(leader) : undefined) ?? mostConsistent(finished);
    const answer = chosen?.answer;
    context.trace("select", { answer, votes: answer === undefined ? {} : { [answer]: 1 } });
    const agreeing = answer === undefined ? 0 : finished.filter((candidate) => candidate.answer === answer).length;
    return { chosen, confidence: agreeing / Math.max(1, finished.length), candidates: finished };
  },
});

/** The candidate with the highest mean word F1 to the others; the first among equals. */
function mostConsistent(candidates: Candidate[]): Candidate | undefined {
  const similarities = meanSimilarities(candidates, (a, b) => wordF1(a.text, b.text));
  return candidates[similarities.indexOf(Math.max(...similarities))];
}

export type SelfTruncationBestOfNOptions = NonNullable<Parameters<typeof selfTruncationBestOfN.create>[0]>;

export const createSelfTruncationBestOfN = (options: SelfTruncationBestOfNOptions = {}) => selfTruncationBestOfN.create(options);
