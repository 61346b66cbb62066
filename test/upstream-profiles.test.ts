import { afterAll, afterEach, describe, expect, it } from "vitest";
import { detectUpstreamProfile } from "../src/backends/openai-compatible/upstream-profiles.js";
import { runCli } from "../src/cli/run-cli.js";
import { createMull } from "../src/runtime/create-mull.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

afterEach(closeLocalServers);
const mull = createMull();
afterAll(() => mull.dispose());

const json = (body: unknown) => (_request: unknown, _body: unknown, response: import("node:http").ServerResponse) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};

describe("what an upstream says it is", () => {
  it("detects llama.cpp's server by /props (its slots become maxN), vLLM by its models' owner, and nothing for an unknown server", async () => {
    const llama = await serveLocal((request, body, response) => {
      if (request.url === "/props") return json({ total_slots: 3, default_generation_settings: { n_ctx: 512 } })(request, body, response);
      if (request.url === "/v1/models") return json({ data: [{ id: "tiny.gguf", owned_by: "llamacpp" }] })(request, body, response);
      response.writeHead(404);
      response.end();
    });
    const detected = await detectUpstreamProfile({ baseURL: llama });
    expect(detected).toMatchObject({
      profile: "llama-cpp-server",
      model: "tiny.gguf",
      settings: { maxN: 3, assistantPrefix: "llama-cpp", verboseStops: true, neutralSampling: true },
    });
    const vllm = await serveLocal((request, body, response) => {
      if (request.url === "/v1/models") return json({ data: [{ id: "Qwen/Qwen2.5-7B-Instruct", owned_by: "vllm" }] })(request, body, response);
      response.writeHead(404);
      response.end();
    });
    expect((await detectUpstreamProfile({ baseURL: vllm })).settings).toEqual({ assistantPrefix: "continue-final-message", neutralSampling: true });
    const unknown = await serveLocal((_request, _body, response) => {
      response.writeHead(404);
      response.end();
    });
    expect(await detectUpstreamProfile({ baseURL: unknown })).toMatchObject({ profile: undefined, settings: {} });

    // mull probe prints the spec; the spec gives a model with the profile's capabilities.
    const lines: string[] = [];
    const code = await runCli({ args: ["probe", llama, "--json"], mull, out: (line) => lines.push(line), err: () => {} });
    expect(code).toBe(0);
    const { spec } = JSON.parse(lines.join("")) as { spec: string };
    expect(spec).toBe(`${llama}#tiny.gguf?profile=llama-cpp-server&maxN=3`);
    expect(mull.model(spec)).toMatchObject({ continuesAssistantMessage: true, modelId: "tiny.gguf" });
    expect(() => mull.model(`${llama}#m?profile=ollama`)).toThrow(
      /profile must be one of llama-cpp-server, vllm, sglang, openai, openai-reasoning, got "ollama"/,
    );
    // A URL that names no model would send every request as "default": refused, with the way to find the name.
    expect(() => mull.model(`${llama}?profile=vllm`)).toThrow(/names no upstream model: write URL#model/);
    expect(() => mull.model(`${llama}#`)).toThrow(/mull probe/);
  });
});
