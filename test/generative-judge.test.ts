/**
 * A judge that thinks (genrm, thinkprm): verdicts parsed from the answer, never the thinking; verdicts voted; its
 * tokens counted; on the bundled chat model as a best-of-n judge and as a search's step scorer.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createGenerativeJudge, readVerdict } from "../src/verifiers/generative-judge.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

const mull = createMull();
afterAll(async () => {
  await closeLocalServers();
  await mull.dispose();
});

describe("a judge that thinks", () => {
  it("reads the verdicts models write", () => {
    expect(readVerdict("Verdict: correct")).toBe(1);
    expect(readVerdict("**Verdict:** Incorrect")).toBe(0);
    expect(readVerdict("The final check: \\boxed{yes}")).toBe(1);
    expect(readVerdict("I re-did the sum; the solution is wrong.")).toBe(0);
    expect(readVerdict("Score: 7/10")).toBeCloseTo(0.7, 6);
    expect(readVerdict("yes")).toBe(1);
    expect(readVerdict("Looks fine to me, I think: no, the carry is lost. So no.")).toBe(0);
    expect(readVerdict("I cannot tell.")).toBeUndefined();
  });

  it("votes its samples' verdicts, reads them after the thinking, and counts its tokens", async () => {
    const bodies: Record<string, unknown>[] = [];
    const url = await serveLocal((_request, body, response) => {
      bodies.push(body);
      // Three samples: the thinking says "no" each time; two answers say correct, one incorrect, as in GenRM's voting.
      answerChat(response, [
        "<think>\nis it no? 3+4=7 yes\n</think>\n\nVerdict: correct",
        "<think>\nno\n</think>\n\nVerdict: correct",
        "<think>\nno\n</think>\n\nVerdict: incorrect",
      ]);
    });
    const judge = createGenerativeJudge({ model: createOpenAICompatibleModel({ baseURL: url, model: "judge" }), samples: 3, maxTokens: 300 });
    const { score, tokens } = await judge.score({ prompt: "What is 3+4?", solution: "3+4=7. The answer is 7." });
    expect(score).toBeCloseTo(2 / 3, 6);
    expect(tokens).toBe(20 + 30);
    expect(bodies[0]).toMatchObject({ n: 3, max_tokens: 300, temperature: 0.7 });
    expect(JSON.stringify(bodies[0])).toContain("Is the proposed solution correct?");
  });

  it("judges the bundled chat model's candidates in best-of-n, and scores the steps of a search, its tokens counted", async () => {
    const picked = await mull.run({
      model: "mull-tiny-chat",
      strategy: "best-of-n:n=3",
      verifier: "genrm:model=mull-tiny-chat,samples=2,maxTokens=200",
      problem: "Tom has 3 apples and buys 4 more. How many apples does he have now?",
      maxTokens: 300,
      seed: 5,
    });
    expect(picked.candidates).toHaveLength(3);
    for (const candidate of picked.candidates) {
      expect(candidate.score).toBeGreaterThanOrEqual(0);
      expect(candidate.score).toBeLessThanOrEqual(1);
    }
    expect(picked.verifierTokens).toBeGreaterThan(0);
    const searched = await mull.run({
      model: "mull-tiny-policy",
      strategy: "beam-search:n=4,beamWidth=2",
      verifier: "thinkprm:model=mull-tiny-chat,samples=1,maxTokens=48",
      problem: "12+30",
      maxTokens: 64,
      seed: 5,
    });
    expect(searched.verifierTokens).toBeGreaterThan(0);
    expect(searched.candidates.length).toBeGreaterThan(0);
  }, 300_000);
});
