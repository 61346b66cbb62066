/**
 * The roles a chat model plays by prompt: critic and refiner (self-refine, Madaan et al., 2023), ranker
 * (GenSelect: pick the best of a list, or a knockout of pairs), fuser (mixture-of-agents' aggregator, Wang et
 * al., 2024) and verifier (a correct/incorrect verdict, as Archon's). Each prompt is overridable (`template`).
 * Replies are parsed leniently; a reply that cannot be read leaves the candidates as they were, with a warning,
 * never an exception.
 */

import { type ComponentSpec, componentName } from "./architecture.js";
import type { ArchitectureCandidate, Component, ComponentServices } from "./component.js";

type Spec<Role extends ComponentSpec["role"]> = Extract<ComponentSpec, { role: Role }>;

export const defaultTemplates = {
  critic:
    "Problem:\n{problem}\n\nProposed solution:\n{candidate}\n\nReview the proposed solution step by step. Name the first step that is wrong and say why, or say that every step is right. End with one line: `Verdict: correct` or `Verdict: incorrect`.",
  refiner:
    "Problem:\n{problem}\n\nEarlier solution:\n{candidate}\n\nFeedback on it:\n{critique}\n\nWrite an improved solution that addresses the feedback (keep what was right). Solve it step by step and end with the final answer in the same form as the earlier solution.",
  ranker:
    "Problem:\n{problem}\n\nCandidate solutions:\n\n{candidates}\n\nCompare the candidates: check each one's reasoning and final answer. Then end with one line naming the best one: `Best: <number>`.",
  rankerList:
    "Problem:\n{problem}\n\nCandidate solutions:\n\n{candidates}\n\nCompare the candidates: check each one's reasoning and final answer. Then end with one line ranking them from best to worst by number: `Ranking: 2, 1, 3`.",
  fuser:
    "You have been given a set of responses to the problem below, from several solvers. Synthesize them into one correct, high-quality solution. Critically evaluate them: some may be wrong. Do not simply copy one; solve it step by step and end with the final answer in the same form as the responses.\n\nProblem:\n{problem}\n\nResponses:\n\n{candidates}",
  verifier:
    "Problem:\n{problem}\n\nProposed solution:\n{candidate}\n\nIs the proposed solution correct? Check it step by step, then end with one line: `Verdict: correct` or `Verdict: incorrect`.",
} as const;

/** Fills `{name}` with `values[name]` (`{problem}`, `{candidate}`, `{critique}`, `{candidates}`, ...); unknown braces stay as they are. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** `Solution 1:\n...\n\nSolution 2:\n...` (with each one's critique where a critic gave one). */
export function listCandidates(candidates: ArchitectureCandidate[]): string {
  return candidates
    .map((candidate, index) => `Solution ${index + 1}:\n${candidate.text.trim()}${candidate.critique ? `\n(Critique: ${candidate.critique.trim()})` : ""}`)
    .join("\n\n");
}

/** The verdict of the reply's last `Verdict:` line (else its last "correct"/"incorrect" word); undefined where it says neither. */
export function parseVerdict(reply: string): boolean | undefined {
  const lines = [...reply.matchAll(/verdict\W*\s*(correct|incorrect|right|wrong|yes|no)\b/gi)];
  const word = (lines.at(-1)?.[1] ?? [...reply.matchAll(/\b(incorrect|correct)\b/gi)].at(-1)?.[1])?.toLowerCase();
  if (word === undefined) return undefined;
  return word === "correct" || word === "right" || word === "yes";
}

