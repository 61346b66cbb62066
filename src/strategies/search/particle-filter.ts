/**
 * Particle filtering over steps (Puri et al. 2025, "Rollout Roulette"): n particles each take a step;
 * the PRM's score r of each prefix becomes a weight softmax(log(r / (1 - r)) / τ); particles are
 * resampled multinomially (finished ones too, as the reference code does) and the survivors step on.
 * With `sweeps` > 1 it is particle Gibbs: every later sweep keeps the previous sweep's best particle
 * as a reference trajectory that survives every resampling.
 */
import { z } from "zod";
import { defineStrategy } from "../../extension/define-strategy.js";
import { createRandom, type Random } from "../../internal/seeded-random.js";
import type { SearchNode } from "./search-tree.js";
import { byScore, runStepSearch, StepSearchRun, stepSearchOptions, stepSearchRequirements } from "./step-search.js";

/** Resampling weights from PRM scores: softmax of inverse-sigmoid logits over τ. */
export function particleWeights(scores: number[], softmaxTemperature: number): number[] {
  const logits = scores.map((score) => {
    const r = Math.min(1 - 1e-6, Math.max(1e-6, score));
    return Math.log(r / (1 - r)) / softmaxTemperature;
  });
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** `count` indices drawn with replacement in proportion to `weights`. */
export function multinomial(weights: number[], count: number, random: Random): number[] {
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) {
    total += weight;
    cumulative.push(total);
  }
  return Array.from({ length: count }, () => {
    const draw = random.next() * total;
    const index = cumulative.findIndex((bound) => draw < bound);
    return index === -1 ? weights.length - 1 : index;
  });
}

export const particleFilter = defineStrategy({
  name: "particle-filter",
  description: "Particle filtering over steps: PRM-weighted multinomial resampling; sweeps > 1 is particle Gibbs (Puri et al., 2025)",
  options: z.strictObject({
    ...stepSearchOptions({ nDescription: "Particles", temperature: 0.8, select: "best" }),
    softmaxTemperature: z.number().gt(0).max(100).default(1).describe("Softmax temperature τ of the resampling weights"),
    resampleFinished: z.boolean().default(true).describe("Resample finished particles along with active ones (the reference scripts' --resample-inactive)"),
    sweeps: z.number().int().min(1).max(64).default(1).describe("Sweeps; more than 1 runs particle Gibbs with a reference particle"),
  }),
  ...stepSearchRequirements,
  run(context) {
    const { n, softmaxTemperature, sweeps, resampleFinished } = context.options;
    const run = new StepSearchRun(context);
    const random = createRandom((context.call.seed ?? Math.floor(Math.random() * 2 ** 31)) ^ 0x2545f491);
    const filter: Filter = { run, random, n, softmaxTemperature, resampleFinished };
    return runStepSearch(run, async () => {
      let reference: SearchNode[] = [];
      for (let sweep = 1; sweep <= sweeps && !run.stopped; sweep++) {
        const particles = await runSweep(filter, sweep, reference);
        const best = byScore(particles.filter((particle) => particle.status === "finished"))[0];
        if (best)
          reference = run.tree
            .path(best)
            .slice(1)
            .map((id) => run.tree.nodes[id] as SearchNode);
      }
    });
  },
});

type Filter = { run: StepSearchRun; random: Random; n: number; softmaxTemperature: number; resampleFinished: boolean };

/** Steps every active particle once; particles on the same node share one call. */
async function stepParticles(run: StepSearchRun, particles: SearchNode[]): Promise<SearchNode[]> {
  const groups = new Map<SearchNode, number>();
  for (const particle of particles) if (particle.status !== "finished") groups.set(particle, (groups.get(particle) ?? 0) + 1);
  const children = new Map<SearchNode, SearchNode[]>();
  await Promise.all([...groups].map(async ([node, count]) => children.set(node, await run.expand(node, count))));
  await run.score([...children.values()].flat());
  // A particle whose step the budget cut off stays where it was.
  return particles.map((particle) => (particle.status === "finished" ? particle : (children.get(particle)?.shift() ?? particle)));
}

/**
 * One sweep: n particles from the root, resampled by weight after every step until all finish. With a
 * reference trajectory (particle Gibbs), its node at each depth holds the first slot and survives resampling.
 */
async function runSweep(filter: Filter, sweep: number, reference: SearchNode[]): Promise<SearchNode[]> {
  const { run, random, n, softmaxTemperature, resampleFinished } = filter;
  const referenceAt = (depth: number) => reference[Math.min(depth, reference.length) - 1];
  let particles = await stepParticles(
    run,
    Array.from({ length: reference.length > 0 ? n - 1 : n }, () => run.root),
  );
  if (reference.length > 0) particles = [referenceAt(1) as SearchNode, ...particles];
  for (let depth = 1; !run.stopped && particles.some((particle) => particle.status !== "finished"); depth++) {
    const pool = resampleFinished ? particles : particles.filter((particle) => particle.status !== "finished");
    const kept = resampleFinished ? [] : particles.filter((particle) => particle.status === "finished");
    const weights = particleWeights(
      pool.map((particle) => particle.score ?? 0),
      softmaxTemperature,
    );
    const free = reference.length > 0 ? pool.length - 1 : pool.length;
    const drawn = multinomial(weights, free, random).map((index) => pool[index] as SearchNode);
    const held = reference.length > 0 ? particles[0] : undefined;
    run.tree.prune(particles.filter((particle) => particle !== held && !drawn.includes(particle)));
    run.note("resample", { sweep, depth, weights, drawn: drawn.map((particle) => particle.id) });
    const next = await stepParticles(run, drawn);
    const ahead = referenceAt(depth + 1);
    particles = [...(ahead ? [ahead] : []), ...next, ...kept];
    const active = particles.filter((particle) => particle.status !== "finished").length;
    run.progress(`sweep ${sweep}, step ${depth}: ${active} of ${particles.length} particles active`, { sweep, depth, active });
  }
  return particles;
}

export type ParticleFilterOptions = Parameters<typeof particleFilter.create>[0];

export const createParticleFilter = (options: ParticleFilterOptions) => particleFilter.create(options);

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /** Particle filtering resampled. */
    resample: { sweep: number; depth: number; weights: number[]; drawn: number[] };
  }
}
