import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { BackendCallError } from "../src/core/errors/backend-call-error.js";
import { createVllmRewardModel } from "../src/verifiers/vllm-reward-model.js";

/** A real local server answering in vLLM's pooling-API shape: one [p(bad), p(good)] pair per step tag. */
let lastInput = "";
const server: Server = createServer((request, response) => {
  let raw = "";
  request.on("data", (chunk) => (raw += chunk));
  request.on("end", () => {
    const body = JSON.parse(raw) as { input: string };
    lastInput = body.input;
    if (request.url !== "/pooling") {
      response.writeHead(404);
      response.end();
      return;
    }
    const steps = body.input.split("<extra_0>").slice(0, -1);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        object: "list",
        data: [{ index: 0, object: "pooling", data: steps.map((step) => (step.includes("wrong") ? [0.9, 0.1] : [0.2, 0.8])) }],
      }),
    );
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("a PRM on vLLM's pooling API", () => {
  it("sends Qwen2.5-Math-PRM's format and reads p(good) per step", async () => {
    const prm = createVllmRewardModel({ baseURL, model: "Qwen/Qwen2.5-Math-PRM-7B" });
    const result = await prm.score({ prompt: "What is 2+3*4?", solution: "3*4 = 12\n\nthis step is wrong\n\n\\boxed{14}" });
    expect(result.stepScores).toEqual([0.8, 0.1, 0.8]);
    expect(result.score).toBe(0.1);
    expect(lastInput).toContain("<|im_start|>user\nWhat is 2+3*4?<|im_end|>");
    expect(lastInput.split("<extra_0>")).toHaveLength(4);
  });

  it("says so when the step counts disagree", async () => {
    const prm = createVllmRewardModel({ baseURL, model: "m", stepSeparator: "<sep>" });
    const error = await prm.score({ prompt: "p", solution: "a\n\nb" }).catch((caught: unknown) => caught);
    expect(BackendCallError.isInstance(error) && /step separator/.test(error.message)).toBe(true);
  });
});
