/**
 * Throughput of self-consistency (16 samples) on the embedded backend against raw node-llama-cpp
 * generating the same number of tokens, measured in one process. Prints tokens/s for both and the ratio.
 * Usage: npm run bench:throughput -- [--problems 8] [--sequences 4]
 */
import { parseArgs } from "node:util";
import { BUNDLED_POLICY_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { loadSplit } from "../src/tasks/splits.js";

const { values } = parseArgs({ options: { problems: { type: "string", default: "8" }, sequences: { type: "string", default: "4" } } });
const problems = loadSplit({ task: "arith", difficulty: "hard", limit: Number(values.problems) });
const sequences = Number(values.sequences);

// 1. mull: self-consistency with 16 samples per problem.
const model = createLlamaCppModel({ sequences });
await model.load();
const strategy = createSelfConsistency({ n: 16, temperature: 0.7 });
let mullTokens = 0;
let started = Date.now();
for (const [index, problem] of problems.entries()) {
  const result = await strategy.run({ model, call: { prompt: problem.prompt, seed: index, maxTokens: 200 } });
  mullTokens += result.usage.completionTokens;
}
const mullSeconds = (Date.now() - started) / 1000;
await model.dispose();

// 2. raw node-llama-cpp: the same number of tokens, the same parallelism (one sequence per context, as
// mull does), sampled natively by evaluate() with no per-token work in JavaScript.
const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const raw = await llama.loadModel({ modelPath: BUNDLED_POLICY_MODEL });
const contexts = await Promise.all(Array.from({ length: sequences }, () => raw.createContext({ contextSize: 512, sequences: 1, threads: 1 })));
const perWorker = Math.ceil(mullTokens / sequences);
started = Date.now();
let rawTokens = 0;
await Promise.all(
  contexts.map(async (context, worker) => {
    const sequence = context.getSequence();
    let produced = 0;
    let round = 0;
    while (produced < perWorker) {
      const problem = problems[(worker + round++) % problems.length]!;
      const tokens = [raw.tokens.bos!, ...raw.tokenize(problem.prompt, false)];
      for await (const token of sequence.evaluate(tokens, { temperature: 0.7, seed: round })) {
        if (token === raw.tokens.eos || produced >= perWorker) break;
        produced++;
      }
      await sequence.clearHistory();
    }
    rawTokens += produced;
  }),
);
const rawSeconds = (Date.now() - started) / 1000;
for (const context of contexts) await context.dispose();

// 3. raw node-llama-cpp batched: 16 sequences of one context decoding together; its outputs differ from
// decoding alone by rounding (scripts/repro-batch-numerics.ts), so it is a speed reference only.
// node-llama-cpp's contextSize is per sequence.
const batched = await raw.createContext({ contextSize: 512, sequences: 16, threads: 1 });
const batchedPerWorker = Math.ceil(mullTokens / 16);
started = Date.now();
let batchedTokens = 0;
await Promise.all(
  Array.from({ length: 16 }, async (_, worker) => {
    const sequence = batched.getSequence();
    let produced = 0;
    let round = 0;
    while (produced < batchedPerWorker) {
      const problem = problems[(worker + round++) % problems.length]!;
      for await (const token of sequence.evaluate([raw.tokens.bos!, ...raw.tokenize(problem.prompt, false)], { temperature: 0.7, seed: round })) {
        if (token === raw.tokens.eos || produced >= batchedPerWorker) break;
        produced++;
      }
      await sequence.clearHistory();
    }
    batchedTokens += produced;
  }),
);
const batchedSeconds = (Date.now() - started) / 1000;
await batched.dispose();
await raw.dispose();

const mullRate = mullTokens / mullSeconds;
const rawRate = rawTokens / rawSeconds;
console.log(`problems: ${problems.length} (arith hard), 16 samples each, ${sequences} parallel sequences, 1 thread each`);
console.log(`mull self-consistency: ${mullTokens} tokens in ${mullSeconds.toFixed(1)} s = ${mullRate.toFixed(0)} tokens/s`);
console.log(`raw node-llama-cpp:    ${rawTokens} tokens in ${rawSeconds.toFixed(1)} s = ${rawRate.toFixed(0)} tokens/s`);
console.log(
  `raw batched (16 seq):  ${batchedTokens} tokens in ${batchedSeconds.toFixed(1)} s = ${(batchedTokens / batchedSeconds).toFixed(0)} tokens/s (speed reference; outputs differ by rounding)`,
);
console.log(
  `ratio mull / raw: ${(mullRate / rawRate).toFixed(2)} (target >= 0.8); mull / raw batched: ${(mullRate / (batchedTokens / batchedSeconds)).toFixed(2)}`,
);
