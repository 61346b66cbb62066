import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createJudgeVerifier } from "../src/verifiers/judge.js";

/** A real local chat endpoint that answers like a judge model: first-token top log-probabilities. */
let requests: Record<string, unknown>[] = [];
const server: Server = createServer((request, response) => {
  let raw = "";
  request.on("data", (chunk) => (raw += chunk));
  request.on("end", () => {
    const body = JSON.parse(raw) as Record<string, unknown>;
    requests.push(body);
    const question = JSON.stringify(body.messages);
    const yes = question.includes("#### 14") ? 0.9 : 0.2;
    const top = question.includes("from 0")
      ? [
          { token: "8", logprob: Math.log(0.5) },
          { token: "10", logprob: Math.log(0.5) },
        ]
      : [
          { token: "Yes", logprob: Math.log(yes) },
          { token: " no", logprob: Math.log(1 - yes) },
        ];
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: top[0]?.token },
            finish_reason: "length",
            logprobs: { content: [{ token: top[0]?.token, logprob: top[0]?.logprob, top_logprobs: top }] },
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 1 },
      }),
    );
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("a model as a judge", () => {
  const model = createOpenAICompatibleModel({ baseURL: url, model: "judge" });

  it("reads p(yes) from the top log-probabilities of the first token", async () => {
    requests = [];
    const judge = createJudgeVerifier({ model });
    expect((await judge.score({ prompt: "Q: 2+3*4\nA: ", solution: "3*4=12\n2+12=14\n#### 14" })).score).toBeCloseTo(0.9);
    expect((await judge.score({ prompt: "Q: 2+3*4\nA: ", solution: "2+3=5\n5*4=20\n#### 20" })).score).toBeCloseTo(0.2);
    expect(requests[0]).toMatchObject({ logprobs: true, top_logprobs: 20, temperature: 0, max_tokens: 1 });
  });

  it("reads an expected 0-10 score in score mode", async () => {
    const judge = createJudgeVerifier({ model, mode: "score" });
    expect((await judge.score({ prompt: "p", solution: "s" })).score).toBeCloseTo(0.9);
    expect(() => createJudgeVerifier({ model, mode: "stars" as "score" })).toThrow(/mode/);
  });
});
