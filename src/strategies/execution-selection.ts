/**
 * Execution-based selection for code, shared by `code-select` and `plan-search`: each distinct program runs on
 * the examples the problem shows (in the sandbox); the programs passing the most are kept, and of those the
 * largest group that behaves alike (returns the same values) wins. Without examples: the most frequent program.
 */
import type { ChatMessage } from "../core/call-options.js";
import type { Candidate } from "../core/strategy-report.js";
import type { RunContext } from "../extension/run-context.js";
import { contentText } from "../internal/prompt-text.js";
import { type Doctest, doctestHarness, doctestsOf } from "./doctests.js";

type Behaviour = { passed: number; signature: string };

/** The problem's text: a raw prompt as it is, a chat prompt's last user message. */
export function problemText(prompt: string | ChatMessage[]): string {
  return typeof prompt === "string" ? prompt : contentText(prompt.findLast((message) => message.role === "user")?.content ?? "");
}

export async function selectByExecution(options: { context: RunContext<unknown>; candidates: Candidate[]; problem: string; codeTimeoutMs: number }) {
  const { context, candidates, codeTimeoutMs } = options;
  const doctests = doctestsOf(options.problem);
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
  for (const behaviour of behaviours) {
    if (!behaviour) continue;
    const label = `passes ${behaviour.passed}/${doctests.length}: ${behaviour.signature}`.slice(0, 120);
    votes[label] = (votes[label] ?? 0) + 1;
  }
  context.trace("select", { answer: chosen?.answer, votes });
  const group = chosen ? behaviours[candidates.indexOf(chosen)] : undefined;
  const alike = group ? behaviours.filter((item) => item?.signature === group.signature && item.passed === group.passed).length : 0;
  return { chosen, answer: chosen?.answer, confidence: candidates.length === 0 ? 0 : alike / candidates.length, votes };
}

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
