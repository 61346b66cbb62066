/**
 * The sampling family on held-out arith hard: greedy, majority@N, weighted votes, best-of-N with the PRM,
 * complexity vote, RPC and the adaptive rules at N in {4, 8, 16, 32}, with accuracy (95% bootstrap intervals)
 * and mean generated tokens per problem.
 *
 * Samples are drawn once (32 per problem, temperature 0.7, seeded) and cached in `.cache/`, so reruns and
 * interrupted runs resume; every strategy then runs unchanged against a model that replays those samples
 * in order, and the PRM's scores are cached the same way. Adaptive strategies are charged for every
 * sample of each wave they start (a conservative count: live runs cancel samples in flight).
 * Usage: npm run bench:sampling -- [--limit 300]
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import type { CallOptions } from "../src/core/call-options.js";
import type { Completion, GenerateResult } from "../src/core/generate-result.js";
import type { LanguageModel } from "../src/core/language-model.js";
import type { Strategy } from "../src/core/strategy.js";
import type { StreamPart } from "../src/core/stream-part.js";
import type { Verifier } from "../src/core/verifier.js";
import { bootstrapMean } from "../src/internal/statistics.js";
import { createBestOfN } from "../src/strategies/select/best-of-n.js";
import { createAdaptiveConsistency } from "../src/strategies/vote/adaptive-consistency.js";
import { createComplexityVote } from "../src/strategies/vote/complexity-vote.js";
import { createEsc } from "../src/strategies/vote/esc.js";
import { createLeaderThreshold } from "../src/strategies/vote/leader-threshold.js";
import { createRpc } from "../src/strategies/vote/rpc.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { createWeightedVote } from "../src/strategies/vote/weighted-vote.js";
import { loadSplit } from "../src/tasks/splits.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";

const { values } = parseArgs({ options: { limit: { type: "string", default: "300" }, samples: { type: "string", default: "32" } } });
const limit = Number(values.limit);
const perProblem = Number(values.samples);
const problems = loadSplit({ task: "arith", difficulty: "hard", limit });
mkdirSync(".cache", { recursive: true });
// The cache belongs to the exact model files: retrained models must not replay old samples.
const modelsHash = createHash("sha256").update(readFileSync(BUNDLED_POLICY_MODEL)).update(readFileSync(BUNDLED_PRM_MODEL)).digest("hex").slice(0, 12);
const cachePath = `.cache/bench-sampling-${perProblem}-${modelsHash}.json`;
type Cached = { greedy: Completion; samples: Completion[]; scores: number[] };
const cache: Record<string, Cached> = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, "utf8")) : {};
const log = (message: string) => process.stderr.write(`${message}\n`);

// 1. Draw and score once, resumably.
const policy = createLlamaCppModel();
const prmModel = createLlamaCppModel({ modelPath: BUNDLED_PRM_MODEL, sequences: 2 });
const prm = createProcessRewardModel({ model: prmModel, aggregation: "last" });
const started = Date.now();
for (const [index, problem] of problems.entries()) {
  if (cache[problem.prompt]) continue;
  const greedy = (await policy.doGenerate({ prompt: problem.prompt, temperature: 0, maxTokens: 200, logprobs: true })).completions[0] as Completion;
  const samples = (await policy.doGenerate({ prompt: problem.prompt, n: perProblem, temperature: 0.7, seed: index, maxTokens: 200, logprobs: true }))
    .completions;
  const scores = await Promise.all(
    samples.map(async (sample) => (sample.text.trim() ? (await prm.score({ prompt: problem.prompt, solution: sample.text })).score : 0)),
  );
  cache[problem.prompt] = { greedy, samples, scores };
  if (index % 10 === 9 || index === problems.length - 1) {
    writeFileSync(cachePath, JSON.stringify(cache));
    log(`sampled ${index + 1}/${problems.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}
writeFileSync(cachePath, JSON.stringify(cache));
await policy.dispose();
await prmModel.dispose();

// 2. Replay: each strategy run sees the cached samples of its prompt, in order.
function replayModel(): LanguageModel {
  const cursors = new Map<string, number>();
  const take = (options: CallOptions): GenerateResult => {
    const prompt = options.prompt as string;
    const entry = cache[prompt];
    if (!entry) throw new Error(`no cached samples for ${prompt}`);
    const n = options.n ?? 1;
    const start = cursors.get(prompt) ?? 0;
    if (start + n > entry.samples.length) throw new Error(`only ${entry.samples.length} cached samples`);
    cursors.set(prompt, start + n);
    const completions = entry.samples.slice(start, start + n);
    return {
      completions,
      usage: {
        promptTokens: n * (prompt.length + 1),
        completionTokens: completions.reduce((sum, item) => sum + item.completionTokens, 0),
        calls: 1,
        wallMs: 0,
      },
      warnings: [],
    };
  };
  return {
    specificationVersion: "v1",
    provider: "replay",
    modelId: "mull-tiny-policy (replayed samples)",
    doGenerate: async (options) => take(options),
    doStream: async (options) => {
      const result = take(options);
      return new ReadableStream<StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          result.completions.forEach((completion, index) => {
            controller.enqueue({ type: "text-delta", index, delta: completion.text, ...(completion.logprobs ? { logprobs: completion.logprobs } : {}) });
            controller.enqueue({ type: "completion-end", index, finishReason: completion.finishReason, completionTokens: completion.completionTokens });
          });
          controller.enqueue({ type: "end", usage: result.usage });
          controller.close();
        },
      });
    },
  };
}
const cachedPrm: Verifier = {
  name: "prm:mull-tiny-prm:last (cached)",
  score: async ({ prompt, solution }) => {
    const entry = typeof prompt === "string" ? cache[prompt] : undefined;
    const index = entry?.samples.findIndex((sample) => sample.text === solution) ?? -1;
    return { score: index >= 0 ? (entry?.scores[index] ?? 0) : 0 };
  },
};

// 3. Strategies x N.
const rows: { name: string; n: number | string; accuracy: number; low: number; high: number; tokens: number; samples: number }[] = [];
const greedyCorrect = problems.map((problem) => (cache[problem.prompt]?.greedy.text.match(/####\s*(-?\d+)/)?.[1] === problem.answer ? 1 : 0));
const greedyTokens = problems.reduce((sum, problem) => sum + (cache[problem.prompt]?.greedy.completionTokens ?? 0), 0) / problems.length;
rows.push({ name: "greedy", n: 1, ...bootstrapMean(greedyCorrect), accuracy: bootstrapMean(greedyCorrect).mean, tokens: greedyTokens, samples: 1 });
const families: [string, (n: number) => Strategy][] = [
  ["majority", (n) => createSelfConsistency({ n })],
  ["weighted-vote (PRM)", (n) => createWeightedVote({ n, verifier: cachedPrm })],
  ["weighted-vote (logprob)", (n) => createWeightedVote({ n, weightBy: "logprob" })],
  ["best-of-n (PRM, last)", (n) => createBestOfN({ n, verifier: cachedPrm })],
  ["complexity-vote", (n) => createComplexityVote({ n })],
  ["rpc", (n) => createRpc({ n })],
  ["adaptive-consistency", (n) => createAdaptiveConsistency({ maxSamples: n, waveSize: 2 })],
  ["esc (window 4)", (n) => createEsc({ maxSamples: n, window: 4 })],
  ["leader-threshold", (n) => createLeaderThreshold({ maxSamples: n, waveSize: 2 })],
];
for (const n of [4, 8, 16, 32].filter((value) => value <= perProblem)) {
  for (const [name, make] of families) {
    const strategy = make(n);
    const model = replayModel();
    const correct: number[] = [];
    let tokens = 0;
    let samples = 0;
    for (const problem of problems) {
      const result = await strategy.run({ model, call: { prompt: problem.prompt } });
      correct.push(result.answer === problem.answer ? 1 : 0);
      tokens += result.usage.completionTokens;
      samples += result.candidates.length;
    }
    const { mean, low, high } = bootstrapMean(correct);
    rows.push({ name, n, accuracy: mean, low, high, tokens: tokens / problems.length, samples: samples / problems.length });
  }
}
console.log(`arith hard, ${problems.length} held-out problems, mull-tiny-policy at temperature 0.7, PRM mull-tiny-prm\n`);
console.log("| strategy | N | accuracy | 95% interval | generated tokens/problem | samples used/problem |");
console.log("|---|---|---|---|---|---|");
for (const row of rows)
  console.log(
    `| ${row.name} | ${row.n} | ${(100 * row.accuracy).toFixed(1)}% | ${(100 * row.low).toFixed(1)}–${(100 * row.high).toFixed(1)}% | ${row.tokens.toFixed(0)} | ${row.samples.toFixed(1)} |`,
  );
const majority32 = rows.find((row) => row.name === "majority" && row.n === 32);
const adaptive32 = rows.find((row) => row.name === "adaptive-consistency" && row.n === 32);
const majority16 = rows.find((row) => row.name === "majority" && row.n === 16);
if (majority16) console.log(`\nmajority@16 - greedy: ${(100 * (majority16.accuracy - (rows[0]?.accuracy ?? 0))).toFixed(1)} points (target >= 10)`);
if (majority32 && adaptive32)
  console.log(
    `adaptive-consistency@32 vs majority@32: ${(100 * (adaptive32.accuracy - majority32.accuracy)).toFixed(1)} points with ${((100 * adaptive32.tokens) / majority32.tokens).toFixed(0)}% of its tokens (target: within 1 point, <= 35%)`,
  );
