/**
 * REBASE, reward balanced search (Wu et al. 2024): a tree grown depth by depth under a fixed width.
 * At each depth the width left (minus solutions already complete) is shared among the open nodes by a
 * softmax over their PRM scores at a balance temperature: walking from the best node down, each gets
 * ceil(left · e^(r_i/T) / Σ_{j≥i} e^(r_j/T)) children.
 */
import type { Strategy, StrategyResult } from "../core/strategy.js";
import type { SearchNode } from "./search-tree.js";
import { byScore, positiveInteger, positiveNumber, runStepSearch, type StepSearchOptions, StepSearchRun, validateStepSearch } from "./step-search.js";

export type RebaseOptions = StepSearchOptions & {
  /** Width: the most complete solutions, and the children shared out at each depth. Defaults to `16`. */
  n?: number;
  /** Balance temperature T_b of the allocation softmax; lower favours the best nodes. Defaults to `0.2`. */
  balanceTemperature?: number;
};

/** Children per node, best node first: the reference code's sequential softmax allocation. */
export function allocateChildren(scores: number[], width: number, balanceTemperature: number): number[] {
  const exps = scores.map((score) => Math.exp(score / balanceTemperature));
  let left = width;
  return exps.map((value, index) => {
    if (left <= 0) return 0;
    const rest = exps.slice(index).reduce((sum, item) => sum + item, 0);
    const count = Math.min(left, Math.ceil((left * value) / rest));
    left -= count;
    return count;
  });
}

export function createRebase(options: RebaseOptions): Strategy {
  const settings = validateStepSearch("rebase", options, { temperature: 1, select: "weighted-vote" });
  const width = positiveInteger("n", options.n ?? 16);
  const balanceTemperature = positiveNumber("balanceTemperature", options.balanceTemperature ?? 0.2);
  return {
    name: "rebase",
    async run(runOptions): Promise<StrategyResult> {
      const run = new StepSearchRun({ name: "rebase", run: runOptions, settings });
      return runStepSearch(run, async () => {
        let frontier = await run.expand(run.root, width);
        for (let depth = 1; !run.stopped; depth++) {
          await run.score(frontier);
          const open = byScore(frontier.filter((node) => node.status === "open"));
          const left = width - run.finished().length;
          run.progress(`depth ${depth}: ${open.length} open, ${run.finished().length} complete`, { depth, open: open.length, complete: run.finished().length });
          if (left <= 0 || open.length === 0) break;
          const counts = allocateChildren(
            open.map((node) => node.score ?? 0),
            left,
            balanceTemperature,
          );
          open.forEach((node, index) => {
            node.data = { ...node.data, children: counts[index] ?? 0 };
          });
          run.tree.prune(open.filter((_, index) => (counts[index] ?? 0) === 0));
          run.note("allocate", { depth, allocation: open.map((node, index) => [node.id, counts[index] ?? 0]) });
          frontier = (await Promise.all(open.map((node: SearchNode, index) => run.expand(node, counts[index] ?? 0)))).flat();
        }
      });
    },
  };
}
