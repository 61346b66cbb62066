import { BackendCallError } from "../core/errors/backend-call-error.js";
import { CallTimeoutError } from "../core/errors/call-timeout-error.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { ModelLoadError } from "../core/errors/model-load-error.js";

export type OpenAIErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

/** The one place errors become OpenAI-shaped HTTP errors. */
export function toOpenAIError(error: unknown): { status: 400 | 404 | 500 | 502 | 503 | 504; body: OpenAIErrorBody } {
  if (InvalidArgumentError.isInstance(error))
    return { status: 400, body: { error: { message: error.message, type: "invalid_request_error", param: error.parameter, code: null } } };
  if (ModelLoadError.isInstance(error))
    return { status: 500, body: { error: { message: error.message, type: "server_error", param: null, code: "model_load_failed" } } };
  if (BackendCallError.isInstance(error))
    return {
      status: error.isRetryable ? 503 : 502,
      body: { error: { message: error.message, type: "upstream_error", param: null, code: error.statusCode ? String(error.statusCode) : null } },
    };
  // A model call that ran out of time (after its retries) is the gateway's timeout, not the server's fault.
  if (CallTimeoutError.isInstance(error))
    return { status: 504, body: { error: { message: error.message, type: "upstream_error", param: null, code: "timeout" } } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { message: `internal error: ${message}`, type: "server_error", param: null, code: null } } };
}

export function invalidRequest(
  message: string,
  param: string | null = null,
  status: 400 | 404 = 400,
  code: string | null = null,
): { status: 400 | 404; body: OpenAIErrorBody } {
  return { status, body: { error: { message, type: "invalid_request_error", param, code } } };
}
