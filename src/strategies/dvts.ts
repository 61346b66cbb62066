/**
 * Diverse verifier tree search (search-and-learn): the budget is split into n/M independent subtrees;
 * each samples M next steps, keeps only the one the PRM scores highest, and goes on greedily until its
 * chosen step completes a solution.
 */
import type { Strategy, StrategyResult } from "../core/strategy.js";
import type { SearchNode } from "./search-tree.js";
import { byScore, positiveInteger, runStepSearch, type StepSearchOptions, StepSearchRun, validateStepSearch } from "./step-search.js";

export type DvtsOptions = StepSearchOptions & {
  /** Total samples per iteration, over all subtrees. Defaults to `16`. */
  n?: number;
  /** Steps sampled per subtree per iteration (M); there are n/M subtrees. Defaults to `4`. */
  beamWidth?: number;
};

export function createDvts(options: DvtsOptions): Strategy {
  const settings = validateStepSearch("dvts", options, { temperature: 0.8, select: "best" });
  const n = positiveInteger("n", options.n ?? 16);
  const beamWidth = positiveInteger("beamWidth", options.beamWidth ?? 4);
  const subtrees = Math.max(1, Math.floor(n / beamWidth));
  return {
    name: "dvts",
    async run(runOptions): Promise<StrategyResult> {
      const run = new StepSearchRun({ name: "dvts", run: runOptions, settings });
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
  };
}
