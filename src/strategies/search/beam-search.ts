/**
 * Beam search over steps guided by a process reward model (Snell et al. 2024, as search-and-learn
 * implements it), and lookahead search, its variant that scores a step by the PRM value at the end of a
 * greedy k-step rollout.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import type { RunContext } from "../../extension/run-context.js";
import type { SearchNode } from "./search-tree.js";
import { runStepSearch, StepSearchRun, type StepSearchSettings, stepSearchOptions, stepSearchRequirements } from "./step-search.js";

const beamOptions = {
  ...stepSearchOptions({ nDescription: "Beams: partial solutions sampled each iteration", temperature: 0.8, select: "weighted-vote" }),
  beamWidth: z.number().int().min(1).max(1024).default(4).describe("Children per kept beam (M): the top n/M beams are kept and each expanded M times"),
  filterDuplicates: z.boolean().default(true).describe("Drop beams that duplicate another's partial solution before keeping the top ones"),
};

type BeamSettings = StepSearchSettings & { n: number; beamWidth: number; filterDuplicates: boolean };

export const beamSearch = defineStrategy({
  name: "beam-search",
  description: "Beam search over steps: keep the top n/M partial solutions by PRM score, expand each M times (Snell et al., 2024)",
  options: z.strictObject(beamOptions),
  ...stepSearchRequirements,
  run: (context) => runBeamSearch(context, 0),
});

/**
 * Lookahead search: beam search where a beam's value is the PRM score at the end of a greedy rollout of
 * `lookahead` more steps. Rollouts that reach an answer join the complete solutions.
 */
export const lookahead = defineStrategy({
  name: "lookahead",
  description: "Beam search that values a beam by the PRM score at the end of a greedy k-step rollout",
  options: z.strictObject({
    ...beamOptions,
    lookahead: z.number().int().min(1).max(40).default(2).describe("Steps of the greedy rollout whose end the PRM scores"),
  }),
  ...stepSearchRequirements,
  run: (context) => runBeamSearch(context, context.options.lookahead),
});

export type BeamSearchOptions = Parameters<typeof beamSearch.create>[0];
export type LookaheadOptions = Parameters<typeof lookahead.create>[0];

export const createBeamSearch = (options: BeamSearchOptions) => beamSearch.create(options);
export const createLookahead = (options: LookaheadOptions) => lookahead.create(options);

/** Greedy rollout of `lookahead` steps from a beam; the PRM score at its end is the beam's value. */
async function rollout(run: StepSearchRun, beam: SearchNode, lookahead: number): Promise<number> {
  let node = beam;
  for (let step = 0; step < lookahead && node.status !== "finished"; step++) {
    const [next] = await run.expand(node, 1, { temperature: 0 });
    if (!next) break;
    next.data = { rollout: 1 };
    if (next.status !== "finished") next.status = "pruned";
    node = next;
  }
  await run.score([node]);
  return node.score ?? 0;
}

/** Open beams, duplicates pruned where asked. */
function openBeams(run: StepSearchRun, beams: SearchNode[], filterDuplicates: boolean): SearchNode[] {
  const open = beams.filter((beam) => beam.status === "open");
  if (!filterDuplicates) return open;
  const seen = new Set<string>();
  const duplicates = open.filter((beam) => seen.has(beam.text) || !seen.add(beam.text));
  run.tree.prune(duplicates);
  return open.filter((beam) => !duplicates.includes(beam));
}

function runBeamSearch(context: RunContext<BeamSettings>, lookahead: number) {
  const { n, beamWidth, filterDuplicates } = context.options;
  const keep = Math.max(1, Math.floor(n / beamWidth));
  const run = new StepSearchRun(context);
  return runStepSearch(run, async () => {
    let beams = await run.expand(run.root, n);
    for (let iteration = 1; !run.stopped; iteration++) {
      await run.score(beams);
      const done = run.finished().filter((node) => node.data?.rollout === undefined).length;
      const open = openBeams(run, beams, filterDuplicates);
      run.progress(`iteration ${iteration}: ${open.length} open, ${done} complete`, { iteration, open: open.length, complete: done });
      if (done >= n || open.length === 0) break;
      const values = lookahead > 0 ? await Promise.all(open.map((beam) => rollout(run, beam, lookahead))) : undefined;
      open.forEach((beam, index) => {
        beam.data = { ...beam.data, value: values?.[index] ?? beam.score ?? 0 };
      });
      const kept = [...open].sort((a, b) => (b.data?.value ?? 0) - (a.data?.value ?? 0)).slice(0, keep);
      run.tree.prune(open.filter((beam) => !kept.includes(beam)));
      run.note("keep", { iteration, kept: kept.map((beam) => beam.id) });
      beams = (await Promise.all(kept.map((beam) => run.expand(beam, beamWidth)))).flat();
    }
  });
}

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** Beam search kept these beams. */
    keep: { iteration: number; kept: number[] };
  }
}
