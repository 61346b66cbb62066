import { existsSync } from "node:fs";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineBackend } from "../../extension/define-backend.js";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel, type LlamaCppModelSettings } from "./llama-cpp-model.js";

/** The models that ship with mull, by name. */
export const bundledModels: Readonly<Record<string, string>> = { "mull-tiny-policy": BUNDLED_POLICY_MODEL, "mull-tiny-prm": BUNDLED_PRM_MODEL };

/** A spec's model part and its settings (`mull-tiny-policy?engine=llama-server&serverThreads=2`). */
function parseSpec(spec: string): { model: string; settings: Partial<LlamaCppModelSettings> } {
  const mark = spec.indexOf("?");
  if (mark === -1) return { model: spec, settings: {} };
  const settings: Partial<LlamaCppModelSettings> = {};
  for (const [key, value] of new URLSearchParams(spec.slice(mark + 1))) {
    if (key === "engine") settings.engine = value as "node-llama-cpp" | "llama-server";
    else if (key === "serverThreads" || key === "threads") settings[key] = Number(value);
    else
      throw new InvalidArgumentError({
        parameter: "model",
        value: spec,
        message: `unknown setting "${key}" in the model spec; known: engine (node-llama-cpp or llama-server), threads, serverThreads`,
      });
  }
  return { model: spec.slice(0, mark), settings };
}

/** Embedded llama.cpp: a bundled model name or a GGUF file (node-llama-cpp loads on first use). */
export const llamaCppBackend = defineBackend({
  name: "llama-cpp",
  specHelp: `a bundled model (${Object.keys(bundledModels).join(", ")}) or a .gguf file, optionally with ?engine=llama-server`,
  matches: (spec) => {
    const model = spec.split("?", 1)[0] as string;
    return model in bundledModels || model.endsWith(".gguf") || (existsSync(model) && !/^https?:\/\//.test(model));
  },
  create: ({ spec, sequences }) => {
    const { model, settings } = parseSpec(spec);
    return createLlamaCppModel({
      modelPath: bundledModels[model] ?? model,
      ...(bundledModels[model] ? { modelId: model } : {}),
      ...(sequences !== undefined ? { sequences } : {}),
      ...settings,
    });
  },
});
