import { existsSync } from "node:fs";
import { defineBackend } from "../../extension/define-backend.js";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "./llama-cpp-model.js";

/** The models that ship with mull, by name. */
export const bundledModels: Readonly<Record<string, string>> = { "mull-tiny-policy": BUNDLED_POLICY_MODEL, "mull-tiny-prm": BUNDLED_PRM_MODEL };

/** Embedded llama.cpp: a bundled model name or a GGUF file (node-llama-cpp loads on first use). */
export const llamaCppBackend = defineBackend({
  name: "llama-cpp",
  specHelp: `a bundled model (${Object.keys(bundledModels).join(", ")}) or a .gguf file`,
  matches: (spec) => spec in bundledModels || spec.endsWith(".gguf") || (existsSync(spec) && !/^https?:\/\//.test(spec)),
  create: ({ spec, sequences }) =>
    createLlamaCppModel({
      modelPath: bundledModels[spec] ?? spec,
      ...(bundledModels[spec] ? { modelId: spec } : {}),
      ...(sequences !== undefined ? { sequences } : {}),
    }),
});
