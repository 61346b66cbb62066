/**
 * REBASE, reward balanced search (Wu et al. 2024): a tree grown depth by depth under a fixed width.
 * At each depth the width left (minus solutions already complete) is shared among the open nodes by a
 * softmax over their PRM scores at a balance temperature: walking from the best node down, each gets
 * ceil(left · e^(r_i/T) / Σ_{j≥i} e^(r_j/T)) children.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { SearchNode } from "./search-tree.js";
import { byScore, runStepSearch, StepSearchRun, stepSearchOptions, stepSearchRequirements } from "./step-search.js";

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

export const rebase = defineStrategy({
  name: "rebase",
  description: "REBASE: per depth, the width left is shared among nodes by softmax(PRM score / balance temperature)",
  options: z.strictObject({
    ...stepSearchOptions({
      nDescription: "Width: the most complete solutions, and the children shared out at each depth",
      temperature: 1,
      select: "weighted-vote",
    }),
    balanceTemperature: z.number().gt(0).max(100).default(0.2).describe("Balance temperature T_b of the allocation softmax; lower favours the best nodes"),
  }),
  ...stepSearchRequirements,
  run(context) {
    const { n: width, balanceTemperature } = context.options;
    const run = new StepSearchRun(context);
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
});

export type RebaseOptions = Parameters<typeof rebase.create>[0];

export const createRebase = (options: RebaseOptions) => rebase.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** REBASE allocated the width among nodes: [node id, children]. */
    allocate: { depth: number; allocation: [number, number][] };
  }
}
