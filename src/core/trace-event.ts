/**
 * What a strategy records while it runs, as a discriminated union: a consumer (the bench, the report, a
 * viewer) narrows by `type` instead of casting. Kept apart from the model types, so that core has no cycle.
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

/** Every event a built-in strategy records; `data` is typed by `type`. */
export type TraceEventData = {
  /** A sample finished (single, adaptive voting). */
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
  /** verified-resample scored one sample. */
  "candidate-scored": { index: number; score: number; answer: string | undefined };
  /** repeated-sampling with an oracle: unbiased pass@k for k = 1, 2, 4, ... */
  coverage: { oracle: string; correct: number; samples: number; passAtK: Record<string, number> };
  /**
   * DeepConf's confidence filter: the metric, the threshold a trace needed, how many were kept, and (online)
   * how many were stopped early for falling under it.
   */
  "confidence-filter": { metric: string; threshold: number; kept: number; of: number; stoppedEarly?: number };
  /** `auto` looked at the probe and chose: how hard the question looks, and what it spends on it. */
  "auto-choice": {
    bin: string;
    probeAgreement: number;
    probeConfidence: number | undefined;
    /** The verifier's highest score on the probe, where a profile has it scored. */
    probeBestScore?: number;
    /** With a profile: the calibrated P(the probe's vote is right). */
    estimate?: number;
    plan: string;
  };
  /** RPC's pruning and the answers' perplexity-consistency scores. */
  rpc: { pruned: number; votes: Votes };
  /** Beam search kept these beams. */
  keep: { iteration: number; kept: number[] };
  /** Particle filtering resampled. */
  resample: { sweep: number; depth: number; weights: number[]; drawn: number[] };
  /** REBASE allocated the width among nodes: [node id, children]. */
  allocate: { depth: number; allocation: [number, number][] };
  /** MCTS completed the most visited path. */
  "complete-most-visited": { from: number; nodes: number[] };
  /** The tree a step-level search grew. */
  "search-tree": SearchTreeTrace;
  /** A tool acted inside a candidate's text: which, at what trigger, and what it wrote (undefined: nothing). */
  "tool-call": { tool: string; trigger: string; output: string | undefined; candidate: number };
  /**
   * A layer of a composed architecture ran: its role and components, the candidates it passed on and their
   * answers, and what it spent.
   */
  layer: {
    index: number;
    role: string;
    components: string[];
    candidates: number;
    answers: Votes;
    completionTokens: number;
    verifierTokens: number;
  };
  /**
   * Atom of Thoughts took one step: the question it worked on, its independent sub-questions (atoms) with the
   * answers their votes gave, and the simpler question it contracted them into (absent: the answer was reached).
   */
  atoms: { round: number; question: string; atoms: { question: string; answer: string | undefined; votes: Votes }[]; contracted?: string };
  /** PlanGEN ran an algorithm: the one chosen, the one the model suggested, its UCB score and the reward it reached (0 to 100). */
  algorithm: { algorithm: string; suggested: string | null; ucb: number; reward: number | null };
  /** Dynamic few-shot put these solved examples (their questions, cut) before the question, most similar first. */
  "few-shot": { questions: string[] };
  /** Code a strategy ran in the sandbox (program-of-thought): how it ended and what it printed. */
  "code-run": { candidate: number; exitReason: string; stdout: string; error?: string };
};

export type TraceEventType = keyof TraceEventData;

/** One recorded event, milliseconds after the run started. */
export type TraceEvent = { [Type in TraceEventType]: { atMs: number; type: Type; data: TraceEventData[Type] } }[TraceEventType];
