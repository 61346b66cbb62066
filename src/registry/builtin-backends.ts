/** Every built-in backend, tried in order for a model spec: adding one is its folder plus one line here. */
import { anthropicMessagesBackend } from "../backends/anthropic-messages/anthropic-messages-backend.js";
import { llamaCppBackend } from "../backends/llama-cpp/llama-cpp-backend.js";
import { openAICompatibleBackend } from "../backends/openai-compatible/openai-compatible-backend.js";
import type { BackendDefinition } from "../extension/define-backend.js";

export const builtinBackends: readonly BackendDefinition[] = [openAICompatibleBackend, anthropicMessagesBackend, llamaCppBackend];
