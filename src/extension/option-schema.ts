/**
 * An extension's options are one zod object schema: its type, validation, defaults and one-line docs.
 * Everything else (spec parsing, `--help`, the server's `mull` object, the README tables, error messages)
 * is derived here from that schema, so that no entry point re-declares an option.
 */
import { z } from "zod";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** A strict object schema of plain values (numbers, strings, booleans, enums). */
export type OptionsSchema = z.ZodObject;

/** One option as users see it: derived from the schema. */
export type OptionDescription = {
  name: string;
  /** `object`: a JSON document (from the library or a request, not from a spec string). */
  type: "integer" | "number" | "string" | "boolean" | "object";
  /** The allowed values of an enum option. */
  values?: string[];
  /** Absent: no default (the option is optional, or its default depends on other settings; see `description`). */
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description: string;
  /**
   * What the value stands for, marked in the schema (`.meta({ kind: "file" })`): `file`, a path the runtime reads
   * (an operator may name one; a request may not, and a config's are relative to it); `document`, a JSON document
   * given in place of such a file. Absent: a plain value.
   */
  kind?: OptionKind;
};

/** See `OptionDescription.kind`. */
export type OptionKind = "file" | "document";

type JsonSchemaProperty = {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  kind?: string;
};

const descriptions = new WeakMap<OptionsSchema, OptionDescription[]>();

export function describeOptions(schema: OptionsSchema): OptionDescription[] {
  const known = descriptions.get(schema);
  if (known) return known;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchemaProperty> };
  const described = Object.entries(json.properties ?? {}).map(([name, property]) => describeProperty(name, property));
  descriptions.set(schema, described);
  return described;
}

function describeProperty(name: string, property: JsonSchemaProperty): OptionDescription {
  const type =
    property.type === "integer" || property.type === "number" || property.type === "boolean" || property.type === "object" ? property.type : "string";
  const bound = (value: number | undefined) => (value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
  const description: OptionDescription = { name, type, description: property.description ?? "" };
  if (property.enum) description.values = property.enum.map(String);
  if (property.kind === "file" || property.kind === "document") description.kind = property.kind;
  if (property.default !== undefined) description.default = property.default;
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
    const value = bound(property[key]);
    if (value !== undefined) description[key] = value;
  }
  return description;
}

/** The names of the options of a kind (`file`: paths the runtime reads). */
export const optionsOfKind = (schema: OptionsSchema, kind: OptionKind): string[] =>
  describeOptions(schema)
    .filter((option) => option.kind === kind)
    .map((option) => option.name);

/** What values an option takes, in words: "an integer from 1 to 1024", "a number > 0 and <= 1", "one of best, majority". */
export function describeRange(option: OptionDescription): string {
  if (option.values) return `one of ${option.values.join(", ")}`;
  if (option.type === "boolean") return "true or false";
  if (option.type === "string") return "a non-empty string";
  if (option.type === "object") return "a JSON object (library, HTTP)";
  const noun = option.type === "integer" ? "an integer" : "a number";
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = option;
  if (minimum !== undefined && maximum !== undefined) return `${noun} from ${minimum} to ${maximum}`;
  const bounds = [
    minimum !== undefined ? `>= ${minimum}` : exclusiveMinimum !== undefined ? `> ${exclusiveMinimum}` : undefined,
    maximum !== undefined ? `<= ${maximum}` : exclusiveMaximum !== undefined ? `< ${exclusiveMaximum}` : undefined,
  ].filter((bound) => bound !== undefined);
  return bounds.length > 0 ? `${noun} ${bounds.join(" and ")}` : noun;
}

/**
 * Validates options against the schema and fills in defaults. Every entry point goes through here, so an
 * out-of-range value gets the same message from the library, the CLI, the server and the bench.
 */
export function parseOptions<Schema extends OptionsSchema>(options: { owner: string; schema: Schema; input: unknown }): z.output<Schema> {
  const { owner, schema } = options;
  const input = options.input ?? {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const known = describeOptions(schema);
  if (issue?.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    throw new InvalidArgumentError({
      parameter: key,
      message: `${owner} has no option ${JSON.stringify(key)}; its options: ${known.map((option) => option.name).join(", ") || "none"}`,
    });
  }
  const key = String(issue?.path[0] ?? "");
  const option = known.find((item) => item.name === key);
  const value = (input as Record<string, unknown>)[key];
  throw new InvalidArgumentError({
    parameter: key,
    value,
    message: option
      ? `${owner}: ${key} must be ${describeRange(option)}, got ${JSON.stringify(value)}`
      : `${owner}: ${key || "options"}: ${issue?.message ?? "invalid"}`,
  });
}

/**
 * Turns a spec's `key=value` strings into typed values by each option's declared type, so that `n=8` is
 * a number and `stepDelimiter=\n` a newline. Unknown keys pass through for `parseOptions` to name.
 */
export function optionsFromStrings(schema: OptionsSchema, pairs: Record<string, string>): Record<string, unknown> {
  const known = new Map(describeOptions(schema).map((option) => [option.name, option]));
  const options: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(pairs)) {
    const type = known.get(key)?.type;
    if ((type === "integer" || type === "number") && text.trim() !== "" && Number.isFinite(Number(text))) options[key] = Number(text);
    else if (type === "boolean" && (text === "true" || text === "false")) options[key] = text === "true";
    // Escapes let a spec name a delimiter: stepDelimiter=\n.
    else options[key] = text.replaceAll("\\n", "\n").replaceAll("\\t", "\t");
  }
  return options;
}

/** A Markdown table of the options: name, values, default, meaning (for `--help` and the README). */
export function formatOptionsTable(schema: OptionsSchema): string {
  const rows = describeOptions(schema).map(
    (option) =>
      `| \`${option.name}\` | ${describeRange(option)} | ${option.default === undefined ? "" : `\`${JSON.stringify(option.default)}\``} | ${option.description} |`,
  );
  return ["| option | values | default | what it does |", "|---|---|---|---|", ...rows].join("\n");
}
