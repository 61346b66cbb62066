import { defineVerifier } from "../extension/define-verifier.js";
import { createGenerativeJudge, generativeJudgeOptions } from "./generative-judge.js";

/** `genrm:model=URL#Qwen/Qwen3-8B,samples=4`: a judge that reasons before its verdict (GenRM), verdicts voted. */
export const genrmVerifier = defineVerifier({
  name: "genrm",
  kind: "outcome",
  description: "A judge that thinks, then gives a verdict parsed from its answer; the mean of samples verdicts (GenRM)",
  positional: "model",
  options: generativeJudgeOptions,
  create: (options, services) =>
    createGenerativeJudge({
      model: services.model(options.model),
      samples: options.samples,
      maxTokens: options.maxTokens,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    }),
});
