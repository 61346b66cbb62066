import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { sandboxLanguages } from "../core/code-sandbox.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { createSandbox } from "../sandbox/create-sandbox.js";
import type { CliContext } from "./cli-context.js";
import { integerOption } from "./parse-flags.js";

type SandboxFlags = {
  language: string;
  timeoutMs?: number;
  memoryMb?: number;
  outputLimitBytes?: number;
  input?: string;
  inputFile?: string;
  isolation?: string;
};

function readInputFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError({ parameter: "--input-file", value: path, message: `cannot read ${JSON.stringify(path)}: ${(error as Error).message}` });
  }
}

/** `mull sandbox run`: runs the code on stdin in the sandbox and prints the JSON result. */
export function addSandboxCommand(program: Command, context: () => CliContext): void {
  const sandbox = program.command("sandbox").description("Run model-written code in mull's sandbox (Pyodide for Python, QuickJS for JavaScript)");
  sandbox
    .command("run")
    .description("Run the code read on stdin; print {exitReason, stdout, stderr, result, error, durationMs, memoryBytes} as JSON")
    .requiredOption("-l, --language <language>", `${sandboxLanguages.join(" or ")}`)
    .option("--timeout-ms <n>", "wall-time limit (default 5000)", integerOption("--timeout-ms"))
    .option("--memory-mb <n>", "memory limit of the sandbox process, runtime included (default 512)", integerOption("--memory-mb", 64))
    .option("--output-limit-bytes <n>", "limit on stdout plus stderr (default 65536)", integerOption("--output-limit-bytes"))
    .option("--input <text>", "what the code reads as its standard input (default: nothing)")
    .option("--input-file <path>", "read the code's standard input from this file")
    .option("--isolation <mode>", "auto (namespaces where the host allows them), namespaces or process (default auto)")
    .action(async (flags: SandboxFlags) => {
      if (!sandboxLanguages.includes(flags.language as "python"))
        throw new InvalidArgumentError({ parameter: "--language", value: flags.language, message: `must be ${sandboxLanguages.join(" or ")}` });
      if (flags.input !== undefined && flags.inputFile !== undefined)
        throw new InvalidArgumentError({ parameter: "--input", message: "give --input or --input-file, not both" });
      const { out, readInput, signal } = context();
      const code = await readInput();
      const stdin = flags.inputFile === undefined ? (flags.input ?? "") : readInputFile(flags.inputFile);
      const instance = createSandbox({ warm: 0, ...(flags.isolation ? { isolation: flags.isolation as "auto" } : {}) });
      try {
        const result = await instance.run({
          language: flags.language as "python",
          code,
          stdin,
          signal,
          ...(flags.timeoutMs ? { timeoutMs: flags.timeoutMs } : {}),
          ...(flags.memoryMb ? { memoryMb: flags.memoryMb } : {}),
          ...(flags.outputLimitBytes ? { outputLimitBytes: flags.outputLimitBytes } : {}),
        });
        out(JSON.stringify({ ...result, isolation: instance.isolation }));
      } finally {
        await instance.close();
      }
    });
}
