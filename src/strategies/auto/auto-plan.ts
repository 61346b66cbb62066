/**
 * What `auto` does after its probe, declared once: the actions a profile may choose per bin, how each
 * chooses its answer from candidates, and when an adaptive action stops. `auto` runs these against the model;
 * `mull tune` replays them on stored samples, so that a tuned profile predicts what `auto` will spend.
 */
import { z } from "zod";
import type { Candidate } from "../../core/strategy-report.js";
import { firstWithAnswer, highestScored, majorityVote } from "../majority-vote.js";
import { confidenceOf, confidentVote, keepThreshold } from "../vote/deepconf-vote.js";
import { betaRule } from "../vote/stopping-rules.js";

export const autoActionSchema = z.discriminatedUnion("kind", [
  /** The probe's majority answer; nothing more is drawn. */
  z.strictObject({ kind: z.literal("stop") }),
  /** Up to `samples` in all, then the majority. */
  z.strictObject({ kind: z.literal("vote"), samples: z.number().int().min(1).max(1024) }),
  /** Up to `samples`, then the most confident `keep` share votes, weighted by confidence (DeepConf offline). */
  z.strictObject({ kind: z.literal("confidence-vote"), samples: z.number().int().min(1).max(1024), keep: z.number().gt(0).max(1) }),
  /** Up to `samples`, then the one the verifier scores highest. */
  z.strictObject({ kind: z.literal("verifier"), samples: z.number().int().min(1).max(1024) }),
  /** Continue sampling until P(leader beats runner-up) reaches `threshold` (adaptive-consistency), at most `samples`. */
  z.strictObject({ kind: z.literal("adaptive"), samples: z.number().int().min(1).max(1024), threshold: z.number().gt(0).max(1) }),
]);

export type AutoAction = z.output<typeof autoActionSchema>;

/** A short human-readable name, for traces and tables. */
export function describeAction(action: AutoAction): string {
  switch (action.kind) {
    case "stop":
      return "the probe's vote";
    case "vote":
      return `majority of ${action.samples}`;
    case "confidence-vote":
      return `confidence vote of ${action.samples} (keep ${action.keep})`;
    case "verifier":
      return `verifier's best of ${action.samples}`;
    case "adaptive":
      return `adaptive vote (threshold ${action.threshold}) up to ${action.samples}`;
  }
}

/** Samples the action draws in all (the probe included), at most; an adaptive action may stop earlier. */
export const actionSamples = (action: AutoAction, probe: number): number => (action.kind === "stop" ? probe : Math.max(probe, action.samples));

export const actionNeedsVerifier = (action: AutoAction): boolean => action.kind === "verifier";

export const actionNeedsConfidence = (action: AutoAction): boolean => action.kind === "confidence-vote";

/** The stopping rule of an adaptive action (adaptive-consistency's Beta rule). */
export const adaptiveRule = (action: Extract<AutoAction, { kind: "adaptive" }>) => betaRule({ threshold: action.threshold, minSamples: 2 });

export type Selection = { chosen: Candidate | undefined; answer: string | undefined; votes: Record<string, number>; confidence: number };

/** How the action picks its answer from the candidates drawn (an adaptive action votes like `vote`). */
export function selectAnswer(action: AutoAction, candidates: Candidate[]): Selection {
  if (action.kind === "verifier") {
    const chosen = highestScored(candidates);
    return { chosen, answer: chosen?.answer, votes: chosen?.answer === undefined ? {} : { [chosen.answer]: 1 }, confidence: chosen?.score ?? 0 };
  }
  if (action.kind === "confidence-vote") {
    const values = candidates.map((candidate) => confidenceOf(candidate, "lowest-group"));
    // Without log-probabilities (a backend that returns none) the filter has nothing to go on: a plain vote.
    if (!values.some((value) => value === undefined)) {
      const tally = confidentVote(candidates, "lowest-group", keepThreshold(values as number[], action.keep));
      return { chosen: firstWithAnswer(tally.kept, tally.answer), ...tally };
    }
  }
  const tally = majorityVote(candidates);
  return { chosen: firstWithAnswer(candidates, tally.answer), ...tally };
}

/**
 * Replays an action on samples already drawn in order (the probe first): how many it would use and what it
 * would choose. An adaptive action checks its rule after each sample, as `auto` does as samples finish.
 */
export function replayAction(action: AutoAction, pool: Candidate[], probe: number): { used: number; selection: Selection } {
  let used = Math.min(pool.length, actionSamples(action, probe));
  if (action.kind === "adaptive") {
    const rule = adaptiveRule(action);
    const answers = pool.map((candidate) => candidate.answer);
    used = Math.min(pool.length, probe);
    while (used < Math.min(pool.length, action.samples) && !rule.shouldStop(answers.slice(0, used))) used++;
  }
  return { used, selection: selectAnswer(action, pool.slice(0, used)) };
}
