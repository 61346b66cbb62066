/**
 * Why several sequences decoded in one batch differ from one decoded alone, with node-llama-cpp 3.21.1 on CPU,
 * and what makes them equal. Teacher-forced (every step feeds the reference solution's next token), so no
 * sampling is involved: it compares the next-token distributions at every step of one solution, decoded
 * (a) alone, one row per decode; (b) alone plus one padding row (a second sequence decoding the same tokens);
 * (c) as each of `n` sequences of one batch, for n in 2, 4, 16.
 * llama.cpp's llamafile matrix multiply is used only for batches of 2 rows or more (`if (n < 2) return false`
 * in ggml/src/ggml-cpu/llamafile/sgemm.cpp); a single row goes through ggml_vec_dot_f16, which adds its
 * products in a different order. So (a) differs from (c) by rounding (up to about 1e-3 in probability on the
 * bundled model), while (b) equals (c) exactly: a decode that always holds at least two rows computes each row
 * the same whatever else is in the batch. It drives node-llama-cpp's native context directly (initBatch,
 * addToBatch, decodeBatch, sampleToken), in ascending sequence order, so that llama.cpp makes one micro-batch.
 * Usage: npx tsx scripts/repro-batch-numerics.ts
 */
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { BUNDLED_POLICY_MODEL } from "../src/backends/llama-cpp/llama-cpp-model.js";

// node-llama-cpp's native objects, which its typings do not describe.
type NativeContext = {
  initBatch(size: number): void;
  addToBatch(sequence: number, firstPosition: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(batchIndex: number, sampler: unknown, probabilities: boolean): Promise<[number, number[]]>;
};
type Native = { _bindings: { AddonSampler: new (model: unknown) => { applyConfig(config: object): void } } };

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: BUNDLED_POLICY_MODEL });
const solution = [model.tokens.bos as Token, ...model.tokenize("Q: (3+4)*5-6\nA: 3+4=7\n7*5=35\n35-6=29\n#### 29", false)];
const prompt = solution.slice(0, 8);
const forced = solution.slice(8);

/** Distributions (by token id) at every step for `real` sequences decoded with `padding` more in the same batch. */
async function decode(real: number, padding: number): Promise<number[][][]> {
  const context = await model.createContext({ contextSize: 512, sequences: real + padding, threads: 1 });
  const native = (context as unknown as { _ctx: NativeContext })._ctx;
  const samplers = Array.from({ length: real }, () => {
    const sampler = new (llama as unknown as Native)._bindings.AddonSampler((model as unknown as { _model: unknown })._model);
    sampler.applyConfig({ temperature: 0 });
    return sampler;
  });
  const steps: number[][][] = Array.from({ length: real }, () => []);
  let position = 0;
  for (let step = 0; step <= forced.length; step++) {
    const input = step === 0 ? prompt : [forced[step - 1] as Token];
    native.initBatch(input.length * (real + padding));
    const indexes: number[] = [];
    for (let sequence = 0; sequence < real + padding; sequence++)
      indexes.push(native.addToBatch(sequence, position, Uint32Array.from(input), Uint32Array.from([input.length - 1]))[0] as number);
    await native.decodeBatch();
    for (let sequence = 0; sequence < real; sequence++) {
      const [, pairs] = await native.sampleToken(indexes[sequence] as number, samplers[sequence], true);
      const distribution: number[] = [];
      for (let index = 1; index < pairs.length; index += 2) distribution[pairs[index - 1] as number] = pairs[index] as number;
      steps[sequence]?.push(distribution);
    }
    position += input.length;
  }
  await context.dispose();
  return steps;
}

function largestDifference(reference: number[][], others: number[][][]): number {
  let largest = 0;
  for (const other of others)
    reference.forEach((distribution, step) => {
      distribution.forEach((probability, token) => {
        largest = Math.max(largest, Math.abs(probability - (other[step]?.[token] ?? 0)));
      });
    });
  return largest;
}

const alone = (await decode(1, 0))[0] as number[][];
const padded = (await decode(1, 1))[0] as number[][];
for (const n of [2, 4, 16]) {
  const batched = await decode(n, 0);
  console.log(
    `${n} sequences in one batch: largest probability difference from decoding alone ${largestDifference(alone, batched).toExponential(2)}, from alone with one padding row ${largestDifference(padded, batched).toExponential(2)}`,
  );
}
await model.dispose();
