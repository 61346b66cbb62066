/** The `mull` command line, as a function: the bin calls it with process.argv, tests in-process with a runtime of their own. */
import { Command, CommanderError } from "commander";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { MullError } from "../core/errors/mull-error.js";
import { createMull, type Mull } from "../runtime/create-mull.js";
import { addBenchCommands } from "./bench-commands.js";
import type { CliContext } from "./cli-context.js";
import { addCompareCommand } from "./compare-command.js";
import { addListCommands } from "./list-command.js";
import { addMcpCommand } from "./mcp-command.js";
import { addProbeCommand } from "./probe-command.js";
import { addSandboxCommand } from "./sandbox-command.js";
import { addServeCommand } from "./serve-command.js";
import { addSolveCommand } from "./solve-command.js";
import { addTuneArchitectureCommand } from "./tune-architecture-command.js";
import { addTuneCommand } from "./tune-command.js";

export type RunCliOptions = {
  /** Arguments after the program name, e.g. `["solve", "1+1", "--json"]`. */
  args: string[];
  /** The runtime commands resolve specs with. Defaults to one of the built-in extensions, disposed at the end. */
  mull?: Mull;
  /** Defaults to stdout. */
  out?: (line: string) => void;
  /** Defaults to stderr. */
  err?: (text: string) => void;
  /** Interrupts long commands and closes `mull serve`. Defaults to never. */
  signal?: AbortSignal;
  /** Standard input for commands that read it. Defaults to process.stdin. */
  input?: string;
};

async function readProcessInput(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

/** Runs one command; resolves to the exit code (0 ok, 2 bad arguments, 1 any other failure). */
export async function runCli(options: RunCliOptions): Promise<number> {
  const mull = options.mull ?? createMull();
  const context: CliContext = {
    mull,
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: options.err ?? ((text) => process.stderr.write(text)),
    isTTY: options.out === undefined && process.stderr.isTTY === true,
    signal: options.signal ?? new AbortController().signal,
    readInput: options.input === undefined ? readProcessInput : async () => options.input as string,
  };
  const program = new Command()
    .name("mull")
    .description("Inference-time compute: sample, vote, verify and search, with exactly what it spent.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => context.out(text.trimEnd()), writeErr: (text) => context.err(text), outputError: (text, write) => write(text) });
  const get = () => context;
  addSolveCommand(program, get);
  addServeCommand(program, get);
  addMcpCommand(program, get);
  addCompareCommand(program, get);
  addTuneCommand(program, get);
  addTuneArchitectureCommand(program, get);
  addBenchCommands(program, get);
  addListCommands(program, get);
  addProbeCommand(program, get);
  addSandboxCommand(program, get);
  try {
    await program.parseAsync(options.args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = MullError.isInstance(error) || error instanceof Error ? error.message : String(error);
    context.err(`mull: ${message}\n`);
    return InvalidArgumentError.isInstance(error) ? 2 : 1;
  } finally {
    if (!options.mull) await mull.dispose();
  }
}
