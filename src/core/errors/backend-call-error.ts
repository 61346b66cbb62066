import { hasErrorName, MullError } from "./mull-error.js";

const name = "MullBackendCallError";

/** A call to a backend failed (HTTP status, connection failure, or a local runtime failure). */
export class BackendCallError extends MullError {
  /** HTTP status where there was one. */
  readonly statusCode: number | undefined;
  /** The server's error body (never contains the request's API key). */
  readonly responseBody: string | undefined;
  /** Seconds the server asked us to wait, from `retry-after` / `retry-after-ms`. */
  readonly retryAfterMs: number | undefined;
  readonly url: string | undefined;
  private readonly retryable: boolean | undefined;

  constructor(options: {
    message: string;
    url?: string;
    statusCode?: number;
    responseBody?: string;
    retryAfterMs?: number;
    isRetryable?: boolean;
    cause?: unknown;
  }) {
    super({ name, message: options.message, cause: options.cause });
    this.url = options.url;
    this.statusCode = options.statusCode;
    this.responseBody = options.responseBody;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.isRetryable;
  }

  /** Retry on request timeout, conflict, rate limit and server errors, or where the cause says so. */
  override get isRetryable(): boolean {
    if (this.retryable !== undefined) return this.retryable;
    const status = this.statusCode;
    return status !== undefined && (status === 408 || status === 409 || status === 429 || status >= 500);
  }

  static override isInstance(error: unknown): error is BackendCallError {
    return hasErrorName(error, name);
  }
}
