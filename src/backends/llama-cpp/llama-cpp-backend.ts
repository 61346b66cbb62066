import { existsSync } from "node:fs";
import { z } from "zod";
import { defineBackend } from "../../extension/define-backend.js";
import { BUNDLED_CHAT_MODEL, BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "./llama-cpp-model.js";

/** The models that ship with mull, by name. */
export const bundledModels: Readonly<Record<string, string>> = {
  "mull-tiny-policy": BUNDLED_POLICY_MODEL,
  "mull-tiny-prm": BUNDLED_PRM_MODEL,
  "mull-tiny-chat": BUNDLED_CHAT_MODEL,
};

/** Embedded llama.cpp: a bundled model name or a GGUF file (node-llama-cpp loads on first use). */
export const llamaCppBackend = defineBackend({
  name: "llama-cpp",
  specHelp: `a bundled model (${Object.keys(bundledModels).join(", ")}) or a .gguf file, optionally with ?engine=llama-server (mull backends llama-cpp lists the settings)`,
  options: z.strictObject({
    engine: z
      .enum(["node-llama-cpp", "llama-server"])
      .optional()
      .describe("Decode in-process, or on llama.cpp's own server as a child process (faster for many samples). Default: node-llama-cpp"),
    threads: z.number().int().min(1).optional().describe("CPU threads of the in-process engine. Default: 1"),
    serverThreads: z.number().int().min(1).optional().describe("CPU threads of the llama-server engine. Default: 2"),
  }),
  matches: (spec) => {
    const model = spec.split("?", 1)[0] as string;
    return model in bundledModels || model.endsWith(".gguf") || (existsSync(model) && !/^https?:\/\//.test(model));
  },
  create: ({ spec: model, settings, sequences }) =>
    createLlamaCppModel({
      modelPath: bundledModels[model] ?? model,
      ...(bundledModels[model] ? { modelId: model } : {}),
      ...(sequences !== undefined ? { sequences } : {}),
      ...Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)),
    }),
});
