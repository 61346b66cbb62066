import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLED_POLICY_MODEL, BUNDLED_PRM_MODEL, createLlamaCppModel } from "../src/backends/llama-cpp/llama-cpp-model.js";
import { ModelLoadError } from "../src/core/errors/model-load-error.js";

type Parity = { tolerance: number; cases: { text: string; top: [number, number][] }[] };

describe.each([
  ["mull-tiny-policy", BUNDLED_POLICY_MODEL],
  ["mull-tiny-prm", BUNDLED_PRM_MODEL],
])("%s parity with PyTorch", (name, path) => {
  const model = createLlamaCppModel({ modelPath: path, sequences: 1 });
  afterAll(() => model.dispose());

  it("gives the next-token probabilities PyTorch computed, within the stated tolerance", async () => {
    const parity = JSON.parse(readFileSync(path.replace(/\.gguf$/, ".parity.json"), "utf8")) as Parity;
    expect(parity.cases.length).toBeGreaterThan(3);
    for (const testCase of parity.cases) {
      const tokens = await model.tokenize(testCase.text);
      expect(tokens).toHaveLength(testCase.text.length); // one token per character
      const [distribution] = await model.scorePositions({ text: testCase.text, positions: [tokens.length - 1] });
      for (const [token, probability] of testCase.top) {
        expect(Math.abs((distribution?.get(token as never) ?? 0) - probability), `${name} ${JSON.stringify(testCase.text)} token ${token}`).toBeLessThanOrEqual(
          parity.tolerance,
        );
      }
    }
  });
});

describe("bad model files", () => {
  const directory = mkdtempSync(join(tmpdir(), "mull-models-"));

  it("names a missing file", async () => {
    const model = createLlamaCppModel({ modelPath: join(directory, "missing.gguf") });
    const error = await model.doGenerate({ prompt: "Q: 1+1\nA: " }).catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("missing.gguf");
  });

  it("names a corrupt file, without crashing the process", async () => {
    const corrupt = join(directory, "corrupt.gguf");
    writeFileSync(corrupt, "this is not a model");
    const model = createLlamaCppModel({ modelPath: corrupt });
    const error = await model.doGenerate({ prompt: "Q: 1+1\nA: " }).catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/corrupt\.gguf.*not a GGUF/);
    const truncated = join(directory, "truncated.gguf");
    writeFileSync(truncated, readFileSync(BUNDLED_POLICY_MODEL).subarray(0, 4096));
    const second = await createLlamaCppModel({ modelPath: truncated })
      .doGenerate({ prompt: "x" })
      .catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(second)).toBe(true);
    expect((second as Error).message).toContain("truncated.gguf");
  });
});
