/**
 * How well PRMs judge the policy's own solutions, on a stored sample pool (a `repeated-sampling` bench run that
 * graded every candidate): the solution AUROC of each PRM's score per difficulty, and, at N = 4, 8, 16 and 32
 * (each question's first N samples), plain majority against PRM-weighted vote and the PRM's best of N, with the
 * paired difference over the same questions and its 95% bootstrap interval.
 *
 * Without `--prm`, the scores stored with the pool are used; each `--prm <gguf>` scores every sample again.
 * Usage: npx tsx scripts/prm-vote-check.ts --db .mull/prm-check.db --dataset arith-hard [--run <run>] [--prm a.gguf --prm b.gguf]
 */
import { parseArgs } from "node:util";
import { createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { loadDataset } from "../src/bench/datasets.js";
import { RunStore } from "../src/bench/run-store.js";
import { type PoolItem, poolsFromUnits } from "../src/bench/sample-pool.js";
import type { Candidate } from "../src/core/strategy-report.js";
import { areaUnderRoc, bootstrapMean } from "../src/internal/statistics.js";
import { firstWithAnswer, highestScored, majorityVote } from "../src/strategies/majority-vote.js";
import { createProcessRewardModel } from "../src/verifiers/process-reward-model.js";

const { values } = parseArgs({
  options: {
    db: { type: "string", default: ".mull/prm-check.db" },
    run: { type: "string" },
    dataset: { type: "string", default: "arith-hard" },
    prm: { type: "string", multiple: true },
    sizes: { type: "string", default: "4,8,16,32" },
  },
});
const store = new RunStore(values.db);
const run = values.run ?? store.listRuns().find((record) => String(record.config.strategies).startsWith("repeated-sampling"))?.id;
if (!run) throw new Error(`no pool (a repeated-sampling run) in ${values.db}; pass --run`);
const { pools, skipped } = poolsFromUnits(store.units(run));
store.close();
const prompts = new Map(loadDataset({ dataset: values.dataset }).items.map((item) => [item.id, item.prompt]));
const sizes = values.sizes.split(",").map(Number);

async function rescored(path: string): Promise<PoolItem[]> {
  // A question's samples are scored together (the PRM's sequences batch them).
  const model = createLlamaCppModel({ modelPath: path, sequences: 4 });
  const prm = createProcessRewardModel({ model, aggregation: "last" });
  const result: PoolItem[] = [];
  for (const pool of pools) {
    const prompt = prompts.get(pool.id);
    if (prompt === undefined) throw new Error(`item ${pool.id} is not in --dataset ${values.dataset}`);
    const candidates: Candidate[] = await Promise.all(
      pool.candidates.map(async (candidate) => ({ ...candidate, score: (await prm.score({ prompt, solution: candidate.text })).score })),
    );
    result.push({ ...pool, candidates });
  }
  await model.dispose();
  return result;
}

const chosenIsRight = (pool: PoolItem, chosen: Candidate | undefined) => {
  const index = chosen ? pool.candidates.indexOf(chosen) : -1;
  return index >= 0 && pool.correct[index] === true ? 1 : 0;
};
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
const signed = (value: number) => `${value >= 0 ? "+" : ""}${(100 * value).toFixed(1)}`;

function report(label: string, scored: PoolItem[]) {
  const groups = [...new Set(scored.map((pool) => pool.group ?? "all"))];
  const aurocs = groups.map((group) => {
    const chosen = scored.filter((pool) => (pool.group ?? "all") === group);
    const scores = chosen.flatMap((pool) => pool.candidates.map((candidate) => candidate.score ?? 0));
    const labels = chosen.flatMap((pool) => pool.correct);
    return `${group} ${areaUnderRoc(scores, labels).toFixed(3)}`;
  });
  console.log(`\n### ${label}\n\nsolution AUROC over all samples: ${aurocs.join(", ")}\n`);
  console.log("| N | majority | PRM-weighted vote | weighted − majority (paired) | PRM best of N | best − majority (paired) |");
  console.log("|---|---|---|---|---|---|");
  for (const size of sizes) {
    const rows = scored.map((pool) => {
      const drawn = pool.candidates.slice(0, size);
      const majority = chosenIsRight(pool, firstWithAnswer(drawn, majorityVote(drawn).answer));
      const weighted = chosenIsRight(pool, firstWithAnswer(drawn, majorityVote(drawn, (candidate) => candidate.score ?? 0).answer));
      const best = chosenIsRight(pool, highestScored(drawn));
      return { majority, weighted, best };
    });
    const mean = (key: "majority" | "weighted" | "best") => rows.reduce((sum, row) => sum + row[key], 0) / rows.length;
    const paired = (key: "weighted" | "best") => {
      const { mean: difference, low, high } = bootstrapMean(rows.map((row) => row[key] - row.majority));
      return `${signed(difference)} [${signed(low)}, ${signed(high)}]`;
    };
    console.log(
      `| ${size} | ${percent(mean("majority"))} | ${percent(mean("weighted"))} | ${paired("weighted")} | ${percent(mean("best"))} | ${paired("best")} |`,
    );
  }
}

console.log(`${pools.length} questions from run ${run} of ${values.db} (${skipped} skipped), up to ${pools[0]?.candidates.length ?? 0} samples each`);
if (!values.prm?.length) report("scores stored with the pool", pools);
for (const path of values.prm ?? []) report(path, await rescored(path));
