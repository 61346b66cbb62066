/** `mull/cli`: the command line as a function, for embedding it with a runtime of your own. */
export { type RunCliOptions, runCli } from "./cli/run-cli.js";
