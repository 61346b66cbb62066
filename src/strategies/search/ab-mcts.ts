/**
 * AB-MCTS (Adaptive Branching MCTS, Inoue et al., 2025, after TreeQuest's AB-MCTS-A): a tree of whole answers.
 * From the root down, each node offers "generate" (a new child: at the root a fresh sample, below it a
 * refinement of the node's answer) or one of its children; Thompson sampling picks, each option's
 * Beta(1 + Σ score, 1 + Σ (1 − score)) posterior built from the verifier's scores of what it produced (a child:
 * its whole subtree). So the search widens while fresh samples score well and deepens while refinements do.
 * A refinement here is the bundled one: the policy resamples from before the first step the (process) verifier
 * scores lowest. The answer is the best-scored node; the tree is in the trace (`search-tree`). With `models`
 * (AB-MCTS-M's question: which model), each new answer's model is also chosen by Thompson sampling, on the
 * posterior of the scores of what each model produced so far.
 */
import { z } from "zod";
import type { SearchTreeTrace } from "../../core/trace-event.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import { createRandom, type Random } from "../../internal/seeded-random.js";
import type { ArchitectureCandidate } from "../compose/component.js";
import { createServices } from "../compose/run-architecture.js";
import { stepPrefix } from "../compose/verifier-components.js";
import { highestScored } from "../majority-vote.js";
import { modelList, modelListOption, samplesOption, temperatureOption } from "../sampling-options.js";

type TreeNode = {
  id: number;
  parent: TreeNode | undefined;
  candidate: ArchitectureCandidate | undefined;
  stepScores: number[] | undefined;
  children: TreeNode[];
  /** Scores of the children "generate" made here. */
  generated: number[];
  /** Scores of this node and every node under it. */
  subtree: number[];
};

/** A Gamma(shape ≥ 1) draw (Marsaglia and Tsang, 2000). */
function gamma(random: Random, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // A standard normal by Box-Muller.
      x = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random.next();
    if (Math.log(1 - u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A draw from the Beta posterior of scores in [0, 1] under a uniform prior. */
export function thompsonDraw(random: Random, scores: readonly number[]): number {
  const good = 1 + scores.reduce((sum, score) => sum + score, 0);
  const bad = 1 + scores.reduce((sum, score) => sum + (1 - score), 0);
  const x = gamma(random, good);
  return x / (x + gamma(random, bad));
}

export const abMcts = defineStrategy({
  name: "ab-mcts",
  description: "Adaptive-branching MCTS over whole answers: Thompson sampling chooses a fresh sample or refining an answer (AB-MCTS, after TreeQuest)",
  options: z.strictObject({
    n: samplesOption(8, "Answers generated in all (fresh samples and refinements). Default: 8"),
    temperature: temperatureOption(0.7),
    models: modelListOption(
      "Models that generate, `|`-separated specs (over HTTP: names of models the server serves), each answer's chosen by Thompson sampling on what it scored so far. Default: the run's alone",
    ),
  }),
  verifier: "required",
  continuesText: true,
  models: (settings) => modelList(settings.models).filter((spec): spec is string => spec !== undefined),
  async run(context) {
    const { n, temperature } = context.options;
    const services = createServices(context);
    const random = createRandom(context.call.seed ?? 0);
    // Each model's scores so far (`undefined`: the run's model).
    const byModel = new Map(modelList(context.options.models).map((spec) => [spec, [] as number[]]));
    const pickModel = () => {
      const specs = [...byModel.keys()];
      const draws = specs.map((spec) => thompsonDraw(random, byModel.get(spec) ?? []));
      return specs[draws.indexOf(Math.max(...draws))];
    };
    const root: TreeNode = { id: 0, parent: undefined, candidate: undefined, stepScores: undefined, children: [], generated: [], subtree: [] };
    const nodes: TreeNode[] = [root];
    while (nodes.length - 1 < n && !context.meter.signal.aborted) {
      let node = root;
      for (;;) {
        const draws = [thompsonDraw(random, node.generated), ...node.children.map((child) => thompsonDraw(random, child.subtree))];
        const pick = draws.indexOf(Math.max(...draws));
        if (pick === 0) break;
        node = node.children[pick - 1] as TreeNode;
      }
      const model = byModel.size > 1 ? pickModel() : [...byModel.keys()][0];
      const child = await generate(node, nodes.length, services, { temperature, model });
      if (!child) break;
      nodes.push(child);
      const score = child.candidate?.score ?? 0;
      byModel.get(model)?.push(score);
      node.generated.push(score);
      for (let ancestor: TreeNode | undefined = child; ancestor && ancestor !== root; ancestor = ancestor.parent) ancestor.subtree.push(score);
    }
    const scored = nodes.flatMap((node) => (node.candidate ? [node.candidate] : []));
    const chosen = highestScored(scored);
    context.trace("search-tree", treeTrace(nodes, chosen));
    const candidates = scored.map(({ critique: _critique, weakStep: _weakStep, revised: _revised, ...candidate }) => candidate);
    return { chosen, confidence: chosen?.score ?? 0, candidates };
  },
});

/** A new child of `node`: a fresh sample under the root, else a refinement of the node's answer; scored. */
async function generate(
  node: TreeNode,
  id: number,
  services: ReturnType<typeof createServices>,
  settings: { temperature: number; model: string | undefined },
): Promise<TreeNode | undefined> {
  let prefix = "";
  if (node.candidate) {
    const steps = node.stepScores ?? [];
    // From before the step the verifier doubts most (its first, where it scores no steps).
    const weakest = steps.length > 0 ? steps.indexOf(Math.min(...steps)) : 0;
    prefix = stepPrefix(node.candidate.text, weakest);
  }
  const [sample] = await services.sample({
    n: 1,
    temperature: settings.temperature,
    ...(prefix ? { prefix } : {}),
    ...(settings.model !== undefined ? { model: settings.model } : {}),
  });
  if (!sample) return undefined;
  const text = prefix + sample.text;
  const candidate: ArchitectureCandidate = { ...sample, text, answer: services.extractAnswer(text) };
  const { stepScores } = await services.score([candidate]);
  const child: TreeNode = { id, parent: node, candidate, stepScores: stepScores[0], children: [], generated: [], subtree: [] };
  node.children.push(child);
  return child;
}

function treeTrace(nodes: TreeNode[], chosen: ArchitectureCandidate | undefined): SearchTreeTrace {
  const depth = (node: TreeNode): number => (node.parent ? 1 + depth(node.parent) : 0);
  const chosenNode = nodes.find((node) => node.candidate === chosen);
  const path: number[] = [];
  for (let node = chosenNode; node; node = node.parent) path.unshift(node.id);
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      parent: node.parent?.id ?? null,
      depth: depth(node),
      step: node.candidate ? (node.parent?.candidate ? "refine" : "sample") : "",
      score: node.candidate?.score ?? null,
      status: node === nodes[0] || node.children.length > 0 ? "expanded" : "finished",
    })),
    chosen: path,
  };
}

export type AbMctsOptions = NonNullable<Parameters<typeof abMcts.create>[0]>;

export const createAbMcts = (options: AbMctsOptions) => abMcts.create(options);
