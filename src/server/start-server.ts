import { serve } from "@hono/node-server";
import { createServerApp, type ServerAppOptions } from "./create-server-app.js";

/** Starts the OpenAI-compatible server on host:port (port 0 picks a free one). Resolves once listening. */
export function startServer(options: ServerAppOptions & { host?: string; port?: number }): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const { host = "127.0.0.1", port = 8080, ...appOptions } = options;
  const app = createServerApp(appOptions);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      resolve({
        url: `http://${host}:${info.port}/v1`,
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
