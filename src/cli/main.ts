/** The `mull` bin: the only place that reads process.argv, listens for signals or sets the exit code. */
import { runCli } from "./run-cli.js";

const controller = new AbortController();
let interrupts = 0;
// The first SIGINT/SIGTERM stops the command gracefully (a bench stores what it finished, a server drains, models
// and llama-server children are disposed); a second exits at once. The listeners stay on (not `once`): with none
// left, signal-exit (a node-llama-cpp dependency) re-raises the signal and the process dies before cleaning up,
// orphaning a llama-server child.
const interrupt = () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  controller.abort(new DOMException("interrupted", "AbortError"));
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);
process.exitCode = await runCli({ args: process.argv.slice(2), signal: controller.signal });
