/**
 * Beam search over steps guided by a process reward model (Snell et al. 2024, as search-and-learn
 * implements it), and lookahead search, its variant that scores a step by the PRM value at the end of a
 * greedy k-step rollout.
 */
import type { Strategy, StrategyResult } from "../core/strategy.js";
import type { SearchNode } from "./search-tree.js";
import { positiveInteger, runStepSearch, type StepSearchOptions, StepSearchRun, validateStepSearch } from "./step-search.js";

export type BeamSearchOptions = StepSearchOptions & {
  /** Beams: partial solutions sampled each iteration. Defaults to `16`. */
  n?: number;
  /** Children per kept beam (the paper's M): the top n/M beams are kept and each expanded M times. Defaults to `4`. */
  beamWidth?: number;
  /** Drop beams whose partial solution duplicates another's before keeping the top ones. Defaults to `true`. */
  filterDuplicates?: boolean;
};

export type LookaheadOptions = BeamSearchOptions & {
  /** Steps of the greedy rollout whose end the PRM scores. Defaults to `2`. */
  lookahead?: number;
};

export function createBeamSearch(options: BeamSearchOptions): Strategy {
  return createBeamStrategy("beam-search", options, 0);
}

/**
 * Lookahead search: beam search where a beam's value is the PRM score at the end of a greedy rollout of
 * `lookahead` more steps. Rollouts that reach an answer join the complete solutions.
 */
export function createLookahead(options: LookaheadOptions): Strategy {
  return createBeamStrategy("lookahead", options, positiveInteger("lookahead", options?.lookahead ?? 2, 40));
}

function createBeamStrategy(name: string, options: BeamSearchOptions, lookahead: number): Strategy {
  const settings = validateStepSearch(name, options, { temperature: 0.8, select: "weighted-vote" });
  const n = positiveInteger("n", options.n ?? 16);
  const beamWidth = positiveInteger("beamWidth", options.beamWidth ?? 4);
  const keep = Math.max(1, Math.floor(n / beamWidth));
  const filterDuplicates = options.filterDuplicates ?? true;
  return {
    name,
    async run(runOptions): Promise<StrategyResult> {
      const run = new StepSearchRun({ name, run: runOptions, settings });
      const value = new Map<number, number>();
      const rollout = async (beam: SearchNode): Promise<void> => {
        let node = beam;
        for (let step = 0; step < lookahead && node.status !== "finished"; step++) {
          const [next] = await run.expand(node, 1, { temperature: 0 });
          if (!next) break;
          next.data = { rollout: 1 };
          if (next.status !== "finished") next.status = "pruned";
          node = next;
        }
        await run.score([node]);
        value.set(beam.id, node.score ?? 0);
      };
      return runStepSearch(run, async () => {
        let beams = await run.expand(run.root, n);
        for (let iteration = 1; !run.stopped; iteration++) {
          await run.score(beams);
          const done = run.finished().filter((node) => node.data?.rollout === undefined).length;
          let open = beams.filter((beam) => beam.status === "open");
          if (filterDuplicates) {
            const seen = new Set<string>();
            const duplicates = open.filter((beam) => seen.has(beam.text) || !seen.add(beam.text));
            run.tree.prune(duplicates);
            open = open.filter((beam) => !duplicates.includes(beam));
          }
          run.progress(`iteration ${iteration}: ${open.length} open, ${done} complete`, { iteration, open: open.length, complete: done });
          if (done >= n || open.length === 0) break;
          if (lookahead > 0) await Promise.all(open.map(rollout));
          for (const beam of open) beam.data = { ...beam.data, value: value.get(beam.id) ?? beam.score ?? 0 };
          const kept = [...open].sort((a, b) => (b.data?.value ?? 0) - (a.data?.value ?? 0)).slice(0, keep);
          run.tree.prune(open.filter((beam) => !kept.includes(beam)));
          run.note("keep", { iteration, kept: kept.map((beam) => beam.id) });
          beams = (await Promise.all(kept.map((beam) => run.expand(beam, beamWidth)))).flat();
        }
      });
    },
  };
}
