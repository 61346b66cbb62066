import type { StreamPart } from "../core/stream-part.js";

/** How a stream ended: read to its end, cancelled by its reader, or failed (an error part or a throw). */
export type StreamOutcome = { state: "ended" | "cancelled" | "failed"; error?: unknown };

/**
 * Passes a stream's parts through, calling `onPart` for each and `onDone` exactly once however the
 * stream ends, so that middleware can release a slot or record usage without leaking on a cancel.
 * `mapError` replaces an error (thrown or sent as a part) before it goes on.
 */
export function observeStream(
  stream: ReadableStream<StreamPart>,
  handlers: { onPart?: (part: StreamPart) => void; onDone: (outcome: StreamOutcome) => void; mapError?: (error: unknown) => unknown },
): ReadableStream<StreamPart> {
  const reader = stream.getReader();
  const mapError = handlers.mapError ?? ((error: unknown) => error);
  let done = false;
  const finish = (outcome: StreamOutcome) => {
    if (done) return;
    done = true;
    handlers.onDone(outcome);
  };
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      try {
        const { value, done: ended } = await reader.read();
        if (ended) {
          finish({ state: "ended" });
          controller.close();
          return;
        }
        handlers.onPart?.(value);
        if (value.type === "error") {
          const error = mapError(value.error);
          finish({ state: "failed", error });
          controller.enqueue({ type: "error", error });
        } else controller.enqueue(value);
      } catch (thrown) {
        const error = mapError(thrown);
        finish({ state: "failed", error });
        controller.error(error);
      }
    },
    async cancel(reason) {
      finish({ state: "cancelled" });
      await reader.cancel(reason);
    },
  });
}
