import type { ApiKey } from "./api-keys.js";

/** What a request's context carries: the model id it resolved to (for the metrics) and the API key it used. */
export type ServerEnv = { Variables: { modelId?: string; apiKey?: ApiKey } };
