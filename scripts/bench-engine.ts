/**
 * The embedded backend's engines against llama.cpp's own server, built from the very llama.cpp source
 * node-llama-cpp ships (`scripts/build-llama-server.sh`, cached outside the repository), on the same bundled
 * policy model: mull's self-consistency with 16 samples, on each engine (`llama-server`: mull's embedded
 * backend running that server as its child process; `node-llama-cpp`: in-process, one context per sequence),
 * against 16 concurrent completions of the same prompts sent straight to a separate `llama-server -np 16`,
 * all at temperature 0.7 and at most `--max-tokens` tokens. Repetitions are interleaved (each engine, then the
 * raw server) and medians compared. Then greedy agreement: for each held-out prompt, 16 parallel greedy samples
 * of each engine against the same prompt decoded alone by it. The ratio for the first engine is printed last.
 * Usage: npm run bench:engine -- [--engines llama-server,node-llama-cpp] [--reps 5] [--problems 4]
 *   [--max-tokens 200] [--agreement 64] [--server-threads 2]
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { BUNDLED_POLICY_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { createSelfConsistency } from "../src/strategies/vote/self-consistency.js";
import { loadSplit } from "../src/tasks/splits.js";
import { startLlamaServer } from "../test/helpers/llama-server.js";

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    problems: { type: "string", default: "4" },
    "max-tokens": { type: "string", default: "200" },
    agreement: { type: "string", default: "64" },
    "server-threads": { type: "string", default: "2" },
    engines: { type: "string", default: "llama-server,node-llama-cpp" },
  },
});
const reps = Number(values.reps);
const maxTokens = Number(values["max-tokens"]);
const samples = 16;
// Throughput on hard arith problems; agreement on held-out problems after them, never the same ones.
const problems = loadSplit({ task: "arith", difficulty: "hard", limit: Number(values.problems) });
const agreementProblems = loadSplit({ task: "arith", difficulty: "hard", limit: Number(values.problems) + Number(values.agreement) }).slice(problems.length);

const binary = execFileSync("bash", ["scripts/build-llama-server.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const server = await startLlamaServer({ binary, model: BUNDLED_POLICY_MODEL, slots: samples, contextPerSlot: 512, threads: Number(values["server-threads"]) });
const root = server.url.replace(/\/v1$/, "");
const engines = (values.engines ?? "").split(",") as ("llama-server" | "node-llama-cpp")[];
const models = engines.map((engine) => createLlamaCppModel({ engine, serverThreads: Number(values["server-threads"]) }));
for (const model of models) await model.load();
const strategy = createSelfConsistency({ n: samples, temperature: 0.7 });

async function mullRun(model: (typeof models)[number], rep: number): Promise<number> {
  const started = performance.now();
  let tokens = 0;
  for (const [index, problem] of problems.entries()) {
    const result = await strategy.run({ model, call: { prompt: problem.prompt, seed: rep * 1000 + index, maxTokens } });
    tokens += result.usage.completionTokens;
  }
  return tokens / ((performance.now() - started) / 1000);
}

/**
 * llama-server's native endpoint, so that nothing but its own decoding is timed; the same prompt text as mull sends.
 * Its default sampler chain (top-k 40, min-p 0.05) is kept: with the full distribution it sometimes samples a
 * byte that is not valid UTF-8, and its output parser then answers 500.
 */
async function serverRun(rep: number): Promise<number> {
  const started = performance.now();
  let tokens = 0;
  for (const [index, problem] of problems.entries()) {
    const prompt = models[0]?.formatProblem?.(problem.prompt) ?? problem.prompt;
    const counts = await Promise.all(
      Array.from({ length: samples }, async (_, sample) => {
        const response = await fetch(`${root}/completion`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt, n_predict: maxTokens, temperature: 0.7, seed: rep * 100_000 + index * 100 + sample, cache_prompt: true }),
        });
        if (!response.ok) throw new Error(`llama-server answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { tokens_predicted: number; stop_type?: string };
        // Counted as mull counts: the text's tokens, not the end-of-text token.
        return body.stop_type === "eos" ? body.tokens_predicted - 1 : body.tokens_predicted;
      }),
    );
    tokens += counts.reduce((sum, count) => sum + count, 0);
  }
  return tokens / ((performance.now() - started) / 1000);
}

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

// Warm everything up once, untimed.
for (const model of models) await mullRun(model, -1);
await serverRun(-1);
const mullRates: number[][] = models.map(() => []);
const serverRates: number[] = [];
for (let rep = 0; rep < reps; rep++) {
  for (const [index, model] of models.entries()) mullRates[index]?.push(await mullRun(model, rep));
  serverRates.push(await serverRun(rep));
  const line = engines.map((engine, index) => `mull (${engine}) ${mullRates[index]?.at(-1)?.toFixed(0)}`).join(", ");
  console.log(`rep ${rep + 1}: ${line}, raw llama-server ${serverRates.at(-1)?.toFixed(0)} tokens/s`);
}
await server.stop();

// Greedy agreement: 16 parallel greedy samples of one call against the same prompt decoded alone.
for (const [index, model] of models.entries()) {
  let agreeing = 0;
  let compared = 0;
  let promptsAllAgreeing = 0;
  for (const problem of agreementProblems) {
    const call = { prompt: problem.prompt, temperature: 0, maxTokens: 250 };
    const alone = (await model.doGenerate({ ...call, n: 1 })).completions[0]?.text;
    const parallel = (await model.doGenerate({ ...call, n: samples })).completions.map((completion) => completion.text);
    const same = parallel.filter((text) => text === alone).length;
    agreeing += same;
    compared += parallel.length;
    if (same === parallel.length) promptsAllAgreeing++;
  }
  console.log(
    `greedy agreement (${engines[index]}): ${agreeing}/${compared} parallel samples equal decoding alone; all ${samples} agree on ${promptsAllAgreeing}/${agreementProblems.length} prompts`,
  );
  await model.dispose();
}

const serverMedian = median(serverRates);
console.log(
  `raw llama-server -np ${samples} -t ${values["server-threads"]} (same llama.cpp source): median ${serverMedian.toFixed(0)} tokens/s over ${reps} reps`,
);
for (const [index, engine] of [...engines.entries()].reverse())
  console.log(
    `mull self-consistency n=${samples} (${engine}): median ${median(mullRates[index] ?? []).toFixed(0)} tokens/s, ratio to raw llama-server ${(median(mullRates[index] ?? []) / serverMedian).toFixed(3)}`,
  );
