/**
 * What the server does differently under Node (`@hono/node-server`), in one place: a client that goes away aborts
 * its run, and a stream's events go straight to the socket (each web stream between the run and the socket costs
 * more than the event). Elsewhere (`app.request`, another runtime) the request's own signal and Hono's streaming
 * serve instead.
 */
import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { ServerSentEvent } from "./protocol.js";

/** Node's response for this request, where the app runs under Node. */
export const nodeOutgoing = (context: Context): ServerResponse | undefined => (context.env as { outgoing?: ServerResponse } | undefined)?.outgoing;

/** Aborts when the client goes away before the response is complete. */
export function clientSignal(context: Context): AbortController {
  const controller = new AbortController();
  const outgoing = nodeOutgoing(context);
  if (outgoing)
    outgoing.on("close", () => {
      if (!outgoing.writableFinished) controller.abort(new DOMException("client disconnected", "AbortError"));
    });
  // Only without Node's response: undici's fetch keeps a Request's signal, and all its listeners reach, until
  // the Request is collected, so a listener on it that reaches the response kept every request alive.
  else context.req.raw.signal?.addEventListener("abort", () => controller.abort(new DOMException("client disconnected", "AbortError")), { once: true });
  return controller;
}

/** One event as `text/event-stream` writes it. */
export const formatEvent = (event: ServerSentEvent) => `${event.event !== undefined ? `event: ${event.event}\n` : ""}data: ${event.data}\n\n`;

/**
 * A stream's events written straight to Node's response, waiting for it to drain; a failure after the headers
 * can only be told as last events (`failed`), and a client that left hears nothing.
 */
export async function streamToNode(options: {
  outgoing: ServerResponse;
  pump: (write: (events: ServerSentEvent[]) => Promise<void> | void, closed: () => boolean) => Promise<void>;
  failed: (error: unknown) => ServerSentEvent[];
}) {
  const { outgoing } = options;
  outgoing.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const closed = () => outgoing.destroyed || outgoing.writableEnded;
  try {
    await options.pump((events) => (outgoing.write(events.map(formatEvent).join("")) ? undefined : drained(outgoing)), closed);
  } catch (error) {
    if (!closed()) outgoing.write(options.failed(error).map(formatEvent).join(""));
  } finally {
    if (!outgoing.writableEnded) outgoing.end();
  }
  return RESPONSE_ALREADY_SENT;
}

/** Resolves when a response can take more, or has closed. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}
