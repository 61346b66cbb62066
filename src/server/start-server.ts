import { serve } from "@hono/node-server";
import type { LanguageModel } from "../core/language-model.js";
import type { Verifier } from "../core/verifier.js";
import { createServerApp } from "./create-server-app.js";

/** Starts the OpenAI-compatible server on host:port (port 0 picks a free one). Resolves once listening. */
export function startServer(options: {
  models: Record<string, LanguageModel>;
  verifier?: Verifier;
  host?: string;
  port?: number;
}): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const app = createServerApp({ models: options.models, ...(options.verifier ? { verifier: options.verifier } : {}) });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: options.host ?? "127.0.0.1", port: options.port ?? 8080 }, (info) => {
      resolve({
        url: `http://${options.host ?? "127.0.0.1"}:${info.port}/v1`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}
