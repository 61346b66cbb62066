/**
 * Specs name an extension and its options in one string, the same on the command line, in suite files
 * and in HTTP bodies: `self-consistency:n=8:temperature=0.7`, `prm:model=mull-tiny-prm,aggregation=min`,
 * `oracle:countdown` (a leading value without a key is the definition's positional option). Pairs are
 * separated by `:` or `,`; a piece without `key=` continues the previous value, so values may hold URLs
 * (`vllm-prm:url=http://host:8000/v1,model=Qwen/Qwen2.5-Math-PRM-7B`).
 */
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

export type ParsedSpec = { name: string; pairs: Record<string, string> };

const keyPattern = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s;

export function parseSpec(options: { spec: string; parameter: string; positional?: string | undefined }): ParsedSpec {
  const { spec, parameter } = options;
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(":");
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  if (!name) throw new InvalidArgumentError({ parameter, value: spec, message: `expected name[:key=value...], got ${JSON.stringify(spec)}` });
  const pairs: Record<string, string> = {};
  if (colon === -1) return { name, pairs };
  // Split keeping the separators, so that a value's own ':' and ',' can be put back.
  const pieces = trimmed.slice(colon + 1).split(/([:,])/);
  let current: string | undefined;
  for (let index = 0; index < pieces.length; index += 2) {
    const piece = pieces[index] ?? "";
    const separator = index > 0 ? (pieces[index - 1] ?? "") : "";
    const match = keyPattern.exec(piece);
    if (match) {
      current = match[1] as string;
      if (current in pairs)
        throw new InvalidArgumentError({ parameter, value: spec, message: `${JSON.stringify(current)} is given twice in ${JSON.stringify(spec)}` });
      pairs[current] = match[2] as string;
    } else if (current !== undefined) {
      pairs[current] += separator + piece;
    } else if (options.positional !== undefined && piece !== "") {
      current = options.positional;
      pairs[current] = piece;
    } else {
      throw new InvalidArgumentError({ parameter, value: spec, message: `expected ${name}:key=value..., got ${JSON.stringify(spec)}` });
    }
  }
  return { name, pairs };
}

/** The canonical spec of resolved options: `name:key=value,key=value` (newlines and tabs escaped). */
export function formatSpec(name: string, options: Record<string, unknown>): string {
  const pairs = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value).replaceAll("\n", "\\n").replaceAll("\t", "\\t")}`);
  return pairs.length > 0 ? `${name}:${pairs.join(",")}` : name;
}

/** Splits a comma-separated list of strategy specs (`single,self-consistency:n=8`). */
export function splitSpecList(list: string): string[] {
  return list
    .split(",")
    .map((spec) => spec.trim())
    .filter(Boolean);
}
