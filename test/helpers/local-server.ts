import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse) => void;
const servers: Server[] = [];

/** A real HTTP server on 127.0.0.1 that answers with `handler`; returns its `/v1` base URL. */
export async function serveLocal(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => handler(request, raw ? JSON.parse(raw) : {}, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

/** Closes every server `serveLocal` started (call in `afterEach`). */
export async function closeLocalServers(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Answers a chat completions request with one choice per reply (20 prompt tokens, 10 completion tokens a reply);
 * with `stream`, as server-sent events (each reply in one delta, then a usage chunk), as OpenAI streams.
 */
export function answerChat(response: ServerResponse, replies: readonly string[], stream = false): void {
  if (stream) {
    response.writeHead(200, { "content-type": "text/event-stream" });
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    replies.forEach((content, index) => {
      send({ choices: [{ index, delta: { role: "assistant", content }, finish_reason: null }] });
      send({ choices: [{ index, delta: {}, finish_reason: "stop" }] });
    });
    send({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 10 * replies.length } });
    response.end("data: [DONE]\n\n");
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      choices: replies.map((content, index) => ({ index, message: { role: "assistant", content }, finish_reason: "stop" })),
      usage: { prompt_tokens: 20, completion_tokens: 10 * replies.length },
    }),
  );
}

/** Answers a completions request with `n` choices of `text`. */
export function answerCompletions(response: ServerResponse, n = 1, text = "#### 1"): void {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      choices: Array.from({ length: n }, (_, index) => ({ index, text, finish_reason: "stop" })),
      usage: { prompt_tokens: 3, completion_tokens: 2 * n },
    }),
  );
}
