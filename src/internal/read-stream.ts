import type { StreamPart } from "../core/stream-part.js";

/** A model stream's parts, for `for await`: an `error` part is thrown, and leaving the loop early cancels the stream. */
export async function* readStream(stream: ReadableStream<StreamPart>): AsyncGenerator<StreamPart> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (value.type === "error") throw value.error;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
