/**
 * The prompt-based code strategies' mechanics against a scripted OpenAI-compatible chat server on 127.0.0.1
 * (prompts sent, replies parsed, programs run in the real sandbox, failures survived). Not a measurement:
 * no code model runs here.
 */
import type { ServerResponse } from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { SandboxRunRequest } from "../src/core/code-sandbox.js";
import { createMull } from "../src/runtime/create-mull.js";
import { createPot } from "../src/strategies/code/pot.js";
import { startHint } from "../src/strategies/code/tool-integrated.js";
import { closeLocalServers, serveLocal } from "./helpers/local-server.js";

type Message = { role: string; content: string };
const received: Record<string, unknown>[] = [];
const mull = createMull({ sandbox: { warm: 0, concurrency: 2 } });
afterEach(closeLocalServers);
afterAll(() => mull.dispose());

/** Replies `text` cut at the request's first stop sequence (reported as vLLM does, in `stop_reason`). */
function reply(response: ServerResponse, body: Record<string, unknown>, texts: string[]) {
  const stops = (body.stop as string[] | undefined) ?? [];
  const choices = texts.map((text, index) => {
    const hit = stops
      .map((stop) => ({ stop, at: text.indexOf(stop) }))
      .filter((item) => item.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    return { index, message: { role: "assistant", content: hit ? text.slice(0, hit.at) : text }, finish_reason: "stop", stop_reason: hit ? hit.stop : null };
  });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ choices, usage: { prompt_tokens: 10, completion_tokens: 5 * texts.length } }));
}

/** A chat model that writes programs when asked for one and reasons in words otherwise; `n` replies cycle. */
async function codeServer(programs: string[], thoughts: string[]) {
  let program = 0;
  let thought = 0;
  return serveLocal((_, body, response) => {
    received.push(body);
    const messages = body.messages as Message[];
    const asked = messages.findLast((message) => message.role === "user")?.content ?? "";
    const n = (body.n as number | undefined) ?? 1;
    const pick = (list: string[], at: () => number) => Array.from({ length: n }, () => list[at() % list.length] as string);
    reply(response, body, asked.includes("Python program") ? pick(programs, () => program++) : pick(thoughts, () => thought++));
  });
}

const fenced = (code: string) => `Here is the program.\n\`\`\`python\n${code}\n\`\`\``;

describe("pot", () => {
  it("sends the problem inside the program-of-thought instruction, runs each program and votes on what it prints", async () => {
    received.length = 0;
    const url = await codeServer([fenced("print(6 * 7)"), fenced("x = 40\nprint(x + 2)"), fenced("raise ValueError('bad')"), "I cannot write code."], []);
    const result = await mull.run({ model: `${url}#coder`, strategy: "pot:n=4", problem: "What is six times seven?" });
    const sent = (received[0]?.messages as Message[] | undefined)?.at(-1)?.content ?? "";
    expect(sent).toContain("Python program");
    expect(sent).toContain("What is six times seven?");
    expect(result.answer).toBe("42");
    expect(result.votes).toEqual({ "42": 2 });
    expect(result.candidates.map((candidate) => candidate.answer)).toEqual(["42", "42", undefined, undefined]);
    const runs = result.trace.filter((event) => event.type === "code-run").map((event) => (event.data as { exitReason: string }).exitReason);
    expect(runs.sort()).toEqual(["error", "no-program", "ok", "ok"]);
  }, 60_000);

  it("survives programs that never end: the run is stopped at its limit and the answer comes from the rest", async () => {
    const url = await codeServer([fenced("while True: pass"), fenced("print(5)")], []);
    const result = await mull.run({ model: `${url}#coder`, strategy: "pot:n=2:codeTimeoutMs=500", problem: "2+3?" });
    expect(result.answer).toBe("5");
    expect(result.trace.some((event) => event.type === "code-run" && (event.data as { exitReason: string }).exitReason === "timeout")).toBe(true);
  }, 60_000);

  it("refuses a raw-text prompt, saying it needs a chat prompt", async () => {
    await expect(mull.run({ strategy: "pot", prompt: "Q: 1+1\nA: " })).rejects.toThrow(/chat prompt/);
  });
});

describe("pot runs a program several candidates wrote once", () => {
  it("one sandbox run for identical programs, every candidate answered", async () => {
    const url = await codeServer([fenced("print(6 * 7)")], []);
    const runs: string[] = [];
    const sandbox = { run: (request: SandboxRunRequest) => (runs.push(request.code), mull.sandbox.run(request)), close: async () => {} };
    const model = mull.model(`${url}#coder`);
    const result = await createPot({ n: 3 }).run({ model, call: { prompt: [{ role: "user", content: "6*7?" }] }, environment: { sandbox } });
    expect(runs).toHaveLength(1);
    expect(result.candidates.map((candidate) => candidate.answer)).toEqual(["42", "42", "42"]);
  }, 60_000);
});

