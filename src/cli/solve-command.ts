import type { Command } from "commander";
import { createAnswerGrading } from "../answers/answer-grading.js";
import type { Budget, StrategyResult } from "../core/strategy.js";
import { defaults } from "../runtime/create-mull.js";
import type { CliContext } from "./cli-context.js";
import { integerOption, positiveNumberOption } from "./parse-flags.js";

type SolveFlags = {
  strategy: string;
  n?: number;
  verifier?: string;
  budgetTokens?: number;
  budgetFlops?: number;
  budgetMoney?: number;
  countVerifier?: boolean;
  maxTokens?: number;
  maxReasoningTokens?: number;
  model: string;
  seed?: number;
  raw?: boolean;
  answerPattern?: string;
  json?: boolean;
};

export function addSolveCommand(program: Command, context: () => CliContext): void {
  program
    .command("solve")
    .description("Answer one problem with a strategy and print the answer, the votes and the usage")
    .argument("<problem>", 'the problem, e.g. "23+4*17-(38-9)"')
    .option("-s, --strategy <spec>", "strategy with options, e.g. beam-search:n=8:beamWidth=2 (see mull strategies)", defaults.strategy)
    .option("-n, --n <count>", "shorthand for the strategy's n option (absent: the strategy's default)", integerOption("--n"))
    .option(
      "--verifier <spec>",
      `verifier for strategies that use one, e.g. prm:aggregation=min, judge:URL#model, oracle:countdown (default ${defaults.verifier})`,
    )
    .option("--budget-tokens <count>", "stop once this many tokens (prompt + completion) are spent", integerOption("--budget-tokens"))
    .option(
      "--budget-flops <flops>",
      "stop once every model called has spent this many FLOPs, each at its own size, the verifier included (e.g. 1e12)",
      positiveNumberOption("--budget-flops"),
    )
    .option(
      "--budget-money <amount>",
      "stop once the models called cost this much at their prices (each needs promptPrice and completionPrice)",
      positiveNumberOption("--budget-money"),
    )
    .option("--no-count-verifier", "leave the verifier's FLOPs and money out of --budget-flops and --budget-money")
    .option("--max-tokens <count>", `most tokens per completion (default ${defaults.maxTokens})`, integerOption("--max-tokens"))
    .option(
      "--max-reasoning-tokens <count>",
      "thinking budget: a reasoning model's <think> is closed after this many tokens, then it answers",
      integerOption("--max-reasoning-tokens"),
    )
    .option("-m, --model <spec>", "a bundled model name, a .gguf path, or an OpenAI-compatible base URL (URL[,URL...][#model])", defaults.model)
    .option("--seed <value>", "seed for reproducible sampling", integerOption("--seed", 0))
    .option("--raw", "send the problem as is, without the model's prompt format")
    .option("--answer-pattern <regex>", "the answer is this regex's last match in a completion (its first group where it has one); votes count it")
    .option("--json", "print one JSON object")
    .action((problem: string, flags: SolveFlags) => solve(problem, flags, context()));
}

async function solve(problem: string, flags: SolveFlags, context: CliContext): Promise<void> {
  const { mull } = context;
  const model = mull.model(flags.model);
  const grading = flags.answerPattern !== undefined ? createAnswerGrading({ pattern: flags.answerPattern }) : undefined;
  const budget = budgetOfFlags(flags);
  const result = await mull.run({
    strategy: { spec: flags.strategy, ...(flags.n !== undefined ? { options: { n: flags.n } } : {}) },
    model,
    ...(flags.verifier !== undefined ? { verifier: flags.verifier } : {}),
    ...(flags.raw ? { prompt: problem } : { problem }),
    ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
    ...(flags.maxReasoningTokens !== undefined ? { maxReasoningTokens: flags.maxReasoningTokens } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(budget ? { budget } : {}),
    abortSignal: context.signal,
    ...(grading ? { extractAnswer: grading.extract } : {}),
    ...(flags.json ? {} : { onProgress: (part) => context.err(`  ${part.message}\n`) }),
  });
  if (flags.json) context.out(JSON.stringify(solveJson(result)));
  else for (const line of solveLines(result)) context.out(line);
}

/** `mull solve --json`: everything the run reports, with the settings it ran with. */
export function solveJson(result: StrategyResult) {
  return {
    answer: result.answer ?? null,
    confidence: result.confidence,
    stopReason: result.stopReason,
    votes: result.votes,
    candidates: result.candidates,
    usage: result.usage,
    text: result.text,
    // Only where a verifier scored something: 0 would claim one ran.
    ...(result.verifierTokens !== undefined ? { verifierTokens: result.verifierTokens } : {}),
    ...(result.compute ? { compute: result.compute } : {}),
    warnings: result.warnings,
    settings: result.settings,
    // Step-level searches record their tree here.
    trace: result.trace,
  };
}

function solveLines(result: StrategyResult): string[] {
  const lines = [`answer: ${result.answer ?? "(none)"}  confidence: ${(100 * result.confidence).toFixed(0)}%  stop: ${result.stopReason}`];
  const votes = Object.entries(result.votes).sort((a, b) => b[1] - a[1]);
  if (votes.length > 0) lines.push(`votes: ${votes.map(([answer, count]) => `${answer}×${count}`).join("  ")}`);
  const { usage } = result;
  const calls = `${usage.calls} ${usage.calls === 1 ? "call" : "calls"}`;
  const verifier = result.verifierTokens !== undefined ? `, ${result.verifierTokens} verifier tokens` : "";
  lines.push(`usage: ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens${verifier}, ${calls}, ${usage.wallMs} ms`);
  const compute = result.compute;
  if (compute?.flops !== undefined) {
    const ofVerifier = compute.verifierFlops ? ` (verifier ${formatFlops(compute.verifierFlops)})` : "";
    lines.push(
      `compute: ${formatFlops(compute.flops)} FLOPs across every model${ofVerifier}${compute.money !== undefined ? `, ${compute.money.toPrecision(3)} in money` : ""}`,
    );
  }
  for (const warning of result.warnings)
    lines.push(`warning: ${warning.type === "other" ? warning.message : `${warning.feature} unsupported${warning.details ? ` (${warning.details})` : ""}`}`);
  return lines;
}

/** FLOPs to three significant figures (`3.42e+9`). */
const formatFlops = (flops: number) => flops.toPrecision(3);

/** The budget the flags ask for, or undefined for none. */
function budgetOfFlags(flags: SolveFlags): Budget | undefined {
  const budget: Budget = {
    ...(flags.budgetTokens !== undefined ? { maxTokens: flags.budgetTokens } : {}),
    ...(flags.budgetFlops !== undefined ? { maxFlops: flags.budgetFlops } : {}),
    ...(flags.budgetMoney !== undefined ? { maxMoney: flags.budgetMoney } : {}),
    ...(flags.countVerifier === false ? { countVerifier: false } : {}),
  };
  return Object.keys(budget).length > 0 ? budget : undefined;
}
