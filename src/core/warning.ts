/** A setting the backend could not honour, reported instead of thrown. */
export type Warning = { type: "unsupported"; feature: string; details?: string } | { type: "other"; message: string };
