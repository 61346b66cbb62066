import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";

/**
 * The roles of a composed architecture (after Archon): each component takes the problem and the layer's
 * candidates and returns candidates.
 * - `generator`: new candidates (samples; the runner adds them to the layer's input);
 * - `critic`: the same candidates, each with a critique;
 * - `ranker`: the best `topK` of them, scored, best first;
 * - `fuser`: one candidate (or a few) made from all of them;
 * - `verifier`: those that pass;
 * - `refiner`: revised candidates, from their critiques.
 */
export type ComponentRole = "generator" | "critic" | "ranker" | "fuser" | "verifier" | "refiner";

/** A candidate as components pass it along: what a critic said about it travels with it. */
export type ArchitectureCandidate = Candidate & {
  /** A critic's words on it, where one judged it. */
  critique?: string;
  /**
   * Where a critic found the first weak step, its index (0-based, in steps of the candidate's text): a refiner
   * resamples from there.
   */
  weakStep?: number;
  /** A refiner revised it already: it stays as it is (its revisions go on beside it). */
  revised?: boolean;
};

/** What a component may use: the run's (metered) model, its verifier and its trace, through the runner. */
export type ComponentServices = {
  /** The run's prompt: raw text or the conversation. */
  readonly prompt: string | ChatMessage[];
  /** The problem as text (the last user message of a conversation). */
  readonly problem: string;
  /**
   * Samples `n` candidates for the run's prompt, answers extracted; with `prefix`, continuations of that partial
   * solution (their text is the continuation alone). `model` (a spec) samples another model than the run's;
   * its candidates then carry its spec.
   */
  sample(options: { n: number; temperature: number; prefix?: string; maxTokens?: number; model?: string }): Promise<Candidate[]>;
  /** One completion's text for an instruction (a prompt role's call), at `temperature`, from `model` (a spec) or the run's. */
  complete(options: { prompt: string | ChatMessage[]; temperature: number; maxTokens?: number; model?: string }): Promise<string>;
  /** Scores candidates with the run's verifier (sets `score`, and `stepScores` where it judges steps); throws without one. */
  score(candidates: ArchitectureCandidate[]): Promise<{ stepScores: (number[] | undefined)[] }>;
  extractAnswer(text: string): string | undefined;
  /**
   * Runs a strategy (by spec) on the run's prompt as one generator sample, through the run's metered model (or
   * `model`): its chosen candidate, carrying its model where one was named.
   */
  runStrategy(options: { spec: string; model?: string }): Promise<Candidate | undefined>;
  /** Runs a Python program in the run's sandbox (time-limited, cancelled with the run); its stdout where it ended well. */
  runCode(options: { code: string; timeoutMs: number }): Promise<string | undefined>;
  /** Records a warning (a reply a prompt role could not parse, say) without failing the run. */
  warn(message: string): void;
  readonly abortSignal: AbortSignal;
};

/** One component of a layer. */
export type Component = {
  readonly role: ComponentRole;
  /** What it is, for traces (e.g. `ranker:verifier`, `fuser:prompt`). */
  readonly name: string;
  run(options: { candidates: ArchitectureCandidate[]; services: ComponentServices }): Promise<ArchitectureCandidate[]>;
};
