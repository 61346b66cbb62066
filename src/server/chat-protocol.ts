/** `POST /v1/chat/completions`: OpenAI's chat completions, streamed or not. */
import type { ZodType } from "zod";
import { completionProtocol } from "./completion-wire.js";
import { type ChatRequest, chatRequestSchema } from "./request-schemas.js";

export const chatProtocol = completionProtocol<ChatRequest>("chat", chatRequestSchema as ZodType<ChatRequest>);
