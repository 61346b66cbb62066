/**
 * `archon`: runs an architecture document (after Archon, Saad-Falcon et al., 2024): layers of generators,
 * critics, rankers, fusers, verifiers and refiners, from a JSON file (`archon:config=file.json`) or, in the
 * library, the document itself. The document, validated, is reported in `settings.options.architecture`.
 */
import { z } from "zod";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import { defineStrategy } from "../extension/define-strategy.js";
import { architectureNeedsVerifier, architectureSchema, loadArchitecture } from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

export const archon = defineStrategy({
  name: "archon",
  description: "Runs an architecture of layers (generators, critics, rankers, fusers, verifiers, refiners) from a JSON file, after Archon",
  options: z.strictObject({
    config: z.string().min(1).optional().describe("The architecture file (JSON, `kind: mull-architecture`). Default: none; `architecture` instead"),
    architecture: architectureSchema.optional().describe("The architecture document itself (library and server configuration). Default: read from `config`"),
  }),
  verifier: (options) => (options.architecture && architectureNeedsVerifier(options.architecture) ? "required" : "none"),
  resolve(options) {
    if (options.architecture) return options;
    if (!options.config)
      throw new InvalidArgumentError({ parameter: "archon", message: "archon needs an architecture: config=<file.json> (or `architecture` in the library)" });
    return { ...options, architecture: loadArchitecture(options.config) };
  },
  async run(context) {
    const { architecture } = context.options;
    if (!architecture) throw new Error("archon: the architecture was not resolved");
    return runArchitecture(context, architecture);
  },
});
