import { afterEach, describe, expect, it } from "vitest";
import { createOpenAICompatibleModel } from "../src/backends/openai-compatible/openai-compatible-model.js";
import type { TraceEvent } from "../src/core/trace-event.js";
import { createStrategy } from "../src/runtime/create-strategy.js";
import { parseChoice, parseScore, rankByUcb } from "../src/strategies/compose/plangen.js";
import { answerChat, closeLocalServers, serveLocal } from "./helpers/local-server.js";

afterEach(closeLocalServers);
const problem = "Reach 24 with 4 7 8 8. End with #### and the value.";
const algorithmEvents = (trace: TraceEvent[]) => trace.flatMap((event) => (event.type === "algorithm" ? [event.data] : []));

/** A scripted chat model: it lists constraints, suggests `choice`, answers in turn, and scores what reaches 24 high. */
async function agents(options: { choice: string; samples: string[]; revision?: string }) {
  const asked: string[] = [];
  let next = 0;
  const url = await serveLocal((_request, body, response) => {
    const content = (body.messages as { content: string }[]).at(-1)?.content ?? "";
    asked.push(content);
    const n = typeof body.n === "number" ? body.n : 1;
    const replies = content.startsWith("List the constraints")
      ? ["- use each of 4, 7, 8, 8 once\n- the value must be 24"]
      : content.includes("Which approach suits")
        ? [`I would go with this. Choice: ${options.choice}`]
        : content.includes("Proposed solution:")
          ? [content.includes("#### 24") ? "All constraints hold.\n**Score:** 95/100" : "The value is not 24.\nScore: 30"]
          : content.includes("Feedback on it:")
            ? [options.revision ?? "8/4=2, 7+2=9... still\n#### 23"]
            : Array.from({ length: n }, () => options.samples[next++ % options.samples.length] as string);
    answerChat(response, replies);
  });
  return { model: createOpenAICompatibleModel({ baseURL: url, model: "agents" }), asked };
}

const call = { prompt: [{ role: "user" as const, content: problem }] };

describe("plangen against a local server", () => {
  it("extracts constraints, runs the suggested algorithm, and keeps the solution the verification agent scores highest", async () => {
    const { model, asked } = await agents({ choice: "best-of-n", samples: ["a\n#### 23", "b\n#### 24", "c\n#### 23", "d\n#### 22"] });
    const result = await createStrategy({ name: "plangen", options: { n: 4 } }).run({ model, call });
    expect(result.answer).toBe("24");
    expect(result.confidence).toBeCloseTo(0.95, 6);
    const verifications = asked.filter((prompt) => prompt.includes("Proposed solution:"));
    expect(verifications).toHaveLength(4);
    for (const prompt of verifications) expect(prompt).toContain("- the value must be 24");
    expect(algorithmEvents(result.trace)).toEqual([{ algorithm: "best-of-n", suggested: "best-of-n", ucb: expect.any(Number), reward: 95 }]);
  });

  it("refines on feedback; as a mixture it moves on to the next algorithm while the reward is under threshold, and learns across runs", async () => {
    const { model, asked } = await agents({ choice: "refine", samples: ["x\n#### 23", "y\n#### 24", "z\n#### 23"] });
    const strategy = createStrategy({ name: "plangen", options: { n: 3, rounds: 1, mixture: true, algorithms: "refine|best-of-n" } });
    const first = await strategy.run({ model, call });
    expect(algorithmEvents(first.trace).map((event) => [event.algorithm, event.reward])).toEqual([
      ["refine", 30],
      ["best-of-n", 95],
    ]);
    expect(first.answer).toBe("24");
    // The revision saw the verification agent's feedback.
    expect(asked.find((prompt) => prompt.includes("Feedback on it:"))).toContain("The value is not 24.");
    // The same strategy object remembers: refine's mean reward (0.3) now loses to best-of-n's (0.95) despite the suggestion.
    const second = await strategy.run({ model, call });
    expect(algorithmEvents(second.trace)[0]?.algorithm).toBe("best-of-n");
  });
});

describe("plangen's parts", () => {
  it("ranks by mean reward, exploration and the model's suggestion", () => {
    const settings = { algorithms: "best-of-n|refine|vote", exploration: 1, priorWeight: 0.5 };
    expect(rankByUcb(settings, new Map(), "vote")[0]?.algorithm).toBe("vote");
    const stats = new Map([
      ["best-of-n", { runs: 10, reward: 9 }],
      ["refine", { runs: 10, reward: 2 }],
      ["vote", { runs: 10, reward: 5 }],
    ] as const);
    expect(rankByUcb(settings, stats, "refine").map((item) => item.algorithm)).toEqual(["best-of-n", "refine", "vote"]);
    expect(rankByUcb({ ...settings, priorWeight: 0 }, stats, "refine").map((item) => item.algorithm)).toEqual(["best-of-n", "vote", "refine"]);
  });

  it("reads scores and choices leniently, and names an unknown algorithm", () => {
    expect(parseScore("Good.\n**Score:** 85/100")).toBe(85);
    expect(parseScore("score - 7")).toBe(7);
    expect(parseScore("Score: 250")).toBeUndefined();
    expect(parseScore("fine")).toBeUndefined();
    expect(parseChoice("Choice: REFINE")).toBe("refine");
    expect(parseChoice("I think a vote works, or best-of-n")).toBe("vote");
    expect(parseChoice("no idea")).toBeUndefined();
    expect(() => createStrategy({ name: "plangen", options: { algorithms: "best-of-n|tot" } })).toThrow(/unknown algorithm "tot"/);
  });
});
