import type { Command } from "commander";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { formatOptionsTable, type OptionsSchema } from "../extension/option-schema.js";
import type { CliContext } from "./cli-context.js";

export function addListCommands(program: Command, context: () => CliContext): void {
  program
    .command("strategies")
    .description("List the strategies, or one strategy's options with their values, defaults and meaning")
    .argument("[name]", "a strategy")
    .option("--json", "print JSON")
    .action((name: string | undefined, flags: { json?: boolean }) => {
      const { mull, out } = context();
      const definitions = name ? [mull.strategies.get(name)] : mull.strategies.list();
      if (flags.json) {
        out(
          JSON.stringify(
            definitions.map((definition) => ({ name: definition.name, description: definition.description, options: definition.options.toJSONSchema() })),
          ),
        );
        return;
      }
      listDefinitions({ out, name, definitions, about: (definition) => definition.description });
      if (!name) out("\nmull strategies <name> lists a strategy's options; pass them as name:key=value:key=value");
    });
  program
    .command("backends")
    .description("List the backends (the model specs each takes), or one backend's settings; pass them as <spec>?key=value&key=value")
    .argument("[name]", "a backend")
    .action((name: string | undefined) => {
      const { mull, out } = context();
      const definitions = name ? mull.backends.filter((definition) => definition.name === name) : mull.backends;
      if (name && definitions.length === 0)
        throw new InvalidArgumentError({
          parameter: "name",
          value: name,
          message: `no backend is named ${JSON.stringify(name)}; known: ${mull.backends.map((definition) => definition.name).join(", ")}`,
        });
      listDefinitions({ out, name, definitions, about: (definition) => definition.specHelp });
      if (!name) out("\nmull backends <name> lists a backend's settings");
    });
  program
    .command("verifiers")
    .description("List the verifier kinds and their options; pass them as --verifier name:key=value,key=value")
    .action(() => {
      const { mull, out } = context();
      for (const definition of mull.verifiers.list())
        out(
          `${definition.name} (${definition.kind}): ${definition.description}${definition.positional ? `; ${definition.name}:<${definition.positional}>` : ""}\n\n${formatOptionsTable(definition.options)}\n`,
        );
    });
}

/** One line per definition, or one definition with its options' table (`name` given). */
function listDefinitions<Definition extends { name: string; options: OptionsSchema }>(options: {
  out: (line: string) => void;
  name: string | undefined;
  definitions: readonly Definition[];
  about: (definition: Definition) => string;
}): void {
  const { out, name, about } = options;
  for (const definition of options.definitions)
    out(name ? `${definition.name}: ${about(definition)}\n\n${formatOptionsTable(definition.options)}` : `${definition.name.padEnd(22)} ${about(definition)}`);
}
