import { z } from "zod";
import { defineVerifier } from "../extension/define-verifier.js";
import { createTaskOracle } from "../tasks/task-oracle.js";

/** `oracle:countdown`: a task's exact checker. Results that use it are experiments, not deployable numbers. */
export const oracleVerifier = defineVerifier({
  name: "oracle",
  kind: "oracle",
  description: "The exact checker of one of mull's tasks (for experiments: it knows the truth)",
  positional: "task",
  options: z.strictObject({ task: z.enum(["arith", "countdown"]).describe("Which task's checker") }),
  create: (options) => createTaskOracle({ task: options.task }),
});
