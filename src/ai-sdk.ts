/** `mull/ai-sdk`: a mull strategy around any AI SDK model, as a middleware for the AI SDK's `wrapLanguageModel`. */
export { toChatMessages } from "./ai-sdk/ai-sdk-model.js";
export { type MullMiddlewareOptions, mullMiddleware } from "./ai-sdk/mull-middleware.js";
