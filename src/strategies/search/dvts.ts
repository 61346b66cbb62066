/**
 * Diverse verifier tree search (search-and-learn): the budget is split into n/M independent subtrees;
 * each samples M next steps, keeps only the one the PRM scores highest, and goes on greedily until its
 * chosen step completes a solution.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { SearchNode } from "./search-tree.js";
import { byScore, runStepSearch, StepSearchRun, stepSearchOptions, stepSearchRequirements } from "./step-search.js";

export const dvts = defineStrategy({
  name: "dvts",
  description: "Diverse verifier tree search: n/M independent subtrees, each keeps the best of M sampled steps",
  options: z.strictObject({
    ...stepSearchOptions({ nDescription: "Total samples per iteration, over all subtrees", temperature: 0.8, select: "best" }),
    beamWidth: z.number().int().min(1).max(1024).default(4).describe("Steps sampled per subtree per iteration (M); there are n/M subtrees"),
  }),
  ...stepSearchRequirements,
  run(context) {
    const { n, beamWidth } = context.options;
    const subtrees = Math.max(1, Math.floor(n / beamWidth));
    const run = new StepSearchRun(context);
    return runStepSearch(run, async () => {
      let heads: SearchNode[] = Array.from({ length: subtrees }, () => run.root);
      for (let iteration = 1; heads.length > 0 && !run.stopped; iteration++) {
        const next = await Promise.all(
          heads.map(async (head) => {
            const children = await run.expand(head, beamWidth);
            await run.score(children);
            const [best, ...rest] = byScore(children);
            run.tree.prune(rest);
            return best;
          }),
        );
        heads = next.filter((head): head is SearchNode => head !== undefined && head.status === "open");
        run.progress(`iteration ${iteration}: ${heads.length} of ${subtrees} subtrees open, ${run.finished().length} complete`, {
          iteration,
          open: heads.length,
          complete: run.finished().length,
        });
      }
    });
  },
});

export type DvtsOptions = Parameters<typeof dvts.create>[0];

export const createDvts = (options: DvtsOptions) => dvts.create(options);
