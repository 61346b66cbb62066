/** `mull/server`: the OpenAI-compatible HTTP server (Hono). */
export { createServerApp, type ServerAppOptions } from "./server/create-server-app.js";
export { toOpenAIError } from "./server/openai-error.js";
export { startServer } from "./server/start-server.js";
