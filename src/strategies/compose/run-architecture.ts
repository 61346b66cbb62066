/**
 * Runs an architecture: its layers in order, each layer's components on the previous layer's candidates (a
 * generator layer adds to them; any other layer's components each return their own list, joined). Every model
 * call goes through the run's metered model, so budgets, cancellation and usage hold as for any strategy; each
 * layer's work is one `layer` trace event.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import type { Candidate } from "../../core/strategy-report.js";
import { type RunContext, type RunOutcome, unresolvedStrategyError } from "../../extension/run-context.js";
import { scoreCandidates } from "../../extension/score-candidates.js";
import { isStopError } from "../../extension/stop-error.js";
import { lastUserText } from "../../internal/prompt-text.js";
import { callSeedStride, seedAt } from "../../internal/seeds.js";
import { continuePrompt } from "../../middleware/continue-prompt.js";
import { firstWithAnswer, highestScored, majorityVote } from "../majority-vote.js";
import type { Architecture, ComponentSpec } from "./architecture.js";
import type { ArchitectureCandidate, Component, ComponentServices } from "./component.js";
import { promptCritic, promptFuser, promptRanker, promptRefiner, promptVerifier } from "./prompt-components.js";
import { testVerifier } from "./test-components.js";
import { resampleRefiner, samplingGenerator, verifierCritic, verifierFilter, verifierRanker, voteFuser } from "./verifier-components.js";

export function createComponent(spec: ComponentSpec): Component {
  switch (spec.role) {
    case "generator":
      return samplingGenerator(spec);
    case "critic":
      return spec.using === "verifier" ? verifierCritic(spec) : promptCritic(spec);
    case "ranker":
      return spec.using === "verifier" ? verifierRanker(spec) : promptRanker(spec);
    case "fuser":
      return spec.using === "prompt" ? promptFuser(spec) : voteFuser(spec);
    case "verifier":
      return spec.using === "verifier" ? verifierFilter(spec) : spec.using === "tests" ? testVerifier(spec) : promptVerifier(spec);
    case "refiner":
      return spec.using === "resample" ? resampleRefiner(spec) : promptRefiner(spec);
  }
}

export async function runArchitecture(context: RunContext<unknown>, architecture: Architecture): Promise<RunOutcome> {
  const services = createServices(context);
  const produced = new Set<ArchitectureCandidate>();
  let candidates: ArchitectureCandidate[] = [];
  for (const [index, layer] of architecture.layers.entries()) {
    if (context.meter.signal.aborted) break;
    const components = layer.map(createComponent);
    const before = { tokens: context.meter.usage().completionTokens, verifier: context.verifierTokens };
    const outputs = await Promise.all(components.map((component) => component.run({ candidates, services })));
    const joined = [...new Set(outputs.flat())];
    candidates = components[0]?.role === "generator" ? [...candidates, ...joined] : joined;
    for (const candidate of candidates) produced.add(candidate);
    context.trace("layer", {
      index,
      role: components[0]?.role ?? "generator",
      components: components.map((component) => component.name),
      candidates: candidates.length,
      answers: majorityVote(candidates).votes,
      completionTokens: context.meter.usage().completionTokens - before.tokens,
      verifierTokens: context.verifierTokens - before.verifier,
    });
    if (candidates.length === 0) break;
  }
  return select(context, architecture, candidates, [...produced]);
}

async function select(context: RunContext<unknown>, architecture: Architecture, final: ArchitectureCandidate[], all: Candidate[]): Promise<RunOutcome> {
  if (architecture.select === "best" && final.some((candidate) => candidate.score === undefined) && context.verifier)
    await context.score(final.filter((candidate) => candidate.score === undefined));
  const candidates = all.map(({ critique: _critique, weakStep: _weakStep, revised: _revised, ...candidate }: ArchitectureCandidate) => candidate as Candidate);
  if (architecture.select === "vote") {
    const { answer, votes, confidence } = majorityVote(final);
    context.trace("vote", { answer, votes });
    return { chosen: firstWithAnswer(final, answer) ?? final[0], confidence, candidates, votes };
  }
  const chosen = architecture.select === "best" ? highestScored(final) : final[0];
  return { chosen, confidence: chosen?.score ?? (chosen ? 1 / final.length : 0), candidates };
}

/** What components may use, over the run's context: calls metered and cancelled with the run, seeds apart. */
export function createServices(context: RunContext<unknown>): ComponentServices {
  let calls = 0;
  let programs = -1;
  const nextSeed = () => seedAt(context.call.seed, ++calls, callSeedStride);
  const prompt = context.call.prompt;
  const stopped = () => context.meter.signal.aborted;
  // A layer's components call the model for every candidate at once, each call listening on the run's signal.
  setMaxListeners(Math.max(getMaxListeners(context.meter.signal), 256), context.meter.signal);
  return {
    prompt,
    problem: typeof prompt === "string" ? prompt : lastUserText(prompt),
    abortSignal: context.meter.signal,
    extractAnswer: context.extractAnswer,
    async sample({ n, temperature, prefix, maxTokens, model: spec }) {
      if (stopped()) return [];
      const seed = nextSeed();
      const model = context.modelFor(spec);
      const call = {
        ...(prefix !== undefined ? { prompt: continuePrompt({ prompt, prefix, model, feature: context.name }) } : {}),
        ...(maxTokens ? { maxTokens } : {}),
        ...(seed !== undefined ? { seed } : {}),
      };
      const drawn = await context.sample({ n, waveSize: context.waveSize(n, undefined), temperature, call, model });
      return spec === undefined ? drawn : drawn.map((candidate) => ({ ...candidate, model: spec }));
    },
    async complete({ prompt: instruction, temperature, maxTokens, model: spec }) {
      if (stopped()) return "";
      const seed = nextSeed();
      const asked = typeof instruction === "string" ? [{ role: "user" as const, content: instruction }] : instruction;
      const most = maxTokens ?? context.call.maxTokens;
      const result = await context
        .modelFor(spec)
        .doGenerate({ prompt: asked, n: 1, temperature, ...(most ? { maxTokens: most } : {}), ...(seed !== undefined ? { seed } : {}) })
        .catch((error: unknown) => {
          if (isStopError(error)) return undefined;
          throw error;
        });
      if (result) context.warn(result.warnings);
      return result?.completions[0]?.text ?? "";
    },
    async score(candidates) {
      const verifier = context.verifier;
      if (!verifier) throw new Error(`${context.name}: a component scores with the run's verifier, which it has none of`);
      const { tokens, stepScores } = await scoreCandidates({ verifier, prompt, candidates, abortSignal: context.abortSignal });
      context.countVerifier(tokens);
      return { stepScores };
    },
    warn(message) {
      if (!stopped()) context.warn([{ type: "other", message }]);
    },
    async runStrategy({ spec, model: modelSpec }) {
      if (stopped()) return undefined;
      if (!context.resolveStrategy) throw unresolvedStrategyError(context.name, spec);
      const seed = nextSeed();
      const result = await context.resolveStrategy(spec).run({
        environment: context.environment,
        model: context.modelFor(modelSpec),
        call: { ...context.call, ...(seed !== undefined ? { seed } : {}) },
        abortSignal: context.meter.signal,
      });
      context.countInnerVerifiers(result);
      context.warn(result.warnings);
      if (result.candidates.length === 0 && result.answer === undefined) return undefined;
      return {
        text: result.text,
        answer: result.answer,
        finishReason: "stop",
        completionTokens: result.usage.completionTokens,
        ...(modelSpec !== undefined ? { model: modelSpec } : {}),
      };
    },
    async runCode({ code, timeoutMs }) {
      if (stopped()) return undefined;
      const result = await context.sandbox().run({ language: "python", code, timeoutMs, signal: context.meter.signal });
      context.trace("code-run", {
        candidate: ++programs,
        exitReason: result.exitReason,
        stdout: result.stdout.slice(0, 500),
        ...(result.error ? { error: result.error } : {}),
      });
      return result.exitReason === "ok" ? result.stdout : undefined;
    },
  };
}

// This strategy's own trace event (core's union is open: see `TraceEventData`).
declare module "../../core/trace-event.js" {
  interface TraceEventData {
    /**
     * A layer of a composed architecture ran: its role and components, the candidates it passed on and their
     * answers, and what it spent.
     */
    layer: {
      index: number;
      role: string;
      components: string[];
      candidates: number;
      answers: Record<string, number>;
      completionTokens: number;
      verifierTokens: number;
    };
  }
}
