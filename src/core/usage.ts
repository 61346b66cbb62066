/** What a call or a run spent. */
export type Usage = {
  /** Prompt tokens evaluated, summed over calls. */
  promptTokens: number;
  /**
   * Of `promptTokens`, those a backend reused from an already evaluated prefix instead of evaluating
   * again (the embedded backend's prefix reuse), where known.
   */
  cachedPromptTokens?: number;
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
    ...(total.cachedPromptTokens !== undefined || more.cachedPromptTokens !== undefined
      ? { cachedPromptTokens: (total.cachedPromptTokens ?? 0) + (more.cachedPromptTokens ?? 0) }
      : {}),
    completionTokens: total.completionTokens + more.completionTokens,
    calls: total.calls + more.calls,
    wallMs: Math.max(total.wallMs, more.wallMs),
  };
}
