/**
 * `n` beyond what an upstream serves in one request (llama.cpp's server answers a 400 above its slot count),
 * split into parallel requests of at most `maxN` each, given seeds apart so that seeded chunks do not repeat
 * each other, and joined back into one result or one stream with the candidates numbered in order.
 */
import type { CallOptions } from "../core/call-options.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { GenerateResult } from "../core/generate-result.js";
import type { StreamPart } from "../core/stream-part.js";
import { addUsage, emptyUsage, type Usage } from "../core/usage.js";
import type { Warning } from "../core/warning.js";
import { callSeedStride, seedAt } from "../internal/seeds.js";
import type { ModelMiddleware } from "./model-middleware.js";

/** The calls a call of `n` becomes: sizes of at most `maxN`, each with its own seed. */
function chunks(call: CallOptions, maxN: number): CallOptions[] {
  const n = call.n ?? 1;
  return Array.from({ length: Math.ceil(n / maxN) }, (_, index) => {
    const seed = seedAt(call.seed, index, callSeedStride);
    return { ...call, n: Math.min(maxN, n - index * maxN), ...(seed !== undefined ? { seed } : {}) };
  });
}

function mergeWarnings(lists: readonly Warning[][]): Warning[] {
  const seen = new Set<string>();
  return lists.flat().filter((warning) => {
    const key = JSON.stringify(warning);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function splitNMiddleware(settings: { maxN: number }): ModelMiddleware {
  const { maxN } = settings;
  if (!Number.isInteger(maxN) || maxN < 1) throw new InvalidArgumentError({ parameter: "maxN", value: maxN, message: "must be an integer >= 1" });
  return {
    name: "split-n",
    async wrapGenerate({ options, next }) {
      if ((options.n ?? 1) <= maxN) return next(options);
      const started = Date.now();
      const results = await Promise.all(chunks(options, maxN).map((chunk) => next(chunk)));
      const usage = results.reduce((total, result) => addUsage(total, result.usage), emptyUsage());
      const merged: GenerateResult = {
        completions: results.flatMap((result) => result.completions),
        usage: { ...usage, wallMs: Date.now() - started },
        warnings: mergeWarnings(results.map((result) => result.warnings)),
      };
      return merged;
    },
    async wrapStream({ options, next }) {
      if ((options.n ?? 1) <= maxN) return next(options);
      const parts = chunks(options, maxN);
      const streams = await Promise.all(parts.map((chunk) => next(chunk)));
      return mergeStreams(streams, maxN);
    },
  };
}

/** One stream of several: one `stream-start` with every stream's warnings, the parts with candidate indexes offset per stream, one `end`. */
function mergeStreams(streams: ReadableStream<StreamPart>[], maxN: number): ReadableStream<StreamPart> {
  const readers = streams.map((stream) => stream.getReader());
  const started = Date.now();
  let usage: Usage = emptyUsage();
  return new ReadableStream<StreamPart>({
    async start(controller) {
      const forward = (part: StreamPart, offset: number) => {
        if (part.type === "end") usage = addUsage(usage, part.usage);
        else if ("index" in part) controller.enqueue({ ...part, index: part.index + offset });
        else if (part.type !== "stream-start") controller.enqueue(part);
      };
      const firsts = await Promise.all(readers.map((reader) => reader.read()));
      const warnings = firsts.map((first) => (!first.done && first.value.type === "stream-start" ? first.value.warnings : []));
      controller.enqueue({ type: "stream-start", warnings: mergeWarnings(warnings) });
      firsts.forEach((first, index) => {
        if (!first.done) forward(first.value, index * maxN);
      });
      const pump = async (reader: ReadableStreamDefaultReader<StreamPart>, offset: number) => {
        for (let step = await reader.read(); !step.done; step = await reader.read()) forward(step.value, offset);
      };
      // The parts flow as they come; the stream ends once every chunk has.
      Promise.all(readers.map((reader, index) => pump(reader, index * maxN)))
        .then(() => {
          controller.enqueue({ type: "end", usage: { ...usage, wallMs: Date.now() - started } });
          controller.close();
        })
        .catch((error: unknown) => {
          controller.enqueue({ type: "error", error });
          controller.close();
          for (const reader of readers) reader.cancel().catch(() => {});
        });
    },
    async cancel(reason) {
      await Promise.all(readers.map((reader) => reader.cancel(reason).catch(() => {})));
    },
  });
}
