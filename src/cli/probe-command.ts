import type { Command } from "commander";
import { detectUpstreamProfile, specOf } from "../backends/openai-compatible/upstream-profiles.js";
import { InvalidArgumentError } from "../core/errors/invalid-argument-error.js";
import type { CliContext } from "./cli-context.js";

/** `mull probe <url>`: what the server says it is, and the model spec that uses it. */
export function addProbeCommand(program: Command, context: () => CliContext): void {
  program
    .command("probe")
    .description("Ask an OpenAI-compatible server what it is (llama.cpp's /props, /v1/models) and print the model spec to use")
    .argument("<url>", "the server's base URL, e.g. http://127.0.0.1:8080/v1")
    .option("-m, --model <name>", "the upstream model name (default: the first the server lists, else default)")
    .option("--json", "print JSON")
    .action(async (url: string, flags: { model?: string; json?: boolean }) => {
      if (!/^https?:\/\//.test(url)) throw new InvalidArgumentError({ parameter: "url", value: url, message: "must be an http(s) URL" });
      const { out } = context();
      const apiKey = process.env.MULL_API_KEY ?? process.env.OPENAI_API_KEY;
      const detected = await detectUpstreamProfile({ baseURL: url, ...(apiKey ? { apiKey } : {}) });
      const spec = specOf({ baseURL: url.replace(/\/+$/, ""), model: flags.model ?? detected.model ?? "default", detected });
      if (flags.json) out(JSON.stringify({ profile: detected.profile ?? null, settings: detected.settings, evidence: detected.evidence, spec }));
      else out(`profile: ${detected.profile ?? "(unknown)"} (${detected.evidence})\nspec: ${spec}`);
    });
}
