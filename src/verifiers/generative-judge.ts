/**
 * A judge that thinks (GenRM, ThinkPRM): the model reasons about the solution in as many tokens as it needs, then
 * gives a verdict that is parsed from its answer (never from its thinking): yes/no, correct/incorrect, a
 * `Verdict:` line, `\boxed{yes}`, or a score out of 10. `samples` verdicts are drawn and their mean is the score
 * (verdict voting); a sample with no verdict abstains, and with none at all the score is 0.5. As a step scorer
 * (kind `process`), it judges a partial solution's steps so far, which searches call at every step. Every token it
 * reads and writes is counted.
 */
import { z } from "zod";
import type { ChatMessage } from "../core/call-options.js";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier, VerifierKind } from "../core/verifier.js";
import { thinkingApart } from "../internal/think-tags.js";
import { conversationText, judgePrompt } from "./judge.js";

/** The options a thinking judge takes, outcome or step scorer alike. */
export const generativeJudgeOptions = z.strictObject({
  model: z.string().min(1).describe("The judge: a model spec (URL#model, a .gguf path or a bundled name)"),
  samples: z.number().int().min(1).max(16).default(4).describe("Verdicts drawn per solution and averaged (verdict voting)"),
  maxTokens: z.number().int().min(1).default(512).describe("Most tokens per verdict, its thinking included"),
  temperature: z.number().min(0).max(2).optional().describe("Temperature of the verdicts. Default: 0.7, or 0 with one sample"),
});

export type GenerativeJudgeOptions = {
  model: LanguageModel;
  /** Verdicts drawn per solution, averaged. Defaults to `4`. */
  samples?: number;
  /** Most tokens per verdict, thinking included. Defaults to `512`. */
  maxTokens?: number;
  /** Sampling temperature of the verdicts. Defaults to `0.7` (`0` with one sample). */
  temperature?: number;
  /** `outcome` judges whole solutions; `process` judges a solution's steps so far (a step scorer). Defaults to `outcome`. */
  kind?: Extract<VerifierKind, "outcome" | "process">;
  /** Builds the question. Defaults to the judge's yes/no question (the one the bundled chat model learned). */
  template?: (options: { prompt: string; solution: string }) => string;
};

const verdictWords: Record<string, number> = { yes: 1, correct: 1, right: 1, true: 1, valid: 1, no: 0, incorrect: 0, wrong: 0, false: 0, invalid: 0 };
const word = "(yes|no|correct|incorrect|right|wrong|true|false|valid|invalid)";

/** A verdict in [0, 1] read from a judge's answer, or undefined where it gives none. */
export function readVerdict(answer: string): number | undefined {
  const text = answer.replace(/\*\*/g, "").trim();
  const score = /score\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?/i.exec(text);
  if (score) {
    const value = Number(score[1]) / Number(score[2] ?? 10);
    if (Number.isFinite(value)) return Math.min(1, Math.max(0, value));
  }
  const stated =
    new RegExp(`verdict\\s*[:=]?\\s*${word}\\b`, "i").exec(text) ??
    new RegExp(`\\\\boxed\\{\\s*${word}\\s*\\}`, "i").exec(text) ??
    new RegExp(`(?:solution|answer|it) is ${word}\\b`, "i").exec(text);
  if (stated?.[1]) return verdictWords[stated[1].toLowerCase()];
  // Else the last verdict word the answer says.
  const words = [...text.matchAll(new RegExp(`\\b${word}\\b`, "gi"))];
  const last = words.at(-1)?.[1];
  return last ? verdictWords[last.toLowerCase()] : undefined;
}

/** The default question for judging steps so far. */
const stepsPrompt = ({ prompt, solution }: { prompt: string; solution: string }) =>
  `Problem:\n${prompt.trim()}\n\nSolution so far:\n${solution.trim()}\n\nAre all the steps so far correct? Answer yes or no.`;

export function createGenerativeJudge(options: GenerativeJudgeOptions): Verifier {
  const { model } = options;
  const samples = options.samples ?? 4;
  const kind = options.kind ?? "outcome";
  const template = options.template ?? (kind === "process" ? stepsPrompt : ({ prompt, solution }) => judgePrompt({ prompt, solution, mode: "yes-no" }));
  const temperature = options.temperature ?? (samples === 1 ? 0 : 0.7);
  return {
    name: `${kind === "process" ? "thinkprm" : "genrm"}:${model.modelId}`,
    kind,
    // Its tokens are the judge model's, prompt and completion together, priced as prompt tokens.
    ...(model.cost ? { cost: model.cost } : {}),
    async score({ prompt, solution, abortSignal }) {
      const question: ChatMessage[] = [{ role: "user", content: template({ prompt: conversationText(prompt), solution }) }];
      const result = await model.doGenerate({
        prompt: question,
        n: samples,
        temperature,
        maxTokens: options.maxTokens ?? 512,
        ...(abortSignal ? { abortSignal } : {}),
      });
      const verdicts = result.completions.map((completion) => readVerdict(thinkingApart(completion).text)).filter((verdict) => verdict !== undefined);
      const score = verdicts.length > 0 ? verdicts.reduce((sum, verdict) => sum + verdict, 0) / verdicts.length : 0.5;
      return { score, tokens: result.usage.promptTokens + result.usage.completionTokens };
    },
  };
}
