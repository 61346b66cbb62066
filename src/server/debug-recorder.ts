/**
 * What the live debugger shows: the most recent requests, each with its timeline as it happens
 * (progress, candidates, votes, verifier scores, a search's tree, the stop reason and usage). Kept in
 * memory, newest first, at most `limit` of them; prompts and keys are never recorded.
 */
import type { StreamPart } from "../core/stream-part.js";
import type { Usage } from "../core/usage.js";
import type { mullBody } from "./response-bodies.js";

export type DebugEvent =
  | { type: "progress"; atMs: number; message: string; usage: Usage }
  | { type: "trace"; atMs: number; run: number; event: Extract<StreamPart, { type: "trace" }>["event"] }
  | {
      type: "end";
      atMs: number;
      status: number;
      usage?: Usage;
      /** The strategy's report as the response's `mull` object gives it. */
      strategy?: NonNullable<ReturnType<typeof mullBody>>;
      error?: string;
    };

export type DebugRequest = {
  id: string;
  startedAt: string;
  route: string;
  model: string;
  stream: boolean;
  state: "running" | "done" | "failed";
  events: DebugEvent[];
};

export type DebugRecorder = ReturnType<typeof createDebugRecorder>;

export function createDebugRecorder(options: { limit?: number } = {}) {
  const limit = options.limit ?? 100;
  const requests: DebugRequest[] = [];
  const listeners = new Map<string, Set<(event: DebugEvent | undefined) => void>>();
  const notify = (id: string, event: DebugEvent | undefined) => {
    for (const listener of listeners.get(id) ?? []) listener(event);
  };
  return {
    /** Starts a request's record; the returned functions add to its timeline and end it. */
    start(request: { route: string; model: string; stream: boolean }) {
      const record: DebugRequest = { id: crypto.randomUUID(), startedAt: new Date().toISOString(), ...request, state: "running", events: [] };
      const started = performance.now();
      requests.unshift(record);
      requests.splice(limit);
      const push = (event: DebugEvent) => {
        record.events.push(event);
        notify(record.id, event);
      };
      const atMs = () => Math.round(performance.now() - started);
      return {
        id: record.id,
        /** A strategy's live part: progress and trace events are kept; text is not. */
        part(part: StreamPart) {
          if (part.type === "progress") push({ type: "progress", atMs: atMs(), message: part.message, usage: part.usage });
          else if (part.type === "trace") push({ type: "trace", atMs: atMs(), run: part.run, event: part.event });
        },
        end(outcome: Omit<Extract<DebugEvent, { type: "end" }>, "type" | "atMs">) {
          if (record.state !== "running") return;
          record.state = outcome.status < 400 && outcome.error === undefined ? "done" : "failed";
          push({ type: "end", atMs: atMs(), ...outcome });
          notify(record.id, undefined);
          listeners.delete(record.id);
        },
      };
    },
    list: () => requests.map(({ events, ...summary }) => ({ ...summary, events: events.length })),
    get: (id: string) => requests.find((request) => request.id === id),
    /** Calls `listener` with each new event of a running request, then with `undefined` when it ends. */
    subscribe(id: string, listener: (event: DebugEvent | undefined) => void): () => void {
      const set = listeners.get(id) ?? new Set();
      listeners.set(id, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
