/**
 * `archon`: runs an architecture document (after Archon, Saad-Falcon et al., 2024): layers of generators,
 * critics, rankers, fusers, verifiers and refiners, from a JSON file (`archon:config=file.json`) or, in the
 * library, the document itself. The document, validated, is reported in `settings.options.architecture`.
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { defineStrategy } from "../../extension/define-strategy.js";
import {
  type Architecture,
  architectureModels,
  architectureNeedsVerifier,
  architectureRunsCode,
  architectureStrategies,
  loadArchitecture,
  parseArchitecture,
} from "./architecture.js";
import { runArchitecture } from "./run-architecture.js";

export const archon = defineStrategy({
  name: "archon",
  description: "Runs an architecture of layers (generators, critics, rankers, fusers, verifiers, refiners) from a JSON file, after Archon",
  options: z.strictObject({
    config: z
      .string()
      .min(1)
      .optional()
      .describe("The architecture file (JSON, `kind: mull-architecture`). Default: none; `architecture` instead")
      .meta({ kind: "file" }),
    // Validated by `parseArchitecture` (in `resolve`), whose errors name the field as a reader writes it.
    architecture: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("The architecture document itself (library, and `mull.architecture` over HTTP). Default: read from `config`")
      .meta({ kind: "document" }),
  }),
  verifier: (options) => (options.architecture && architectureNeedsVerifier(options.architecture as Architecture) ? "required" : "none"),
  resolve(options) {
    if (options.architecture) return { ...options, architecture: parseArchitecture(options.architecture, "architecture") };
    if (!options.config)
      throw new InvalidArgumentError({ parameter: "archon", message: "archon needs an architecture: config=<file.json> (or `architecture` in the library)" });
    return { ...options, architecture: loadArchitecture(options.config) };
  },
  needsSandbox: (options) => options.architecture !== undefined && architectureRunsCode(options.architecture as Architecture),
  models: (options) => (options.architecture ? architectureModels(options.architecture as Architecture) : []),
  strategies: (options) => (options.architecture ? architectureStrategies(options.architecture as Architecture) : []),
  async run(context) {
    const { architecture } = context.options;
    if (!architecture) throw new Error("archon: the architecture was not resolved");
    return runArchitecture(context, architecture as Architecture);
  },
});

export type ArchonOptions = Parameters<typeof archon.create>[0];

export const createArchon = (options: ArchonOptions) => archon.create(options);
