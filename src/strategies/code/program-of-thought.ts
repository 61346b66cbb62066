/**
 * Program-of-thought (Chen et al., 2022): the model writes a Python program whose printed output is the
 * answer; the program runs in the sandbox. Shared by `pot` and `cot-pot`.
 */
import { lastCodeBlock } from "../../answers/code-block.js";
import { normalizeAnswer } from "../../answers/normalize-answer.js";
import type { ChatMessage } from "../../core/call-options.js";
import type { SandboxRunResult } from "../../core/code-sandbox.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import type { Candidate } from "../../core/strategy-report.js";
import type { RunContext } from "../../extension/run-context.js";
import { contentText } from "../../internal/prompt-text.js";

/** The instruction around the problem, after the paper's zero-shot form; `{problem}` is replaced. */
export const defaultPotTemplate =
  "Solve the following problem by writing a Python program. The program must compute the answer and print only the final answer. " +
  "Write the whole program in one ```python code block.\n\nProblem:\n{problem}";

/** Why a prompt cannot ask for a program, where it cannot (a `checkProblem` of the program-of-thought strategies). */
export const programPromptProblem = (prompt: string | ChatMessage[]): string | undefined =>
  typeof prompt === "string"
    ? "asks the model for a program, which needs a chat prompt, not raw text (send chat messages: a chat model, or /v1/chat/completions)"
    : undefined;

/** The run's chat prompt with its last user message put into `template`. */
export function potPrompt(prompt: string | ChatMessage[], template: string, strategy: string): ChatMessage[] {
  if (typeof prompt === "string")
    throw new InvalidArgumentError({ parameter: "prompt", message: `${strategy} asks the model for a program, which needs a chat prompt, not raw text` });
  const index = prompt.findLastIndex((message) => message.role === "user");
  if (index < 0) throw new InvalidArgumentError({ parameter: "prompt", message: `${strategy} needs a user message holding the problem` });
  const problem = contentText((prompt[index] as ChatMessage).content);
  return prompt.map((message, at) => (at === index ? { ...message, content: template.replaceAll("{problem}", problem) } : message));
}

/**
 * Runs each candidate's program; its answer becomes the last line it printed (normalised), or none on failure.
 * A program several candidates wrote runs once (a Python run costs a process and its runtime's load).
 */
export async function executePrograms(context: RunContext<unknown>, candidates: Candidate[], timeoutMs: number): Promise<Candidate[]> {
  const sandbox = context.sandbox();
  const runs = new Map<string, Promise<SandboxRunResult>>();
  const runOnce = (code: string) => {
    let run = runs.get(code);
    if (!run) {
      run = sandbox.run({ language: "python", code, timeoutMs, ...(context.abortSignal ? { signal: context.abortSignal } : {}) });
      runs.set(code, run);
    }
    return run;
  };
  return Promise.all(
    candidates.map(async (candidate, index): Promise<Candidate> => {
      const code = lastCodeBlock(candidate.text);
      const rest = { ...candidate, answer: undefined };
      if (code === undefined) {
        context.trace("code-run", { candidate: index, exitReason: "no-program", stdout: "" });
        return rest;
      }
      const result = await runOnce(code);
      context.trace("code-run", {
        candidate: index,
        exitReason: result.exitReason,
        stdout: result.stdout.slice(0, 500),
        ...(result.error ? { error: result.error } : {}),
      });
      const printed = result.stdout.trim().split("\n").at(-1)?.trim();
      const answer = result.exitReason === "ok" && printed ? normalizeAnswer(printed) : undefined;
      return { ...rest, answer };
    }),
  );
}