/** The candidate number the reply names as best (1-based in the reply, returned 0-based); undefined where it names none in range. */
export function parseBest(reply: string, count: number): number | undefined {
  const named = [...reply.matchAll(/best\W*(?:solution|candidate|response|one)?\W*(?:is\W*)?(?:solution|candidate|response)?\W*#?(\d+)/gi)].at(-1)?.[1];
  const fallback = named ?? [...reply.matchAll(/(?:solution|candidate|response)\s*#?(\d+)/gi)].at(-1)?.[1];
  const index = fallback === undefined ? Number.NaN : Number(fallback) - 1;
  return Number.isInteger(index) && index >= 0 && index < count ? index : undefined;
}

/** The order of a `Ranking: 2, 1, 3` line (0-based), missing candidates after in their own order; undefined where there is no ranking. */
export function parseRanking(reply: string, count: number): number[] | undefined {
  const line = [...reply.matchAll(/ranking\W*([^\n]*)/gi)].at(-1)?.[1];
  if (line === undefined) return undefined;
  const named = [...line.matchAll(/\d+/g)].map((match) => Number(match[0]) - 1).filter((index) => index >= 0 && index < count);
  const order = [...new Set(named)];
  if (order.length === 0) return undefined;
  for (let index = 0; index < count; index++) if (!order.includes(index)) order.push(index);
  return order;
}

const callOptions = (spec: { temperature: number; maxTokens?: number | undefined; model?: string | undefined }) => ({
  temperature: spec.temperature,
  ...(spec.maxTokens ? { maxTokens: spec.maxTokens } : {}),
  ...(spec.model !== undefined ? { model: spec.model } : {}),
});

export function promptCritic(spec: Spec<"critic">): Component {
  const template = spec.template ?? defaultTemplates.critic;
  return {
    role: "critic",
    name: componentName("critic:prompt", spec),
    async run({ candidates, services }) {
      return Promise.all(
        candidates.map(async (candidate) => {
          if (candidate.critique !== undefined) return candidate;
          const reply = await services.complete({
            prompt: fillTemplate(template, { problem: services.problem, candidate: candidate.text }),
            ...callOptions(spec),
          });
          if (reply.trim().length === 0) services.warn("critic: an empty critique; the candidate goes on without one");
          else candidate.critique = reply.trim();
          return candidate;
        }),
      );
    },
  };
}

export function promptRefiner(spec: Spec<"refiner">): Component {
  const template = spec.template ?? defaultTemplates.refiner;
  return {
    role: "refiner",
    name: componentName("refiner:prompt", spec),
    async run({ candidates, services }) {
      const revised = await Promise.all(candidates.map((candidate) => refineOne(candidate, template, spec, services)));
      return revised.flat();
    },
  };
}

async function refineOne(candidate: ArchitectureCandidate, template: string, spec: Spec<"refiner">, services: ComponentServices) {
  if (candidate.revised) return [candidate];
  const prompt = fillTemplate(template, { problem: services.problem, candidate: candidate.text, critique: candidate.critique ?? "(none)" });
  const replies = await Promise.all(Array.from({ length: spec.samples }, () => services.complete({ prompt, ...callOptions(spec) })));
  const revisions = replies.filter((reply) => reply.trim().length > 0).map((reply) => textCandidate(reply, services, spec.model));
  if (revisions.length < replies.length) services.warn("refiner: an empty revision was dropped");
  candidate.revised = true;
  return spec.keepOriginal || revisions.length === 0 ? [candidate, ...revisions] : revisions;
}

/** A candidate made of a prompt role's reply (tokens are counted by the run's meter, not here). */
function textCandidate(text: string, services: ComponentServices, model: string | undefined): ArchitectureCandidate {
  return { text: text.trim(), answer: services.extractAnswer(text), finishReason: "stop", completionTokens: 0, ...(model !== undefined ? { model } : {}) };
}

export function promptFuser(spec: Spec<"fuser">): Component {
  const template = spec.template ?? defaultTemplates.fuser;
  return {
    role: "fuser",
    name: componentName("fuser:prompt", spec),
    async run({ candidates, services }) {
      if (candidates.length <= 1) return candidates;
      const reply = await services.complete({
        prompt: fillTemplate(template, { problem: services.problem, candidates: listCandidates(candidates) }),
        ...callOptions(spec),
      });
      if (reply.trim().length === 0) {
        services.warn("fuser: an empty synthesis; the candidates go on unfused");
        return candidates;
      }
      return [textCandidate(reply, services, spec.model)];
    },
  };
}

export function promptVerifier(spec: Spec<"verifier">): Component {
  const template = spec.template ?? defaultTemplates.verifier;
  return {
    role: "verifier",
    name: componentName("verifier:prompt", spec),
    async run({ candidates, services }) {
      const verdicts = await Promise.all(
        candidates.map(async (candidate) =>
          parseVerdict(
            await services.complete({
              prompt: fillTemplate(template, { problem: services.problem, candidate: candidate.text }),
              temperature: 0,
              ...(spec.model !== undefined ? { model: spec.model } : {}),
            }),
          ),
        ),
      );
      if (verdicts.some((verdict) => verdict === undefined)) services.warn("verifier: a verdict could not be read; that candidate is kept");
      const passed = candidates.filter((_, index) => verdicts[index] !== false);
      if (passed.length > 0 || candidates.length === 0) return passed;
      services.warn(`verifier: every candidate was judged incorrect; all ${candidates.length} kept`);
      return candidates;
    },
  };
}

export function promptRanker(spec: Spec<"ranker">): Component {
  return {
    role: "ranker",
    name: componentName(`ranker:prompt:${spec.mode}`, spec),
    async run({ candidates, services }) {
      if (candidates.length <= 1) return candidates;
      const order = spec.mode === "tournament" ? await tournament(candidates, spec, services) : await rankList(candidates, spec, services);
      return order.slice(0, spec.topK).map((index) => candidates[index] as ArchitectureCandidate);
    },
  };
}

async function rankList(candidates: ArchitectureCandidate[], spec: Spec<"ranker">, services: ComponentServices): Promise<number[]> {
  const keepOrder = candidates.map((_, index) => index);
  const template = spec.template ?? (spec.topK > 1 ? defaultTemplates.rankerList : defaultTemplates.ranker);
  const reply = await services.complete({
    prompt: fillTemplate(template, { problem: services.problem, candidates: listCandidates(candidates) }),
    ...callOptions(spec),
  });
  if (spec.topK > 1) {
    const ranking = parseRanking(reply, candidates.length);
    if (ranking) return ranking;
  }
  const best = parseBest(reply, candidates.length);
  if (best === undefined) {
    services.warn("ranker: the reply named no candidate; the order is kept");
    return keepOrder;
  }
  return [best, ...keepOrder.filter((index) => index !== best)];
}

/** A knockout of pairs (a bye for an odd one out); returns the winner, then the others by the round they fell in, latest first. */
async function tournament(candidates: ArchitectureCandidate[], spec: Spec<"ranker">, services: ComponentServices): Promise<number[]> {
  const template = spec.template ?? defaultTemplates.ranker;
  let round = candidates.map((_, index) => index);
  const fallen: number[][] = [];
  while (round.length > 1) {
    const pairs: [number, number][] = [];
    for (let index = 0; index + 1 < round.length; index += 2) pairs.push([round[index] as number, round[index + 1] as number]);
    const winners = await Promise.all(
      pairs.map(async ([first, second]) => {
        const pair = [candidates[first], candidates[second]] as ArchitectureCandidate[];
        const reply = await services.complete({
          prompt: fillTemplate(template, { problem: services.problem, candidates: listCandidates(pair) }),
          ...callOptions(spec),
        });
        const best = parseBest(reply, 2);
        if (best === undefined) services.warn("ranker: a match's reply named no candidate; the first of the pair goes on");
        return best === 1 ? second : first;
      }),
    );
    fallen.push(round.filter((index) => !winners.includes(index) && (round.length % 2 === 0 || index !== round.at(-1))));
    round = round.length % 2 === 1 ? [...winners, round.at(-1) as number] : winners;
  }
  return [...round, ...fallen.reverse().flat()];
}
