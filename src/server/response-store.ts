/**
 * Responses kept for `previous_response_id`: each answered response's conversation (its input and output as chat
 * messages), in memory, for a time to live, the oldest dropped past a count. A server started with `0` keeps
 * none, and a request that names a previous response is refused by name.
 */
import type { ChatMessage } from "../core/call-options.js";

export type ResponseStore = {
  readonly enabled: boolean;
  save(id: string, messages: ChatMessage[]): void;
  /** The conversation up to and including the response, or undefined when it is unknown or expired. */
  get(id: string): ChatMessage[] | undefined;
};

export function createResponseStore(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): ResponseStore {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { messages: ChatMessage[]; expires: number }>();
  return {
    enabled: ttlMs > 0 && maxEntries > 0,
    save(id, messages) {
      if (ttlMs <= 0 || maxEntries <= 0) return;
      entries.set(id, { messages, expires: now() + ttlMs });
      // A Map iterates in insertion order: the first entries are the oldest.
      for (const key of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(key);
      }
    },
    get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(id);
        return undefined;
      }
      return entry.messages;
    },
  };
}
