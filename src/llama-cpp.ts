/** `mull/llama-cpp`: the embedded backend (node-llama-cpp, an optional peer dependency, loads on first use). */
export { bundledModels, llamaCppBackend } from "./backends/llama-cpp/llama-cpp-backend.js";
export {
  BUNDLED_CHAT_MODEL,
  BUNDLED_POLICY_MODEL,
  BUNDLED_PRM_MODEL,
  createLlamaCppModel,
  type LlamaCppModel,
  type LlamaCppModelSettings,
} from "./backends/llama-cpp/llama-cpp-model.js";
