/** What a call or a run spent. */
export type Usage = {
  /** Prompt tokens evaluated, summed over calls. */
  promptTokens: number;
  /** Tokens generated, summed over calls and candidates. */
  completionTokens: number;
  /** Backend calls made (one call may produce several candidates). */
  calls: number;
  /** Wall-clock milliseconds from the run's start to its end. */
  wallMs: number;
};

export function emptyUsage(): Usage {
  return { promptTokens: 0, completionTokens: 0, calls: 0, wallMs: 0 };
}

/** Sums token counts and calls; wall time is the caller's to set (runs overlap). */
export function addUsage(total: Usage, more: Usage): Usage {
  return {
    promptTokens: total.promptTokens + more.promptTokens,
    completionTokens: total.completionTokens + more.completionTokens,
    calls: total.calls + more.calls,
    wallMs: Math.max(total.wallMs, more.wallMs),
  };
}
