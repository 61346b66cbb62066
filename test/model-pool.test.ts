import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import { answerCompletions, closeLocalServers, serveLocal } from "./helpers/local-server.js";

afterEach(closeLocalServers);

/** A replica on 127.0.0.1 that counts its requests and the most it had in flight at once. */
async function replica(options: { failing?: () => boolean; delayMs?: number } = {}) {
  const stats = { requests: 0, inFlight: 0, mostInFlight: 0 };
  const url = await serveLocal((_request, body, response: ServerResponse) => {
    stats.requests++;
    stats.inFlight++;
    stats.mostInFlight = Math.max(stats.mostInFlight, stats.inFlight);
    setTimeout(() => {
      stats.inFlight--;
      if (options.failing?.()) {
        response.writeHead(503, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "overloaded" } }));
      } else answerCompletions(response, (body.n as number | undefined) ?? 1);
    }, options.delayMs ?? 0);
  });
  return { url, stats };
}

describe("a pool of upstream replicas", () => {
  it("sends calls that share a prompt prefix to one replica (its prefix cache), and spreads different prompts", async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const model = createOpenAICompatibleModel({ baseURL: replicas.map((item) => item.url), model: "m", pool: { affinityChars: 64 } });
    const problem = "Q: A train leaves at 9 and travels 60 km per hour. How far has it gone by noon?\nA: ";
    for (let step = 0; step < 12; step++) await model.doGenerate({ prompt: `${problem}step ${step}` });
    expect(replicas.map((item) => item.stats.requests).sort((a, b) => b - a)).toEqual([12, 0, 0]);
    for (let problemIndex = 0; problemIndex < 30; problemIndex++)
      await model.doGenerate({ prompt: `Q: problem number ${problemIndex} of thirty, distinct\nA: ` });
    // 30 different prefixes over 3 replicas: every replica gets some (a uniform hash leaves one empty with probability about 3 * (2/3)^30, under 1e-4).
    expect(replicas.every((item) => item.stats.requests > 12 * 0 && item.stats.requests >= 1)).toBe(true);
  });

  it("leaves the affine replica when it is much busier than the others", async () => {
    const replicas = await Promise.all([replica({ delayMs: 200 }), replica({ delayMs: 200 })]);
    const model = createOpenAICompatibleModel({ baseURL: replicas.map((item) => item.url), model: "m", pool: { affinityChars: 32 } });
    await Promise.all(Array.from({ length: 12 }, (_, index) => model.doGenerate({ prompt: `Q: the same long shared prefix ${index}` })));
    // With a slack of 4, the affine replica takes at most the least busy one's load plus 4 at each choice.
    const counts = replicas.map((item) => item.stats.requests).sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThanOrEqual(4);
  });

  it("passes over a replica that just failed, ejects one that keeps failing, and tries it again after a while", async () => {
    let broken = true;
    const bad = await replica({ failing: () => broken });
    const good = await replica({ delayMs: 30 });
    const model = createOpenAICompatibleModel({
      baseURL: [bad.url, good.url],
      model: "m",
      maxRetries: 1,
      pool: { affinityChars: 0, ejectAfterFailures: 2, ejectForMs: 3000 },
    });
    // One at a time: the first call fails on the bad replica and its retry goes to the good one; the
    // calls after it pass over the replica that just failed.
    for (let call = 0; call < 5; call++) expect((await model.doGenerate({ prompt: `Q: ${call}` })).completions[0]?.text).toBe("#### 1");
    expect(bad.stats.requests).toBe(1);
    // Six at once: the pool spreads them by load, so the bad replica gets three, fails them and is ejected;
    // their retries and the next waves go to the good one.
    for (let wave = 0; wave < 3; wave++)
      for (const result of await Promise.all(Array.from({ length: 6 }, (_, index) => model.doGenerate({ prompt: `Q: wave ${wave} ${index}` }))))
        expect(result.completions[0]?.text).toBe("#### 1");
    expect(bad.stats.requests).toBe(4);
    broken = false;
    await new Promise((resolve) => setTimeout(resolve, 3100));
    for (let call = 0; call < 4; call++) await model.doGenerate({ prompt: `Q: again ${call}` });
    // Its ejection over, it is tried, succeeds, and takes calls again.
    expect(bad.stats.requests).toBeGreaterThan(5);
  });

  it("holds each replica to its own concurrency limit", async () => {
    const replicas = await Promise.all([replica({ delayMs: 50 }), replica({ delayMs: 50 })]);
    const model = createOpenAICompatibleModel({ baseURL: replicas.map((item) => item.url), model: "m", maxConcurrency: 2, pool: { affinityChars: 0 } });
    await Promise.all(Array.from({ length: 16 }, (_, index) => model.doGenerate({ prompt: `Q: ${index}` })));
    expect(replicas.map((item) => item.stats.requests).reduce((sum, count) => sum + count, 0)).toBe(16);
    for (const item of replicas) expect(item.stats.mostInFlight).toBeLessThanOrEqual(2);
    expect(() => createOpenAICompatibleModel({ baseURL: [replicas[0]!.url, replicas[1]!.url], model: "m", pool: { ejectForMs: Number.NaN } })).toThrow(
      /ejectForMs/,
    );
  });
});
