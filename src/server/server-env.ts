import type { ApiKey } from "./api-keys.js";

/**
 * What a request's context carries: the model id it resolved to (for the metrics), the API key it used, and its
 * body, parsed once (`invalid` where it is not JSON).
 */
export type ServerEnv = { Variables: { modelId?: string; apiKey?: ApiKey; body?: { json: unknown } | { invalid: true } } };

/** A server's life: `/readyz` answers 503 once it drains, so that a load balancer sends no more requests. */
export type ServerLifecycle = { draining: boolean; inFlight: number };

/** The part of a pino logger the server uses: an object of fields, then a message. */
export type ServerLogger = { info(fields: object, message: string): void; error(fields: object, message: string): void };
