/**
 * Adaptive stopping rules replayed on a stored sample pool (a `mull tune` run): for each rule, accuracy and
 * the share of majority-over-the-pool's generated tokens it spends, checking the rule after every sample from
 * the first (as `adaptive-consistency:waveSize=1` does). Also a futility variant (stop once, after `after`
 * samples, the leader holds less than `share`): what giving up on scattered questions costs. And the verified
 * stop (`adaptive-consistency:verifiedStop=s`): Beta 0.95, or stop at the first sample whose stored verifier score
 * reaches `s`, answering with that sample.
 * Usage: npx tsx scripts/replay-stopping-rules.ts --db .mull/tune-dev.db [--run <run>]
 */
import { parseArgs } from "node:util";
import { RunStore } from "../src/bench/run-store.js";
import { type PoolItem, poolsFromUnits } from "../src/bench/sample-pool.js";
import { majorityReference } from "../src/strategies/auto/tune-profile.js";
import { firstWithAnswer, majorityVote } from "../src/strategies/majority-vote.js";
import { betaRule, leaderCounts, leaderShareRule, type StoppingRule, windowRule } from "../src/strategies/vote/stopping-rules.js";

const { values } = parseArgs({ options: { db: { type: "string", default: ".mull/tune-dev.db" }, run: { type: "string" } } });
const store = new RunStore(values.db);
const run = values.run ?? store.listRuns().find((record) => String(record.config.strategies).startsWith("repeated-sampling"))?.id;
if (!run) throw new Error(`no pool (a repeated-sampling run) in ${values.db}; run mull tune first or pass --run`);
const { pools } = poolsFromUnits(store.units(run));
store.close();
const reference = majorityReference(pools);

function replay(rule: StoppingRule, pool: PoolItem, verifiedStop?: number): { correct: boolean; tokens: number } {
  const answers = pool.candidates.map((candidate) => candidate.answer);
  const verifiedAt = (index: number) => {
    const candidate = pool.candidates[index];
    return verifiedStop !== undefined && candidate?.answer !== undefined && (candidate.score ?? 0) >= verifiedStop;
  };
  let used = 1;
  while (used < pool.candidates.length && !rule.shouldStop(answers.slice(0, used)) && !verifiedAt(used - 1)) used++;
  const drawn = pool.candidates.slice(0, used);
  const verified = verifiedAt(used - 1) && !rule.shouldStop(answers.slice(0, used)) ? drawn[used - 1] : undefined;
  const chosen = verified ?? firstWithAnswer(drawn, majorityVote(drawn).answer);
  const index = chosen ? pool.candidates.indexOf(chosen) : -1;
  return { correct: index >= 0 && pool.correct[index] === true, tokens: drawn.reduce((sum, candidate) => sum + candidate.completionTokens, 0) };
}

/** Beta rule at 0.95, or stop once `after` samples leave the leader under `share`. */
const futility = (after: number, share: number): StoppingRule => {
  const beta = betaRule({ threshold: 0.95, minSamples: 2 });
  return {
    name: `beta 0.95 + futility (after ${after}, leader < ${share})`,
    shouldStop: (answers) => beta.shouldStop(answers) || (answers.length >= after && leaderCounts(answers).top / answers.length < share),
  };
};

const rules: StoppingRule[] = [
  ...[0.8, 0.9, 0.95, 0.99].map((threshold) => ({ ...betaRule({ threshold, minSamples: 2 }), name: `adaptive-consistency (Beta ${threshold})` })),
  ...[3, 4, 5].map((window) => ({ ...windowRule({ window }), name: `esc (window ${window})` })),
  ...[0.5, 0.7].flatMap((threshold) =>
    [3, 6].map((minSamples) => ({ ...leaderShareRule({ threshold, minSamples }), name: `leader-threshold ${threshold}, min ${minSamples}` })),
  ),
  ...[6, 8, 12].flatMap((after) => [0.3, 0.5].map((share) => futility(after, share))),
];
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
console.log(
  `${pools.length} questions; majority@${reference.samples}: ${percent(reference.correct / reference.questions)} at ${(reference.tokens / reference.questions).toFixed(0)} tokens\n`,
);
console.log("| rule | accuracy | vs majority | tokens | share of majority's |");
console.log("|---|---|---|---|---|");
const beta = betaRule({ threshold: 0.95, minSamples: 2 });
const runs: { name: string; rule: StoppingRule; verifiedStop?: number }[] = [
  ...rules.map((rule) => ({ name: rule.name, rule })),
  ...[0.9, 0.99, 0.999].map((verifiedStop) => ({ name: `adaptive-consistency (Beta 0.95) + verified stop ${verifiedStop}`, rule: beta, verifiedStop })),
];
for (const { name, rule, verifiedStop } of runs) {
  const results = pools.map((pool) => replay(rule, pool, verifiedStop));
  const correct = results.filter((result) => result.correct).length;
  const tokens = results.reduce((sum, result) => sum + result.tokens, 0);
  console.log(
    `| ${name} | ${percent(correct / pools.length)} | ${(100 * ((correct - reference.correct) / pools.length)).toFixed(1)} | ${(tokens / pools.length).toFixed(0)} | ${percent(tokens / reference.tokens)} |`,
  );
}
