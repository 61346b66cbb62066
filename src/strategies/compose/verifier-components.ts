/**
 * The components the bundled models can play, so that architectures run offline: sampling as generator,
 * the run's verifier (the bundled PRM) as critic, ranker and verifier, votes as fuser, and resampling from the
 * first weak step as refiner (self-refine where the policy cannot read a critique).
 */

import { firstWithAnswer, majorityVote } from "../majority-vote.js";
import { type ComponentSpec, componentName } from "./architecture.js";
import type { ArchitectureCandidate, Component, ComponentServices } from "./component.js";

type Spec<Role extends ComponentSpec["role"]> = Extract<ComponentSpec, { role: Role }>;

export function samplingGenerator(spec: Spec<"generator">): Component {
  const { strategy } = spec;
  if (strategy !== undefined)
    return {
      role: "generator",
      name: componentName(`generator:${strategy}`, spec),
      // Each run of the strategy is one candidate (its chosen answer); runs go one after another, each on the run's budget.
      async run({ services }) {
        const drawn: ArchitectureCandidate[] = [];
        for (let index = 0; index < spec.samples && !services.abortSignal.aborted; index++) {
          const candidate = await services.runStrategy({ spec: strategy, ...(spec.model !== undefined ? { model: spec.model } : {}) });
          if (candidate) drawn.push(candidate);
        }
        return drawn;
      },
    };
  return {
    role: "generator",
    name: componentName("generator:sample", spec),
    // Returns its samples alone: the runner adds a generator layer's output to what earlier layers made.
    async run({ services }) {
      return services.sample({
        n: spec.samples,
        temperature: spec.temperature,
        ...(spec.maxTokens ? { maxTokens: spec.maxTokens } : {}),
        ...(spec.model !== undefined ? { model: spec.model } : {}),
      });
    },
  };
}

/** Marks each candidate's first step the verifier scores under `threshold` (where it scores steps). */
export function verifierCritic(spec: Spec<"critic">): Component {
  return {
    role: "critic",
    name: "critic:verifier",
    async run({ candidates, services }) {
      // Only candidates no critic judged yet (a refined pool keeps its judged originals).
      const fresh = candidates.filter((candidate) => candidate.critique === undefined);
      const { stepScores } = await services.score(fresh);
      // Critiques are written on the candidates themselves, so that a run reports each sample once.
      fresh.forEach((candidate, index) => {
        const steps = stepScores[index];
        const weak = steps?.findIndex((score) => score < spec.threshold) ?? -1;
        if (weak === -1) candidate.critique = steps ? "every step holds" : `score ${formatScore(candidate.score)}`;
        else Object.assign(candidate, { weakStep: weak, critique: `step ${weak + 1} looks wrong (score ${formatScore(steps?.[weak])})` });
      });
      return candidates;
    },
  };
}

export function verifierRanker(spec: Spec<"ranker">): Component {
  return {
    role: "ranker",
    name: "ranker:verifier",
    async run({ candidates, services }) {
      await scoreUnscored(candidates, services);
      // A stable sort: ties keep sample order.
      return [...candidates].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, spec.topK);
    },
  };
}

/** Keeps those the verifier scores at or above `threshold`; where none passes, all (with a warning), since an empty layer ends the run with nothing. */
export function verifierFilter(spec: Spec<"verifier">): Component {
  return {
    role: "verifier",
    name: "verifier:verifier",
    async run({ candidates, services }) {
      await scoreUnscored(candidates, services);
      const passed = candidates.filter((candidate) => (candidate.score ?? 0) >= spec.threshold);
      if (passed.length > 0 || candidates.length === 0) return passed;
      services.warn(`verifier: no candidate scored ${spec.threshold} or more; all ${candidates.length} kept`);
      return candidates;
    },
  };
}

export function voteFuser(spec: Spec<"fuser">): Component {
  const weighted = spec.using === "weighted-vote";
  return {
    role: "fuser",
    name: `fuser:${spec.using}`,
    async run({ candidates, services }) {
      if (weighted) await scoreUnscored(candidates, services);
      const { answer } = majorityVote(candidates, weighted ? (candidate) => candidate.score ?? 0 : undefined);
      const chosen = firstWithAnswer(candidates, answer) ?? candidates[0];
      return chosen ? [chosen] : [];
    },
  };
}

/**
 * Self-refine for a policy that cannot read a critique: each candidate a critic marked is cut before its first
 * weak step and continued `samples` times from there; candidates without a mark stay as they are.
 */
export function resampleRefiner(spec: Spec<"refiner">): Component {
  return {
    role: "refiner",
    name: componentName("refiner:resample", spec),
    async run({ candidates, services }) {
      const revised = await Promise.all(candidates.map((candidate) => resampleOne(candidate, spec, services)));
      return revised.flat();
    },
  };
}

async function resampleOne(candidate: ArchitectureCandidate, spec: Spec<"refiner">, services: ComponentServices): Promise<ArchitectureCandidate[]> {
  if (candidate.weakStep === undefined || candidate.revised) return [candidate];
  const prefix = stepPrefix(candidate.text, candidate.weakStep);
  const drawn = await services.sample({
    n: spec.samples,
    temperature: spec.temperature,
    prefix,
    ...(spec.maxTokens ? { maxTokens: spec.maxTokens } : {}),
    ...(spec.model !== undefined ? { model: spec.model } : {}),
  });
  const revisions = drawn.map((sample) => {
    const text = prefix + sample.text;
    return { ...sample, text, answer: services.extractAnswer(text) };
  });
  candidate.revised = true;
  return spec.keepOriginal || revisions.length === 0 ? [candidate, ...revisions] : revisions;
}

/** The candidate's text up to (not including) step `index`, steps being its non-empty lines as a PRM reads them. */
export function stepPrefix(text: string, index: number): string {
  let kept = 0;
  let offset = 0;
  for (const line of text.split("\n")) {
    if (line.trim().length > 0) {
      if (kept === index) break;
      kept++;
    }
    offset += line.length + 1;
  }
  return text.slice(0, Math.min(offset, text.length));
}

async function scoreUnscored(candidates: ArchitectureCandidate[], services: ComponentServices): Promise<void> {
  const unscored = candidates.filter((candidate) => candidate.score === undefined);
  if (unscored.length > 0) await services.score(unscored);
}

const formatScore = (score: number | undefined) => (score === undefined ? "none" : score.toFixed(2));
