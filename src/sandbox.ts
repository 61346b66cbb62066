/** `mull/sandbox`: runs model-written Python and JavaScript in a contained process (Pyodide and QuickJS load only there). */
export type {
  CodeSandbox,
  SandboxExitReason,
  SandboxLanguage,
  SandboxRunRequest,
  SandboxRunResult,
} from "./core/code-sandbox.js";
export { createSandbox, type Sandbox } from "./sandbox/create-sandbox.js";
export type { SandboxOptions } from "./sandbox/sandbox-options.js";
