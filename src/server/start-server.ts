import { serve } from "@hono/node-server";
import { createServerApp, type ServerAppOptions, type ServerLifecycle } from "./create-server-app.js";

export type RunningServer = {
  url: string;
  port: number;
  /**
   * Stops taking requests (`/readyz` answers 503 first), lets those in flight finish for up to `drainMs`
   * (default 10000), then closes what is left.
   */
  close: (options?: { drainMs?: number }) => Promise<void>;
};

/** Starts the OpenAI-compatible server on host:port (port 0 picks a free one). Resolves once listening. */
export function startServer(options: ServerAppOptions & { host?: string; port?: number }): Promise<RunningServer> {
  const { host = "127.0.0.1", port = 8080, ...appOptions } = options;
  const lifecycle: ServerLifecycle = appOptions.lifecycle ?? { draining: false, inFlight: 0 };
  const app = createServerApp({ ...appOptions, lifecycle });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      resolve({
        url: `http://${host}:${info.port}/v1`,
        port: info.port,
        async close({ drainMs = 10_000 } = {}) {
          lifecycle.draining = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          const deadline = Date.now() + drainMs;
          while (lifecycle.inFlight > 0 && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 20));
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          await closed;
        },
      });
    });
  });
}
