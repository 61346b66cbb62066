/** The defaults of every entry point, in one place: the built-in strategy, model and verifier a bare request gets. */
export const defaults = {
  strategy: "self-consistency",
  model: "mull-tiny-policy",
  verifier: "prm",
  maxTokens: 256,
} as const;
