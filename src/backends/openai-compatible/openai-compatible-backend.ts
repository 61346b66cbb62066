import { defineBackend } from "../../extension/define-backend.js";
import { createOpenAICompatibleModel } from "./openai-compatible-model.js";

/** Any OpenAI-compatible endpoint or pool: `URL[,URL...][#upstream-model]`. */
export const openAICompatibleBackend = defineBackend({
  name: "openai-compatible",
  specHelp: "an OpenAI-compatible base URL or pool, URL[,URL...][#upstream-model]",
  matches: (spec) => /^https?:\/\//.test(spec),
  create: ({ spec, apiKey }) => {
    const hash = spec.indexOf("#");
    const urls = hash === -1 ? spec : spec.slice(0, hash);
    const upstream = hash === -1 ? "default" : spec.slice(hash + 1);
    return createOpenAICompatibleModel({ baseURL: urls.split(","), model: upstream, ...(apiKey ? { apiKey } : {}) });
  },
});
