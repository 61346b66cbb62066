/** HumanEval's canonical solutions pass in the sandbox and broken ones fail (the first 12; all 164: scripts/humaneval-sandbox.ts). */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createSandbox } from "../src/sandbox/create-sandbox.js";
import { type HumanEvalProblem, humanEvalProgram } from "../src/tasks/humaneval-program.js";

const file = "../shared/datasets/humaneval.jsonl.gz";

describe.skipIf(!existsSync(file))("HumanEval in the sandbox", () => {
  const problems = existsSync(file)
    ? gunzipSync(readFileSync(file))
        .toString("utf8")
        .split("\n")
        .filter(Boolean)
        .slice(0, 12)
        .map((line) => JSON.parse(line) as HumanEvalProblem)
    : [];
  const sandbox = createSandbox({ warm: 2, timeoutMs: 20_000, concurrency: 2 });
  afterAll(() => sandbox.close());

  it.concurrent.each(problems.map((problem) => [problem.task_id, problem] as const))(
    "%s: the canonical solution passes, `return None` fails",
    async (_, problem) => {
      const canonical = await sandbox.run({
        language: "python",
        code: humanEvalProgram({ prompt: problem.prompt, test: problem.test, entryPoint: problem.entry_point, completion: problem.canonical_solution }),
      });
      expect(canonical.exitReason, canonical.stderr).toBe("ok");
      const broken = await sandbox.run({
        language: "python",
        code: humanEvalProgram({ prompt: problem.prompt, test: problem.test, entryPoint: problem.entry_point, completion: "    return None\n" }),
      });
      expect(broken.exitReason).toBe("error");
      expect(broken.error).toMatch(/^AssertionError|^TypeError/);
    },
    120_000,
  );
});
