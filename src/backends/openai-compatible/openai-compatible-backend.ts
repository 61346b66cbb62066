import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineBackend } from "../../extension/define-backend.js";
import { createOpenAICompatibleModel, type OpenAICompatibleSettings } from "./openai-compatible-model.js";
import { isUpstreamProfile, upstreamProfiles } from "./upstream-profiles.js";

/**
 * Any OpenAI-compatible endpoint or pool: `URL[,URL...][#upstream-model[?setting=value&...]]`, where the
 * settings (URL-encoded) are `profile=llama-cpp-server|vllm|sglang|openai` (a preset), `rawPrompt=false`, `assistantPrefix=continue-final-message|final-message`,
 * `stepDelimiter=%0A`, `maxN` (split larger n), `neutralSampling=true`, `maxRetries`, `maxConcurrency` (per URL), `timeoutMs`,
 * and for a pool `affinityChars`, `ejectAfterFailures` and `ejectForMs`.
 */
export const openAICompatibleBackend = defineBackend({
  name: "openai-compatible",
  specHelp: "an OpenAI-compatible base URL or pool, URL[,URL...][#upstream-model[?rawPrompt=false&assistantPrefix=...&stepDelimiter=...]]",
  matches: (spec) => /^https?:\/\//.test(spec),
  create: ({ spec, apiKey }) => {
    const hash = spec.indexOf("#");
    const urls = hash === -1 ? spec : spec.slice(0, hash);
    const [upstream = "default", query] = (hash === -1 ? "default" : spec.slice(hash + 1)).split("?", 2);
    return createOpenAICompatibleModel({ baseURL: urls.split(","), model: upstream, ...(apiKey ? { apiKey } : {}), ...settingsOf(query) });
  },
});

/** The settings a spec's query names; an unknown one is refused by name. */
function settingsOf(query: string | undefined): Partial<OpenAICompatibleSettings> {
  const settings: Partial<OpenAICompatibleSettings> = {};
  for (const [key, value] of new URLSearchParams(query ?? "")) {
    if (key === "rawPrompt") settings.rawPrompt = value !== "false";
    else if (key === "assistantPrefix") settings.assistantPrefix = value as NonNullable<OpenAICompatibleSettings["assistantPrefix"]>;
    else if (key === "stepDelimiter") settings.stepDelimiter = value;
    else if (key === "maxRetries" || key === "maxConcurrency" || key === "timeoutMs" || key === "maxN") settings[key] = Number(value);
    else if (key === "neutralSampling") settings.neutralSampling = value !== "false";
    else if (key === "affinityChars" || key === "ejectAfterFailures" || key === "ejectForMs") settings.pool = { ...settings.pool, [key]: Number(value) };
    else if (key === "profile") {
      if (!isUpstreamProfile(value))
        throw new InvalidArgumentError({
          parameter: "model",
          value,
          message: `unknown profile "${value}"; known: ${Object.keys(upstreamProfiles).join(", ")}`,
        });
      // A profile's settings come first; settings named beside it win.
      Object.assign(settings, { ...upstreamProfiles[value], ...settings });
    } else
      throw new InvalidArgumentError({
        parameter: "model",
        value: key,
        message: `unknown setting "${key}" in the model spec; known: profile, rawPrompt, assistantPrefix, stepDelimiter, maxN, neutralSampling, maxRetries, maxConcurrency, timeoutMs, affinityChars, ejectAfterFailures, ejectForMs`,
      });
  }
  return settings;
}
