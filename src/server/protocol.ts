/**
 * A wire protocol the server speaks (chat completions, legacy completions, the Responses API): how its request
 * becomes a run and how the run's result or stream becomes its response. Everything else (parsing the body,
 * resolving the model through the runtime, the debugger, metrics and key spend, errors, writing the stream) is
 * the one pipeline in `handle-run.ts`; a new protocol is one adapter file and one route line.
 */
import type { ZodType } from "zod";
import type { CallOptions } from "../core/call-options.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { LanguageModel } from "../core/language-model.js";
import type { StreamPart } from "../core/stream-part.js";
import type { invalidRequest } from "./openai-error.js";
import type { FieldRule } from "./request-fields.js";
import type { MullRequest } from "./request-schemas.js";

/** What a request asks to run: the model id (a base model, `strategy/model` or a route), its temperature and `mull` object. */
export type RunTarget = { model: string; temperature?: number | undefined; mull?: MullRequest | undefined };

/** One server-sent event: an optional name and its data. */
export type ServerSentEvent = { event?: string; data: string };

/** What a response names besides the result: its id, the model id it resolved to, and when it was made. */
export type ResponseIdentity = { id: string; model: string; created: number };

/** Turns a run's stream parts into a protocol's events, in order; `end` closes the stream (and `error` where it failed). */
export type StreamEncoder = {
  start(): ServerSentEvent[];
  part(part: StreamPart): ServerSentEvent[];
  error(error: unknown): ServerSentEvent[];
  end(): ServerSentEvent[];
};

export type Protocol<Request> = {
  readonly schema: ZodType<Request>;
  /** What each of the protocol's request fields does (`request-fields.ts`): none is dropped. */
  readonly fields: Record<string, FieldRule>;
  target(request: Request): RunTarget;
  streamed(request: Request): boolean;
  /** A field the model cannot honour (or that belongs to another protocol), refused by name rather than dropped. */
  refuse(request: Request, model: LanguageModel): ReturnType<typeof invalidRequest> | undefined;
  toCall(request: Request, abortSignal: AbortSignal): CallOptions;
  /** A fresh response id (`chatcmpl-…`, `resp_…`). */
  responseId(): string;
  toJson(result: GenerateResult, identity: ResponseIdentity, request: Request): Record<string, unknown>;
  encoder(identity: ResponseIdentity, request: Request): StreamEncoder;
};
