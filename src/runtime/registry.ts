import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";

/** Definitions by name, in registration order; a later definition with a known name replaces the earlier. */
export type Registry<Definition extends { readonly name: string }> = {
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The definition, or an error naming the known ones. */
  get(name: string): Definition;
  list(): readonly Definition[];
};

export function createRegistry<Definition extends { readonly name: string }>(kind: string, definitions: readonly Definition[]): Registry<Definition> {
  const byName = new Map<string, Definition>();
  for (const definition of definitions) byName.set(definition.name, definition);
  const names = [...byName.keys()];
  return {
    names,
    has: (name) => byName.has(name),
    get(name) {
      const definition = byName.get(name);
      if (!definition)
        throw new InvalidArgumentError({ parameter: kind, value: name, message: `unknown ${kind} ${JSON.stringify(name)}; known: ${names.join(", ")}` });
      return definition;
    },
    list: () => [...byName.values()],
  };
}