describe("pot under a budget and cancellation", () => {
  it("stops at its token budget and when aborted, with what it has", async () => {
    const url = await codeServer([fenced("print(1)")], []);
    const spent = await mull.run({ model: `${url}#coder`, strategy: "pot:n=8:waveSize=1", problem: "1?", budget: { maxTokens: 30 } });
    expect(spent.stopReason).toBe("budget");
    expect(spent.candidates.length).toBeLessThan(8);
    const controller = new AbortController();
    controller.abort();
    const aborted = await mull.run({ model: `${url}#coder`, strategy: "pot:n=4", problem: "1?", abortSignal: controller.signal });
    expect(aborted.stopReason).toBe("abort");
  }, 60_000);
});

describe("code-select", () => {
  const problem = 'Complete this function.\n```python\ndef add(a, b):\n    """Add.\n    >>> add(2, 3)\n    5\n    >>> add(-1, 1)\n    0\n    """\n```';
  it("runs each program on the problem's examples and picks the largest group of those passing the most", async () => {
    const programs = [
      "```python\ndef add(a, b):\n    return a - b\n```",
      "```python\ndef add(a, b):\n    while True: pass\n```",
      "```python\ndef add(a, b):\n    return b + a\n```",
      "```python\ndef add(a, b):\n    return a + b\n```",
      "```python\ndef add(a, b):\n    return a - b\n```",
      "```python\ndef add(a, b):\n    return a - b\n```",
    ];
    let next = 0;
    const url = await serveLocal((_, body, response) =>
      reply(
        response,
        body,
        Array.from({ length: (body.n as number) ?? 1 }, () => programs[next++ % programs.length] as string),
      ),
    );
    const result = await mull.run({ model: `${url}#coder`, strategy: "code-select:n=6:codeTimeoutMs=1000", prompt: [{ role: "user", content: problem }] });
    // Three programs subtract (the majority), two add: the adders pass both examples, so one of them is chosen.
    expect(result.answer).toBe("def add(a, b):\n    return b + a");
    expect(result.confidence).toBeCloseTo(2 / 6, 6);
    const runs = result.trace.filter((event) => event.type === "code-run").map((event) => (event.data as { exitReason: string }).exitReason);
    expect(runs.sort()).toEqual(["ok", "ok", "ok", "timeout"]);
  }, 60_000);
});

describe("code-select without examples in the problem", () => {
  it("asks the model for tests and picks the group with the most programs times tests passed", async () => {
    const programs = ["def add(a, b):\n    return a - b", "def add(a, b):\n    return a + b"].map((code) => `\`\`\`python\n${code}\n\`\`\``);
    let drawn = 0;
    const asked: string[] = [];
    const url = await serveLocal((_, body, response) => {
      const content = (body.messages as Message[]).at(-1)?.content ?? "";
      asked.push(content);
      if (content.includes("Do not solve it")) return reply(response, body, [">>> add(2, 3)\n5\n>>> add(1, 1)\n2"]);
      // Three programs subtract, two add.
      return reply(
        response,
        body,
        Array.from({ length: (body.n as number) ?? 1 }, () => programs[drawn++ < 3 ? 0 : 1] as string),
      );
    });
    const result = await mull.run({
      model: `${url}#coder`,
      strategy: "code-select:n=5",
      prompt: [{ role: "user", content: "Write add(a, b), the sum of a and b." }],
    });
    expect(asked.filter((content) => content.includes("Do not solve it"))).toHaveLength(1);
    expect(result.answer).toBe("def add(a, b):\n    return a + b");
  }, 60_000);
});

