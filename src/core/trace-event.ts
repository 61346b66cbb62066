/**
 * What a strategy records while it runs, as a discriminated union: a consumer (the bench, the report, a
 * viewer) narrows by `type` instead of casting. Kept apart from the model types, so that core has no cycle.
 *
 * The union is open: core declares the events many strategies share, and a strategy declares its own beside
 * it, by augmenting `TraceEventData` (a user's strategy the same way, through `declare module "mull"`):
 *
 * ```ts
 * declare module "mull" {
 *   interface TraceEventData {
 *     "my-event": { round: number };
 *   }
 * }
 * ```
 */

/** How a node of a step-level search ended up. */
export type SearchNodeStatus =
  /** Still a frontier node when the search ended. */
  | "open"
  /** Continued by the search. */
  | "expanded"
  /** Dropped by selection, resampling or allocation. */
  | "pruned"
  /** A complete solution. */
  | "finished";

/** The tree a step-level search grew: enough for a report or a viewer to draw it. */
export type SearchTreeTrace = {
  nodes: { id: number; parent: number | null; depth: number; step: string; score: number | null; status: SearchNodeStatus; data?: Record<string, number> }[];
  /** Ids of the chosen solution's path, root first. */
  chosen: number[];
};

type Votes = Record<string, number>;

/** Every event a strategy may record, by type; `data` is typed by `type`. Strategies add their own (see above). */
export interface TraceEventData {
  /** A sample finished (strategies that decide after each sample). */
  "candidate-end": { index?: number; answer: string | undefined; completionTokens: number | undefined };
  /** A wave of parallel samples finished. */
  "wave-end": { samples: number; votes: Votes };
  /** The final vote; `cancelled` counts samples stopped in flight. */
  vote: { answer: string | undefined; votes: Votes; cancelled?: number };
  /** An adaptive stopping rule settled the answer. */
  "rule-fired": { rule: string; samples: number };
  /** A verifier scored the candidates (in sample order). */
  scored: { verifier: string; scores: (number | undefined)[] };
  /** The answer a selection strategy chose. */
  select: { answer: string | undefined; votes: Votes };
  /** The tree a step-level search grew. */
  "search-tree": SearchTreeTrace;
  /** A tool acted inside a candidate's text: which, at what trigger, and what it wrote (undefined: nothing). */
  "tool-call": { tool: string; trigger: string; output: string | undefined; candidate: number };
  /** Code a strategy ran in the sandbox (program-of-thought): how it ended and what it printed. */
  "code-run": { candidate: number; exitReason: string; stdout: string; error?: string };
}

export type TraceEventType = keyof TraceEventData;

/** One recorded event, milliseconds after the run started. */
export type TraceEvent = { [Type in TraceEventType]: { atMs: number; type: Type; data: TraceEventData[Type] } }[TraceEventType];
