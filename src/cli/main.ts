/** The `mull` command line. The only place that reads process.argv or calls process.exit. */
import { Command, InvalidArgumentError as CommanderInvalidArgument } from "commander";
import { MullError } from "../core/errors/mull-error.js";
import type { Budget } from "../core/strategy.js";
import { resolveModel } from "../registry/models.js";
import { createStrategy, parseStrategySpec, strategyNames, verifierStrategies } from "../registry/strategies.js";
import { startServer } from "../server/start-server.js";
import { createProcessRewardModel, type StepAggregation } from "../verifiers/process-reward-model.js";
import { type BenchFlags, listRunsCommand, reportCommand, runBenchCommand, showRunCommand } from "./bench-command.js";
import { runCompare } from "./compare.js";

const integer =
  (name: string, min = 1) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new CommanderInvalidArgument(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    return parsed;
  };
const number = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new CommanderInvalidArgument(`${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  return parsed;
};

const program = new Command()
  .name("mull")
  .description("Inference-time compute: sample, vote, verify and search, with exactly what it spent.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command("solve")
  .description("Answer one problem with a strategy and print the answer, the votes and the usage")
  .argument("<problem>", 'the problem, e.g. "23+4*17-(38-9)"')
  .option("-s, --strategy <spec>", `strategy, optionally with settings (beam-search:beamWidth=2:select=best): ${strategyNames.join(", ")}`, "self-consistency")
  .option("-n, --n <count>", "samples for sampling strategies", integer("--n"), 16)
  .option("-t, --temperature <value>", "sampling temperature (strategy default when absent)", number("--temperature"))
  .option("--budget-tokens <count>", "stop once this many tokens (prompt + completion) are spent", integer("--budget-tokens"))
  .option("--threshold <value>", "stopping threshold of adaptive strategies (adaptive-consistency 0.95, leader-threshold 0.7)", number("--threshold"))
  .option("--verifier <spec>", "process reward model for verifier strategies and step-level searches: a GGUF path, a bundled name or a URL", "mull-tiny-prm")
  .option("--weight-by <what>", "weighted-vote weights: verifier or logprob")
  .option("--k <count>", "complexity-vote: how many of the most complex samples vote", integer("--k"))
  .option("--aggregation <how>", "how PRM step scores combine: last, min, mean or product", "last")
  .option("--max-tokens <count>", "most tokens per completion", integer("--max-tokens"), 256)
  .option("-m, --model <spec>", "a GGUF path, a bundled model name, or an OpenAI-compatible base URL (URL[,URL...][#model])", "mull-tiny-policy")
  .option("--seed <value>", "seed for reproducible sampling", integer("--seed", 0))
  .option("--raw", "send the problem as is, without the model's prompt format")
  .option("--json", "print one JSON object")
  .action(
    async (
      problem: string,
      flags: {
        strategy: string;
        n: number;
        temperature?: number;
        threshold?: number;
        weightBy?: "verifier" | "logprob";
        k?: number;
        verifier: string;
        aggregation: string;
        budgetTokens?: number;
        maxTokens: number;
        model: string;
        seed?: number;
        raw?: boolean;
        json?: boolean;
      },
    ) => {
      const spec = parseStrategySpec(flags.strategy);
      const model = resolveModel({ spec: flags.model });
      const verifierModel =
        verifierStrategies.includes(spec.name) && !(spec.name === "weighted-vote" && (flags.weightBy ?? spec.settings.weightBy) === "logprob")
          ? resolveModel({ spec: flags.verifier, llamaCpp: { sequences: 2 } })
          : undefined;
      try {
        const verifier = verifierModel ? createProcessRewardModel({ model: verifierModel, aggregation: flags.aggregation as StepAggregation }) : undefined;
        const strategy = createStrategy({
          name: spec.name,
          settings: {
            ...spec.settings,
            n: spec.settings.n ?? flags.n,
            ...(verifier ? { verifier } : {}),
            ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
            ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
            ...(flags.weightBy ? { weightBy: flags.weightBy } : {}),
            ...(flags.k !== undefined ? { k: flags.k } : {}),
          },
        });
        const prompt = flags.raw ? problem : model.formatProblem ? model.formatProblem(problem) : [{ role: "user" as const, content: problem }];
        const budget: Budget | undefined = flags.budgetTokens !== undefined ? { maxTokens: flags.budgetTokens } : undefined;
        const controller = new AbortController();
        process.once("SIGINT", () => controller.abort(new DOMException("interrupted", "AbortError")));
        const result = await strategy.run({
          model,
          call: { prompt, maxTokens: flags.maxTokens, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) },
          ...(budget ? { budget } : {}),
          abortSignal: controller.signal,
          ...(flags.json ? {} : { onProgress: (part) => process.stderr.write(`  ${part.message}\n`) }),
        });
        if (flags.json) {
          console.log(
            JSON.stringify({
              answer: result.answer ?? null,
              confidence: result.confidence,
              stopReason: result.stopReason,
              votes: result.votes,
              candidates: result.candidates,
              usage: result.usage,
              text: result.text,
              verifierTokens: result.verifierTokens ?? 0,
              warnings: result.warnings,
              // Step-level searches record their tree here.
              trace: result.trace,
            }),
          );
        } else {
          console.log(`answer: ${result.answer ?? "(none)"}  confidence: ${(100 * result.confidence).toFixed(0)}%  stop: ${result.stopReason}`);
          const votes = Object.entries(result.votes).sort((a, b) => b[1] - a[1]);
          if (votes.length > 0) console.log(`votes: ${votes.map(([answer, count]) => `${answer}×${count}`).join("  ")}`);
          console.log(
            `usage: ${result.usage.promptTokens} prompt + ${result.usage.completionTokens} completion tokens, ${result.usage.calls} calls, ${result.usage.wallMs} ms`,
          );
          for (const warning of result.warnings)
            console.log(
              `warning: ${warning.type === "other" ? warning.message : `${warning.feature} unsupported${warning.details ? ` (${warning.details})` : ""}`}`,
            );
        }
      } finally {
        await model.dispose?.();
        await verifierModel?.dispose?.();
      }
    },
  );

program
  .command("serve")
  .description("Serve an OpenAI-compatible API over the embedded model or an upstream; strategies by model id or a `mull` body object")
  .option("-m, --model <spec>", "a GGUF path, a bundled model name, or an OpenAI-compatible base URL", "mull-tiny-policy")
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("-p, --port <port>", "port (0 picks a free one)", integer("--port", 0), 8080)
  .action(async (flags: { model: string; host: string; port: number }) => {
    const model = resolveModel({ spec: flags.model });
    // The bundled PRM scores candidates for best-of-n and weighted-vote; it loads on first use.
    const verifierModel = resolveModel({ spec: "mull-tiny-prm", llamaCpp: { sequences: 2 } });
    const verifier = createProcessRewardModel({ model: verifierModel });
    const server = await startServer({ models: { [model.modelId]: model, "mull-tiny-prm": verifierModel }, verifier, host: flags.host, port: flags.port });
    console.log(`mull serving ${model.modelId} at ${server.url} (strategies: ${strategyNames.map((name) => `${name}/${model.modelId}`).join(", ")})`);
    const shutdown = async () => {
      await server.close();
      await model.dispose?.();
      await verifierModel.dispose?.();
      process.exit(0);
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });

program
  .command("compare")
  .description("Compare strategies on held-out problems of mull's tasks: accuracy with 95% intervals and tokens")
  .option("--task <name>", "arith or countdown", "arith")
  .option("--difficulty <level>", "easy, medium or hard", "hard")
  .option("--limit <count>", "problems", integer("--limit"), 20)
  .option("--strategies <list>", "comma-separated strategies", "single,self-consistency")
  .option("-n, --n <count>", "samples for sampling strategies", integer("--n"), 8)
  .option("-m, --model <spec>", "model spec", "mull-tiny-policy")
  .option("--json", "print JSON")
  .action(async (flags: { task: string; difficulty: string; limit: number; strategies: string; n: number; model: string; json?: boolean }) => {
    await runCompare(flags);
  });

program
  .command("bench")
  .description("Run a grid of strategies x budgets over a dataset; every unit is stored as it completes, so a killed run resumes")
  .option("--config <file>", "a JSON suite with any of these options, e.g. bench/suites/arith-hard.json")
  .option("--dataset <name|file>", "arith, countdown (with -easy/-medium/-hard), or a JSONL/CSV file")
  .option("--format <format>", "gsm8k, math, jsonl or csv (default from the file extension)")
  .option("--prompt-field <name>", "prompt field of a JSONL/CSV file (default question, problem or prompt)")
  .option("--answer-field <name>", "answer field (default answer)")
  .option("--template <text>", "wraps each prompt; {prompt} is replaced")
  .option("--limit <count>", "most items", integer("--limit"))
  .option("--strategies <list>", "comma-separated specs, e.g. single,self-consistency:n=8", "single,self-consistency:n=8")
  .option("--budgets <list>", "comma-separated token budgets, or none", "none")
  .option("-m, --model <spec>", "model spec", "mull-tiny-policy")
  .option("--db <path>", "the run store", ".mull/runs.db")
  .option("--resume <run>", "continue a run where it stopped")
  .option("--concurrency <count>", "units in flight", integer("--concurrency"), 1)
  .option("--max-tokens <count>", "most tokens per completion", integer("--max-tokens"), 256)
  .option("--fail-on-malformed", "stop at the first malformed dataset line instead of skipping it")
  .option("--parameters <count>", "model parameters, for the FLOPs estimate (known for bundled models)", integer("--parameters"))
  .option("--json", "print the summary as JSON")
  .action(async (flags: BenchFlags, command: Command) => {
    const explicit = new Set(Object.keys(flags).filter((key) => command.getOptionValueSource(key) === "cli"));
    await runBenchCommand(flags, explicit);
  });

const runs = program
  .command("runs")
  .description("List stored benchmark runs")
  .option("--db <path>", "the run store", ".mull/runs.db")
  .option("--json", "print JSON");
runs.action((flags: { db: string; json?: boolean }) => listRunsCommand(flags));
runs
  .command("show")
  .description("Summarise one run")
  .argument("<run>", "run id")
  .option("--compare <a,b>", "paired accuracy difference between two strategies of the run, with a 95% interval")
  .action((id: string, _flags: unknown, command: Command) => {
    // --db and --json belong to `runs`, so that they work before or after `show`.
    const options = command.optsWithGlobals() as { db: string; compare?: string; json?: boolean };
    showRunCommand({ ...options, id });
  });

program
  .command("report")
  .description("Write a self-contained HTML report of a run: accuracy-vs-tokens charts, Pareto table, per-problem drill-down")
  .argument("<run>", "run id")
  .option("-o, --output <file>", "where to write it (default report-<run>.html)")
  .option("--db <path>", "the run store", ".mull/runs.db")
  .action(async (id: string, flags: { output?: string; db: string }) => {
    await reportCommand({ ...flags, id });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = MullError.isInstance(error) || error instanceof Error ? error.message : String(error);
  process.stderr.write(`mull: ${message}\n`);
  process.exit(MullError.isInstance(error) && error.name === "MullInvalidArgumentError" ? 2 : 1);
}
