import { defineVerifier } from "../extension/define-verifier.js";
import { createGenerativeJudge, generativeJudgeOptions } from "./generative-judge.js";

/** `thinkprm:model=URL#Qwen/Qwen3-8B`: a thinking judge of the steps so far, as the step scorer of a search (ThinkPRM). */
export const thinkprmVerifier = defineVerifier({
  name: "thinkprm",
  kind: "process",
  description: "A judge that thinks about a partial solution's steps, then gives a verdict; a step scorer for searches (ThinkPRM)",
  positional: "model",
  options: generativeJudgeOptions,
  create: (options, services) =>
    createGenerativeJudge({
      model: services.model(options.model),
      kind: "process",
      samples: options.samples,
      maxTokens: options.maxTokens,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    }),
});
