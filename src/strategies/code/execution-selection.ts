/**
 * Execution-based selection for code, shared by `code-select` and `plan-search`: each distinct program runs on
 * the examples the problem shows (in the sandbox); the programs passing the most are kept, and of those the
 * largest group that behaves alike (returns the same values) wins. Where the problem shows none, the model may
 * write tests (`generateTests`); those are not trusted alone, so the group with the most programs times tests
 * passed wins (CodeT's dual agreement). Without any tests: the most frequent program.
 */
import type { ChatMessage } from "../../core/call-options.js";
import type { Candidate } from "../../core/strategy-report.js";
import type { RunContext } from "../../extension/run-context.js";
import { contentText } from "../../internal/prompt-text.js";
import { type Doctest, doctestHarness, doctestsOf } from "./doctests.js";

/** How a program did on the tests: how many passed, and what each call returned. */
export type Behaviour = { passed: number; signature: string };

/** The problem's text: a raw prompt as it is, a chat prompt's last user message. */
export function problemText(prompt: string | ChatMessage[]): string {
  return typeof prompt === "string" ? prompt : contentText(prompt.findLast((message) => message.role === "user")?.content ?? "");
}

/** What the model is asked for tests with, where the problem shows no examples; `{problem}` and `{count}` are replaced. */
export const testPrompt =
  "Here is a programming problem:\n\n{problem}\n\nDo not solve it. Write {count} tests of the function it asks for: each a line `>>> call` followed by a line with the expected value.";

/** The prompt that asks for `count` tests of a problem. */
export const askTests = (problem: string, count: number) => testPrompt.replace("{problem}", problem).replace("{count}", String(count));

/** Asks the run's (chat) model for `count` tests of the problem; undefined for a raw-text prompt or `count` 0. */
export function modelTests(context: RunContext<unknown>, problem: string, count: number): (() => Promise<string | undefined>) | undefined {
  // A raw-prompt model continues text; it takes no instruction.
  if (count === 0 || typeof context.call.prompt === "string") return undefined;
  return async () => {
    const content = askTests(problem, count);
    return (await context.sample({ n: 1, temperature: 0, waveSize: 1, call: { prompt: [{ role: "user", content }] } }))[0]?.text;
  };
}

export async function selectByExecution(options: {
  context: RunContext<unknown>;
  candidates: Candidate[];
  problem: string;
  codeTimeoutMs: number;
  /** Asks the model for tests (a reply with `>>>` lines) where the problem shows no examples; undefined: none asked. */
  generateTests?: (() => Promise<string | undefined>) | undefined;
}) {
  const { context, candidates, codeTimeoutMs } = options;
  const shown = doctestsOf(options.problem);
  const generated = shown.length === 0 && options.generateTests ? doctestsOf((await options.generateTests()) ?? "") : [];
  const doctests = shown.length > 0 ? shown : generated;
  if (generated.length > 0) context.progress(`${generated.length} tests written by the model`, { generatedTests: generated.length });
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
  const chosen = choose(candidates, behaviours, generated.length > 0);
  // With no test to run, nothing was executed: say so, and label the votes as what they are (identical programs).
  if (doctests.length === 0)
    context.warn([
      {
        type: "other",
        message: `${context.name}: the problem shows no examples (\`>>> call\` lines with the expected value) and the model wrote no tests, so no program ran: the most frequent program was chosen`,
      },
    ]);
  const votes: Record<string, number> = {};
  for (const behaviour of behaviours) {
    if (!behaviour) continue;
    const label = (doctests.length === 0 ? `no tests: ${behaviour.signature}` : `passes ${behaviour.passed}/${doctests.length}: ${behaviour.signature}`).slice(
      0,
      120,
    );
    votes[label] = (votes[label] ?? 0) + 1;
  }
  context.trace("select", { answer: chosen?.answer, votes });
  const group = chosen ? behaviours[candidates.indexOf(chosen)] : undefined;
  const alike = group ? behaviours.filter((item) => item?.signature === group.signature && item.passed === group.passed).length : 0;
  return { chosen, answer: chosen?.answer, confidence: candidates.length === 0 ? 0 : alike / candidates.length, votes };
}

/** Each candidate's behaviour on the examples (undefined: no program, or it failed to run); each distinct program runs once. */
export async function behavioursOf(candidates: Candidate[], doctests: readonly Doctest[], run: (code: string, index: number) => Promise<string | undefined>) {
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

/**
 * Trusted examples: the first candidate of the largest alike group among those passing the most. Generated tests:
 * the group with the largest size times tests passed (ties to the group seen first).
 */
function choose(candidates: Candidate[], behaviours: (Behaviour | undefined)[], generated: boolean): Candidate | undefined {
  const best = Math.max(-1, ...behaviours.map((behaviour) => behaviour?.passed ?? -1));
  if (best < 0) return candidates.find((candidate) => candidate.answer !== undefined);
  const groups = new Map<string, { passed: number; members: number[] }>();
  behaviours.forEach((behaviour, index) => {
    if (!behaviour || (!generated && behaviour.passed !== best)) return;
    const key = `${behaviour.passed}\u0000${behaviour.signature}`;
    const group = groups.get(key) ?? { passed: behaviour.passed, members: [] };
    group.members.push(index);
    groups.set(key, group);
  });
  const worth = (group: { passed: number; members: number[] }) => (generated ? group.members.length * group.passed : group.members.length);
  const top = [...groups.values()].reduce((winner, group) => (worth(group) > worth(winner) ? group : winner), { passed: 0, members: [] as number[] });
  return candidates[top.members[0] as number];
}
