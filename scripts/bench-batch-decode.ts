/**
 * What batching buys inside node-llama-cpp 3.21.1 (its prebuilt CPU build) on the bundled model: milliseconds
 * per decode step when 1, 2, 4, 8 or 16 sequences of one context each add one token to the same batch
 * (native context driven directly, ascending sequence order, so that llama.cpp makes one micro-batch),
 * with 1 and 2 threads. Tokens per second = sequences / step time; a batch that helps shows it rising.
 * Usage: npx tsx scripts/bench-batch-decode.ts [--steps 200]
 */
import { parseArgs } from "node:util";
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { BUNDLED_POLICY_MODEL } from "../src/backends/llama-cpp/llama-cpp-model.js";

type NativeContext = {
  initBatch(size: number): void;
  addToBatch(sequence: number, firstPosition: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
};

const { values } = parseArgs({ options: { steps: { type: "string", default: "200" } } });
const steps = Number(values.steps);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: BUNDLED_POLICY_MODEL });
const prompt = [model.tokens.bos as Token, ...model.tokenize("Q: (3+4)*5-6*(2+9)\nA: ", false)];
const filler = model.tokenize("1", false)[0] as Token;

for (const threads of [1, 2])
  for (const sequences of [1, 2, 4, 8, 16]) {
    const context = await model.createContext({ contextSize: 512, sequences, threads });
    const native = (context as unknown as { _ctx: NativeContext })._ctx;
    let position = 0;
    let started = 0;
    for (let step = 0; step <= steps; step++) {
      // Step 0 evaluates the prompts and is not timed.
      if (step === 1) started = performance.now();
      const input = step === 0 ? prompt : [filler];
      native.initBatch(input.length * sequences);
      for (let sequence = 0; sequence < sequences; sequence++)
        native.addToBatch(sequence, position, Uint32Array.from(input), Uint32Array.from([input.length - 1]));
      await native.decodeBatch();
      position += input.length;
    }
    const milliseconds = (performance.now() - started) / steps;
    console.log(
      `threads ${threads}, ${String(sequences).padStart(2)} sequences: ${milliseconds.toFixed(2)} ms/step, ${((sequences / milliseconds) * 1000).toFixed(0)} tokens/s`,
    );
    await context.dispose();
  }
await model.dispose();