describe("plan-search", () => {
  const problem = 'Complete this function.\n```python\ndef add(a, b):\n    """Add.\n    >>> add(2, 3)\n    5\n    """\n```';
  /** Observations, then a plan naming the observations it got, then a program that is right only from observation A. */
  async function planServer(observations: string) {
    const asked: string[] = [];
    const url = await serveLocal((_, body, response) => {
      const content = (body.messages as Message[]).at(-1)?.content ?? "";
      asked.push(content);
      if (content.includes("Do not solve it yet")) return reply(response, body, [observations]);
      if (content.includes("Do not write code")) return reply(response, body, [`Plan using ${content.includes("obs A") ? "A" : "not A"}.`]);
      const right = content.includes("Plan using A.");
      return reply(response, body, [`\`\`\`python\ndef add(a, b):\n    return ${right ? "a + b" : "a * b"}\n\`\`\``]);
    });
    return { url, asked };
  }

  it("asks for observations, plans each combination in words, writes a program per plan, and picks by the examples", async () => {
    const { url, asked } = await planServer("Some thoughts:\n- obs A\n- obs B\n- obs C");
    const result = await mull.run({
      model: `${url}#coder`,
      strategy: "plan-search:observations=3:combinationSize=2",
      prompt: [{ role: "user", content: problem }],
    });
    expect(asked.filter((content) => content.includes("Do not solve it yet"))).toHaveLength(1);
    expect(asked.filter((content) => content.includes("Do not write code"))).toHaveLength(3);
    expect(asked.filter((content) => content.includes("Implement this plan"))).toHaveLength(3);
    expect(result.candidates.map((candidate) => candidate.answer)).toEqual([
      "def add(a, b):\n    return a + b",
      "def add(a, b):\n    return a + b",
      "def add(a, b):\n    return a * b",
    ]);
    expect(result.answer).toBe("def add(a, b):\n    return a + b");
  }, 60_000);

  it("survives observations that are no list, with a warning", async () => {
    const { url } = await planServer("I think obs A matters.");
    const result = await mull.run({ model: `${url}#coder`, strategy: "plan-search", prompt: [{ role: "user", content: problem }] });
    expect(result.warnings.some((warning) => warning.type === "other" && /no list/.test(warning.message))).toBe(true);
    expect(result.answer).toBe("def add(a, b):\n    return a + b");
  }, 60_000);
});

describe("cot-pot", () => {
  it("trusts the answer both kinds reach over a larger majority of one kind", async () => {
    const url = await codeServer([fenced("print(7)"), fenced("print(5)"), fenced("print(5)")], ["so #### 9", "so #### 9", "so #### 7"]);
    const result = await mull.run({ model: `${url}#coder`, strategy: "cot-pot:n=3", problem: "A puzzle." });
    expect(result.votes).toEqual({ "9": 2, "7": 2, "5": 2 });
    expect(result.answer).toBe("7");
    expect(result.candidates).toHaveLength(6);
  }, 60_000);
});

describe("tool-integrated with python", () => {
  // What the model would write; it continues from wherever the text so far leaves off in this script.
  const script = `I will compute it.\n\`\`\`python\nprint(6 * 7)\n\`\`\`\n\`\`\`output\n42\n\`\`\`\nSo the answer is #### 42`;
  const hinted = `I think it is ${startHint}print(6 * 7)\n\`\`\`\n\`\`\`output\n42\n\`\`\`\nChecked: #### 42`;
  async function continuingServer(...scripts: string[]) {
    return serveLocal((_, body, response) => {
      received.push(body);
      const messages = body.messages as Message[];
      const last = messages.at(-1);
      const prefix = last?.role === "assistant" ? last.content : "";
      const full = scripts.find((item) => item.startsWith(prefix));
      reply(response, body, [full === undefined ? "#### 0" : full.slice(prefix.length)]);
    });
  }

  it("runs the block the model closes, shows it the output, and continues its message", async () => {
    received.length = 0;
    const url = await continuingServer(script);
    const result = await mull.run({ model: `${url}#coder?assistantPrefix=continue-final-message`, strategy: "tool-integrated:tools=python", problem: "6*7?" });
    expect(result.text).toBe(script);
    expect(result.answer).toBe("42");
    expect(received.slice(1).every((body) => body.continue_final_message === true)).toBe(true);
    expect(result.trace.filter((event) => event.type === "tool-call")).toHaveLength(1);
  }, 60_000);

  it("puts START's hint where the model first gives its answer", async () => {
    // It first answers at once; the hint takes the place of its `####`, and it goes on from the hint.
    const url = await continuingServer("I think it is #### 42", hinted);
    const result = await mull.run({
      model: `${url}#coder?assistantPrefix=continue-final-message`,
      strategy: "tool-integrated:tools=python:hints=true",
      problem: "6*7?",
    });
    expect(result.text).toBe(hinted);
    expect(result.trace.filter((event) => event.type === "tool-call").map((event) => (event.data as { tool: string }).tool)).toEqual(["hint", "python"]);
  }, 60_000);

  it("needs a backend that continues the assistant's message, and says so", async () => {
    const url = await continuingServer(script);
    await expect(mull.run({ model: `${url}#coder`, strategy: "tool-integrated:tools=python", problem: "6*7?" })).rejects.toThrow(
      /tool-integrated continues partial solutions of a chat prompt as the assistant's unfinished message/,
    );
  });
});
