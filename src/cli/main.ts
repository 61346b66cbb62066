/** The `mull` bin: the only place that reads process.argv, listens for signals or sets the exit code. */
import { runCli } from "./run-cli.js";

const controller = new AbortController();
const interrupt = () => controller.abort(new DOMException("interrupted", "AbortError"));
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
process.exitCode = await runCli({ args: process.argv.slice(2), signal: controller.signal });
