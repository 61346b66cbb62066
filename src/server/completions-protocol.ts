/** `POST /v1/completions`: OpenAI's legacy completions of a raw prompt, streamed or not. */
import type { ZodType } from "zod";
import { completionProtocol } from "./completion-wire.js";
import { type CompletionRequest, completionRequestSchema } from "./request-schemas.js";

export const completionsProtocol = completionProtocol<CompletionRequest>("completion", completionRequestSchema as ZodType<CompletionRequest>);
