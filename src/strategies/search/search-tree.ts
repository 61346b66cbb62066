/** The tree a step-level search grew: every partial solution it made, scored, kept or pruned. */
import type { SearchNodeStatus, SearchTreeTrace } from "../../core/trace-event.js";

export type { SearchNodeStatus, SearchTreeTrace };

export type SearchNode = {
  id: number;
  /** Undefined for the root (the prompt). */
  parent: number | undefined;
  /** Steps from the root. */
  depth: number;
  /** This node's step text (without its delimiter). */
  step: string;
  /** The partial solution up to and including this step. */
  text: string;
  /** Verifier score of `text`, once scored. */
  score?: number;
  status: SearchNodeStatus;
  /** Search-specific numbers (visits, value, weight, particle index...). */
  data?: Record<string, number>;
};

export class SearchTree {
  readonly nodes: SearchNode[] = [];
  readonly root: SearchNode;

  constructor() {
    this.root = { id: 0, parent: undefined, depth: 0, step: "", text: "", status: "expanded" };
    this.nodes.push(this.root);
  }

  add(options: { parent: SearchNode; step: string; text: string; finished: boolean }): SearchNode {
    const node: SearchNode = {
      id: this.nodes.length,
      parent: options.parent.id,
      depth: options.parent.depth + 1,
      step: options.step,
      text: options.text,
      status: options.finished ? "finished" : "open",
    };
    if (options.parent.status === "open") options.parent.status = "expanded";
    this.nodes.push(node);
    return node;
  }

  /** Marks frontier nodes the search dropped. Finished nodes stay finished. */
  prune(nodes: Iterable<SearchNode>): void {
    for (const node of nodes) if (node.status === "open") node.status = "pruned";
  }

  path(node: SearchNode | undefined): number[] {
    const ids: number[] = [];
    for (let current = node; current; current = current.parent === undefined ? undefined : this.nodes[current.parent]) ids.unshift(current.id);
    return ids;
  }

  toTrace(chosen: SearchNode | undefined): SearchTreeTrace {
    return {
      nodes: this.nodes.map((node) => ({
        id: node.id,
        parent: node.parent ?? null,
        depth: node.depth,
        step: node.step,
        score: node.score ?? null,
        status: node.status,
        ...(node.data ? { data: node.data } : {}),
      })),
      chosen: this.path(chosen),
    };
  }
}
