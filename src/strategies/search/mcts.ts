/**
 * Monte Carlo tree search over steps with UCT: each simulation walks down by the upper confidence bound
 * Q + c·sqrt(ln N_parent / N_child), expands the node it reaches with a few sampled next steps, uses the
 * PRM's score of each new prefix as its value estimate (no rollout), and backs the values up the path.
 * If no simulation reached a complete solution, the most visited path is generated to its end.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { SearchNode } from "./search-tree.js";
import { runStepSearch, StepSearchRun, stepSearchOptions, stepSearchRequirements } from "./step-search.js";

type Statistics = { visits: number; total: number };

export const mcts = defineStrategy({
  name: "mcts",
  description: "Monte Carlo tree search over steps: UCT selection, expansion, PRM value, backup",
  options: z.strictObject({
    ...stepSearchOptions({ nDescription: "Simulations (each one expansion)", temperature: 0.8, select: "best" }),
    expansionWidth: z.number().int().min(1).max(64).default(3).describe("Next steps sampled when a node is expanded (one call); a node is expanded once"),
    explorationConstant: z.number().gt(0).max(100).default(1.25).describe("Exploration constant c of UCT (Bag of Tricks' c_puct)"),
  }),
  ...stepSearchRequirements,
  run(context) {
    const { n: simulations, expansionWidth, explorationConstant: exploration } = context.options;
    const run = new StepSearchRun(context);
    const statistics = new Map<number, Statistics>();
    const children = new Map<number, SearchNode[]>();
    const stats = (node: SearchNode): Statistics => {
      const entry = statistics.get(node.id) ?? { visits: 0, total: 0 };
      statistics.set(node.id, entry);
      return entry;
    };
    const uct = (parent: SearchNode, child: SearchNode): number => {
      const { visits, total } = stats(child);
      if (visits === 0) return Number.POSITIVE_INFINITY;
      return total / visits + exploration * Math.sqrt(Math.log(Math.max(1, stats(parent).visits)) / visits);
    };
    const backUp = (path: SearchNode[], values: number[]): void => {
      for (const node of path) {
        const entry = stats(node);
        entry.visits += values.length;
        entry.total += values.reduce((sum, value) => sum + value, 0);
        node.data = { visits: entry.visits, value: entry.visits > 0 ? entry.total / entry.visits : 0 };
      }
    };
    /** Descends from the root through expanded nodes, by `choose` among each node's children. */
    const descend = (choose: (parent: SearchNode, best: SearchNode, child: SearchNode) => boolean): SearchNode[] => {
      const path: SearchNode[] = [run.root];
      let node = run.root;
      for (let next = children.get(node.id); next && next.length > 0; next = children.get(node.id)) {
        const parent = node;
        node = next.reduce((best, child) => (choose(parent, best, child) ? child : best));
        path.push(node);
      }
      return path;
    };
    /** One simulation: selection by UCT, then expansion and PRM evaluation of a new leaf, and backup. */
    const simulate = async (): Promise<void> => {
      const path = descend((parent, best, child) => uct(parent, child) > uct(parent, best));
      const node = path.at(-1) as SearchNode;
      if (node.status === "finished" || children.has(node.id)) {
        // A complete solution (or a node whose expansion the budget cut): back up its value again.
        backUp(path, [node.score ?? 0]);
        return;
      }
      const expanded = await run.expand(node, expansionWidth);
      children.set(node.id, expanded);
      await run.score(expanded);
      for (const child of expanded) backUp([child], [child.score ?? 0]);
      backUp(
        path,
        expanded.map((child) => child.score ?? 0),
      );
    };
    return runStepSearch(run, async () => {
      for (let simulation = 1; simulation <= simulations && !run.stopped; simulation++) {
        await simulate();
        run.progress(`simulation ${simulation}/${simulations}: ${run.finished().length} complete`, { simulation, complete: run.finished().length });
      }
      // The tree may hold no complete solution yet: finish the most visited path in one generation.
      if (run.finished().length > 0 || run.stopped) return;
      const node = descend((_parent, best, child) => stats(child).visits > stats(best).visits).at(-1) as SearchNode;
      if (node.status === "finished") return;
      const completed = await run.expand(node, 1, { toEnd: true });
      await run.score(completed);
      run.note("complete-most-visited", { from: node.id, nodes: completed.map((child) => child.id) });
    });
  },
});

export type MctsOptions = Parameters<typeof mcts.create>[0];

export const createMcts = (options: MctsOptions) => mcts.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** MCTS completed the most visited path. */
    "complete-most-visited": { from: number; nodes: number[] };
  }
}
