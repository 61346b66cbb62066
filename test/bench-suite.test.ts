import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBenchSuite } from "../src/bench/bench-suite.js";

describe("bench suites are validated like every other config", () => {
  it("the shipped suites parse", () => {
    for (const name of readdirSync("bench/suites")) {
      const path = join("bench/suites", name);
      expect(parseBenchSuite(JSON.parse(readFileSync(path, "utf8")), path).strategies).toBeTruthy();
    }
  });

  it("a bad field is refused naming the file and the field", () => {
    expect(() => parseBenchSuite({ limt: 5 }, "suite.json")).toThrow(/suite\.json: limt: no such field/);
    expect(() => parseBenchSuite({ strategies: 3 }, "suite.json")).toThrow(/suite\.json: strategies/);
    expect(() => parseBenchSuite({ maxTokens: 0 }, "suite.json")).toThrow(/suite\.json: maxTokens/);
    expect(() => parseBenchSuite({ equations: "loose" }, "suite.json")).toThrow(/suite\.json: equations/);
  });
});
