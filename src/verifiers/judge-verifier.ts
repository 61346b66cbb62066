import { z } from "zod";
import { defineVerifier } from "../extension/define-verifier.js";
import { createJudgeVerifier } from "./judge.js";

/** `judge:model=http://host/v1#Qwen/Qwen2.5-7B-Instruct,mode=score`: any chat model as an outcome judge. */
export const judgeVerifier = defineVerifier({
  name: "judge",
  kind: "outcome",
  description: "Any model as a judge: p(yes) of 'is this correct?', or the expected 0 to 10 score",
  positional: "model",
  options: z.strictObject({
    model: z.string().min(1).describe("The judge: a model spec (URL[#model], a .gguf path or a bundled name)"),
    mode: z.enum(["yes-no", "score"]).default("yes-no").describe("Ask yes/no, or for a 0 to 10 score"),
  }),
  create: (options, services) => createJudgeVerifier({ model: services.model(options.model), mode: options.mode }),
});
