/** Turns a model spec (a GGUF path, a URL or a pool of URLs, or a bundled name) into a LanguageModel. */
import { existsSync } from "node:fs";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel, type LlamaCppModelSettings } from "../backends/llama-cpp/llama-cpp-model.js";
import { createOpenAICompatibleModel } from "../backends/openai-compatible/openai-compatible-model.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { LanguageModel } from "../core/language-model.js";

export const BUNDLED_MODELS: Record<string, string> = { "mull-tiny-policy": BUNDLED_POLICY_MODEL, "mull-tiny-prm": BUNDLED_PRM_MODEL };

export type ModelSpecOptions = {
  /** A GGUF path, `mull-tiny-policy`, or `http(s)://host/v1[,http(s)://host2/v1][#upstream-model]`. Defaults to the bundled policy. */
  spec?: string;
  /** API key for URLs. Defaults to `MULL_API_KEY` or `OPENAI_API_KEY` from the environment. */
  apiKey?: string;
  /** Settings for the embedded backend. */
  llamaCpp?: LlamaCppModelSettings;
};

export function resolveModel(options: ModelSpecOptions = {}): LanguageModel & { dispose?: () => Promise<void> } {
  const spec = options.spec ?? "mull-tiny-policy";
  if (/^https?:\/\//.test(spec)) {
    const [urls = "", upstream] = spec.split("#");
    const apiKey = options.apiKey ?? process.env.MULL_API_KEY ?? process.env.OPENAI_API_KEY;
    return createOpenAICompatibleModel({ baseURL: urls.split(","), model: upstream ?? "default", ...(apiKey ? { apiKey } : {}) });
  }
  const path = BUNDLED_MODELS[spec] ?? spec;
  if (!path.endsWith(".gguf") && !existsSync(path)) {
    throw new InvalidArgumentError({
      parameter: "model",
      value: spec,
      message: `${JSON.stringify(spec)} is neither a bundled model (${Object.keys(BUNDLED_MODELS).join(", ")}), a .gguf file nor an http(s) URL`,
    });
  }
  return createLlamaCppModel({ ...options.llamaCpp, modelPath: path, ...(BUNDLED_MODELS[spec] ? { modelId: spec } : {}) });
}
