import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { runCli } from "../src/cli/run-cli.js";
import type { ChatMessage } from "../src/core/call-options.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createBeamSearch } from "../src/strategies/search/beam-search.js";
import { createBestOfN } from "../src/strategies/select/best-of-n.js";
import { createJudgeVerifier } from "../src/verifiers/judge.js";

/** `mull serve` on the bundled model, in-process: a chat-only upstream that continues a final assistant message. */
const mull = createMull();
const controller = new AbortController();
let served: Promise<number>;
let baseURL = "";
const requests: Record<string, unknown>[] = [];

beforeAll(async () => {
  const lines: string[] = [];
  served = runCli({ args: ["serve", "--port", "0"], mull, out: (line) => lines.push(line), err: () => {}, signal: controller.signal });
  for (let wait = 0; wait < 500 && !lines.some((line) => line.includes("http://")); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
  baseURL = /(http:\/\/\S+\/v1)/.exec(lines.join("\n"))?.[1] ?? "";
});
afterAll(async () => {
  controller.abort();
  await served;
  await mull.dispose();
});

/** A chat-only client of the served model, recording what it sends. */
const chatClient = (assistantPrefix?: "continue-final-message" | "final-message") =>
  createOpenAICompatibleModel({
    baseURL,
    model: "mull-tiny-policy",
    rawPrompt: false,
    stepDelimiter: "\n",
    ...(assistantPrefix ? { assistantPrefix } : {}),
    fetch: async (input, init) => {
      requests.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return fetch(input, init);
    },
  });

const question: ChatMessage[] = [{ role: "user", content: "17*(3-9)+5" }];

describe("every strategy over a chat-only upstream", () => {
  it("beam search continues the assistant's partial message step by step, scored by a PRM that reads the conversation", async () => {
    requests.length = 0;
    const verifier = mull.verifier("prm").verifier;
    const result = await createBeamSearch({ n: 4, beamWidth: 2, verifier }).run({
      model: chatClient("continue-final-message"),
      call: { prompt: question, maxTokens: 96, seed: 3 },
    });
    expect(result.answer).toBe("-97");
    expect(result.verifierTokens).toBeGreaterThan(0);
    const continued = requests.filter((body) => (body.messages as ChatMessage[]).at(-1)?.role === "assistant");
    expect(continued.length).toBeGreaterThan(0);
    expect(continued.every((body) => body.continue_final_message === true && body.add_generation_prompt === false)).toBe(true);
    expect(requests.every((body) => body.stop === undefined || JSON.stringify(body.stop) === JSON.stringify(["\n"]))).toBe(true);
  });

  it("best-of-n scores chat candidates with the PRM and with a judge over chat", async () => {
    const model = chatClient();
    const prm = await createBestOfN({ n: 4, verifier: mull.verifier("prm").verifier }).run({ model, call: { prompt: question, maxTokens: 96, seed: 1 } });
    expect(prm.answer).toBe("-97");
    expect(prm.candidates.every((candidate) => typeof candidate.score === "number" && candidate.score >= 0 && candidate.score <= 1)).toBe(true);
    const judged = await createBestOfN({ n: 2, verifier: createJudgeVerifier({ model }) }).run({ model, call: { prompt: question, maxTokens: 96, seed: 1 } });
    expect(judged.candidates.every((candidate) => typeof candidate.score === "number" && candidate.score >= 0 && candidate.score <= 1)).toBe(true);
  });

  it("refuses step search over chat where the backend cannot continue the assistant's message, naming the setting", async () => {
    const error = await createBeamSearch({ n: 4, verifier: mull.verifier("prm").verifier })
      .run({ model: chatClient(), call: { prompt: question } })
      .catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/assistantPrefix/);
  });

  it("takes the upstream's settings in the model spec, and refuses an unknown one", () => {
    const model = mull.model(`${baseURL}#mull-tiny-policy?rawPrompt=false&assistantPrefix=final-message&stepDelimiter=%0A`);
    expect(model).toMatchObject({ supportsRawPrompt: false, continuesAssistantMessage: true, stepDelimiter: "\n" });
    expect(() => mull.model(`${baseURL}#m?colour=blue`)).toThrow(/openai-compatible has no option "colour"/);
  });
});
