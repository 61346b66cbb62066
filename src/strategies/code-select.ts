import { z } from "zod";
import type { Candidate } from "../core/strategy-report.js";
import { defineStrategy } from "../extension/define-strategy.js";
import { contentText } from "../internal/prompt-text.js";
import { codeAnswer } from "../tasks/humaneval-program.js";
import { type Doctest, doctestHarness, doctestsOf } from "./doctests.js";
import { samplesOption, temperatureOption } from "./sampling-options.js";

type Behaviour = { passed: number; signature: string };

/**
 * Execution-based selection for code (after AlphaCode and CodeT): n programs, each run on the examples the problem
 * shows; the programs that pass the most examples are kept, and of those the largest group that behaves alike
 * (returns the same values) wins. Without examples, the most frequent identical program.
 */
export const codeSelect = defineStrategy({
  name: "code-select",
  description: "Samples n programs, runs each on the problem's examples in the sandbox, keeps those passing most, picks the largest group behaving alike",
  options: z.strictObject({
    n: samplesOption(8, "Programs to sample"),
    temperature: temperatureOption(0.8),
    codeTimeoutMs: z.number().int().min(1).max(600_000).default(10_000).describe("Wall-time limit of each program's run"),
  }),
  async run(context) {
    const { n, temperature, codeTimeoutMs } = context.options;
    const prompt = context.call.prompt;
    const problem = typeof prompt === "string" ? prompt : contentText(prompt.findLast((message) => message.role === "user")?.content ?? "");
    const doctests = doctestsOf(problem);
    const drawn = await context.sample({ n, temperature, waveSize: context.waveSize(n, undefined) });
    const candidates: Candidate[] = drawn.map((candidate) => ({ ...candidate, answer: codeAnswer(candidate.text) }));
    const behaviours = await behavioursOf(candidates, doctests, async (code, index) => {
      const result = await context
        .sandbox()
        .run({ language: "python", code, timeoutMs: codeTimeoutMs, ...(context.abortSignal ? { signal: context.abortSignal } : {}) });
      context.trace("code-run", {
        candidate: index,
        exitReason: result.exitReason,
        stdout: result.stdout.slice(0, 500),
        ...(result.error ? { error: result.error } : {}),
      });
      return result.exitReason === "ok" ? result.stdout : undefined;
    });
    const chosen = choose(candidates, behaviours);
    const votes: Record<string, number> = {};
    for (const [index, behaviour] of behaviours.entries()) {
      if (!behaviour) continue;
      const label = `passes ${behaviour.passed}/${doctests.length}: ${behaviour.signature}`.slice(0, 120);
      votes[label] = (votes[label] ?? 0) + (candidates[index]?.answer === undefined ? 0 : 1);
    }
    context.trace("select", { answer: chosen?.answer, votes });
    const group = chosen ? behaviours[candidates.indexOf(chosen)] : undefined;
    const alike = group ? behaviours.filter((item) => item?.signature === group.signature && item.passed === group.passed).length : 0;
    return { chosen, answer: chosen?.answer, confidence: candidates.length === 0 ? 0 : alike / candidates.length, candidates, votes };
  },
});

/** Each candidate's behaviour on the examples (undefined: no program, or it failed to run). */
async function behavioursOf(candidates: Candidate[], doctests: readonly Doctest[], run: (code: string, index: number) => Promise<string | undefined>) {
  const cache = new Map<string, Promise<string | undefined>>();
  return Promise.all(
    candidates.map(async (candidate, index): Promise<Behaviour | undefined> => {
      if (candidate.answer === undefined) return undefined;
      if (doctests.length === 0) return { passed: 0, signature: candidate.answer };
      const code = candidate.answer;
      if (!cache.has(code)) cache.set(code, run(doctestHarness(code, doctests), index));
      const printed = (await cache.get(code))?.trim().split("\n").at(-1);
      try {
        const results = JSON.parse(printed ?? "") as [boolean, string][];
        return { passed: results.filter(([passed]) => passed).length, signature: results.map(([, value]) => value).join(" | ") };
      } catch {
        return undefined;
      }
    }),
  );
}

/** The first candidate of the largest alike group among those passing the most examples. */
function choose(candidates: Candidate[], behaviours: (Behaviour | undefined)[]): Candidate | undefined {
  const best = Math.max(-1, ...behaviours.map((behaviour) => behaviour?.passed ?? -1));
  if (best < 0) return candidates.find((candidate) => candidate.answer !== undefined);
  const groups = new Map<string, number[]>();
  behaviours.forEach((behaviour, index) => {
    if (behaviour?.passed === best) groups.set(behaviour.signature, [...(groups.get(behaviour.signature) ?? []), index]);
  });
  const largest = [...groups.values()].reduce((top, group) => (group.length > top.length ? group : top), [] as number[]);
  return candidates[largest[0] as number];
}
