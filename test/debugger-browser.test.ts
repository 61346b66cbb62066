import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMull } from "../src/runtime/create-mull.js";
import { startServer } from "../src/server/start-server.js";

const browserPath = "/usr/bin/chromium";
const mull = createMull();
let server: Awaited<ReturnType<typeof startServer>>;
let origin: string;

beforeAll(async () => {
  server = await startServer({ models: { "mull-tiny-policy": mull.model("mull-tiny-policy", { sequences: 4 }) }, mull, port: 0, debug: true });
  origin = server.url.replace(/\/v1$/, "");
});
afterAll(async () => {
  await server.close();
  await mull.dispose();
});

const post = (body: unknown) =>
  fetch(`${server.url}/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the live debugger", () => {
  it("streams a running request's events to a subscriber before the response completes", async () => {
    const pending = post({ model: "self-consistency/mull-tiny-policy", prompt: "Q: 17*23+4\nA: ", max_tokens: 64, mull: { n: 8, waveSize: 1 } });
    let id: string | undefined;
    for (let wait = 0; wait < 200 && id === undefined; wait++) {
      id = ((await (await fetch(`${origin}/debug/requests`)).json()) as { id: string }[])[0]?.id;
      if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const events = await fetch(`${origin}/debug/requests/${id}/events`);
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    // An event arrived while the vote was still running: the response had not come back yet.
    let answered = false;
    void pending.then(() => (answered = true));
    expect(first).toMatch(/^data: \{"type":"(progress|trace)"/);
    expect(answered).toBe(false);
    let rest = "";
    for (let step = await reader.read(); !step.done; step = await reader.read()) rest += new TextDecoder().decode(step.value);
    expect(rest).toMatch(/"type":"end".*"strategy":"self-consistency"/);
    expect(rest).toMatch(/event: done\ndata: done/);
    expect((await pending).status).toBe(200);
  });

  // .ci/run installs Debian's chromium; where it cannot be installed this test is skipped.
  it.skipIf(!existsSync(browserPath))("shows recent requests, a vote's candidates and a beam search's kept and pruned nodes in headless Chromium", async () => {
    expect((await post({ model: "self-consistency/mull-tiny-policy", prompt: "Q: 6*7\nA: ", max_tokens: 32, mull: { n: 4 } })).status).toBe(200);
    expect((await post({ model: "beam-search/mull-tiny-policy", prompt: "Q: 2+3*4\nA: ", max_tokens: 64, seed: 1, mull: { n: 4, beamWidth: 2 } })).status).toBe(
      200,
    );
    const browser = await chromium.launch({
      executablePath: browserPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(origin)) outside.push(request.url());
      });
      await page.goto(`${origin}/debug`);
      const rows = page.locator("tr.request");
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
      // Newest first: the beam search, then the vote.
      await rows.nth(1).click();
      await page.locator("#candidates tr.candidate").first().waitFor();
      expect(await page.locator("#candidates tr.candidate").count()).toBe(4);
      expect(await page.locator("#stop").textContent()).toMatch(/self-consistency: answer .*stopped: completed/);
      expect(await page.locator('#timeline li[data-type="vote"]').count()).toBe(1);
      await rows.nth(0).click();
      await page.locator("ul.tree li").first().waitFor();
      expect(await page.locator('ul.tree li[data-status="pruned"]').count()).toBeGreaterThan(0);
      expect(await page.locator("ul.tree li[data-chosen]").count()).toBeGreaterThan(0);
      expect(await page.locator('#timeline li[data-type="keep"]').count()).toBeGreaterThan(0);
      expect(await page.locator("#usage").textContent()).toMatch(/usage: \d+ prompt \+ \d+ completion tokens/);
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
