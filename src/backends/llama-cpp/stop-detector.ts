/**
 * Stop sequences over text that grows a token at a time: finds the earliest stop (searching only near
 * the new text) and says how much of the tail to hold back, since it may be the start of a stop that the
 * next token completes.
 */
export function createStopDetector(stops: readonly string[]) {
  return {
    /** The earliest stop in `text` that may involve text after `emitted`, if any. */
    find(text: string, emitted: number): { at: number; stop: string } | undefined {
      let found: { at: number; stop: string } | undefined;
      for (const stop of stops) {
        const at = text.indexOf(stop, Math.max(0, emitted - stop.length));
        if (at !== -1 && (found === undefined || at < found.at)) found = { at, stop };
      }
      return found;
    },
    /** Characters at the end of `text` that may begin a stop sequence. */
    holdBack(text: string): number {
      return stops.reduce((hold, stop) => Math.max(hold, longestStopPrefix(text, stop)), 0);
    },
  };
}

/** Length of the longest suffix of `text` that is a proper prefix of `stop`. */
function longestStopPrefix(text: string, stop: string): number {
  for (let length = Math.min(stop.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(stop.slice(0, length))) return length;
  }
  return 0;
}
