import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const mull = (...args: string[]) => run(process.execPath, ["bin/mull.js", ...args], { timeout: 300_000 });
const browserPath = "/usr/bin/chromium";

// .ci/run installs Debian's chromium; where it cannot be installed the test says so and is skipped.
describe.skipIf(!existsSync(browserPath))("the report in headless Chromium", () => {
  it("renders one chart per difficulty with a line per strategy, and the drill-down opens", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mull-report-"));
    const db = join(directory, "runs.db");
    const { stdout } = await mull(
      "bench",
      "--dataset",
      "countdown-medium",
      "--limit",
      "4",
      "--strategies",
      "single,self-consistency:n=4,esc:maxSamples=8",
      "--budgets",
      "none",
      "--db",
      db,
      "--json",
    );
    const runId = (JSON.parse(stdout) as { run: string }).run;
    const file = join(directory, "report.html");
    await mull("report", runId, "--db", db, "-o", file);
    const browser = await chromium.launch({
      executablePath: browserPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith("file:")) requests.push(request.url());
      });
      await page.goto(pathToFileURL(file).href);
      const figures = page.locator("figure[data-chart]");
      expect(await figures.count()).toBe(2);
      for (let index = 0; index < 2; index++) {
        const figure = figures.nth(index);
        expect(await figure.locator("g.mark-line.role-mark").count()).toBe(3);
        const box = await figure.locator("svg").boundingBox();
        expect(box?.width).toBeGreaterThan(200);
      }
      const first = page.locator("details[data-item]").first();
      expect(await first.locator(".unit").first().isVisible()).toBe(false);
      await first.locator("summary").click();
      expect(await first.locator(".unit").first().isVisible()).toBe(true);
      expect(await first.locator(".unit li").count()).toBeGreaterThan(4);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
