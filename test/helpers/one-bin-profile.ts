import { writeFileSync } from "node:fs";

/** Writes an `auto` profile of one bin (a 2-sample probe, then a vote of `samples`) to `path`, and returns the path. */
export function writeOneBinProfile(path: string, samples: number): string {
  writeFileSync(
    path,
    JSON.stringify({
      kind: "mull-auto-profile",
      version: 1,
      createdAt: "2026-11-26T00:00:00Z",
      tunedOn: {},
      objective: {},
      probe: { samples: 2, temperature: 0.7, topLogprobs: 5, window: 16, score: false },
      estimate: { features: ["agreement"], mean: [0.5], scale: [0.25], weights: [4], bias: 0 },
      bins: [{ action: { kind: "vote", samples } }],
    }),
  );
  return path;
}
