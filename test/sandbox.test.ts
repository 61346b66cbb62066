/** The sandbox's behaviour for ordinary code: output, results, input, files, errors, limits, cancellation, CLI. */
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { DisposedError } from "../src/core/errors/disposed-error.js";
import { InvalidArgumentError } from "../src/core/errors/invalid-argument-error.js";
import { createSandbox } from "../src/sandbox/create-sandbox.js";

const sandbox = createSandbox({ warm: 1, timeoutMs: 10_000, concurrency: 2 });
afterAll(() => sandbox.close());

describe("python in the sandbox", () => {
  it("prints, returns the last expression's repr, reads stdin and files", async () => {
    const result = await sandbox.run({
      language: "python",
      code: "import sys\nname = sys.stdin.read()\nprint('hello', name)\nprint(open('data/n.txt').read())\n{'n': 6 * 7}",
      stdin: "world",
      files: { "data/n.txt": "from a file" },
    });
    expect(result).toMatchObject({ language: "python", exitReason: "ok", stdout: "hello world\nfrom a file\n", result: "{'n': 42}" });
    expect(result.durationMs).toBeGreaterThan(0);
  }, 60_000);

  it("reports an exception with its type, message and the code's own traceback", async () => {
    const result = await sandbox.run({ language: "python", code: "def f(x):\n    return 1 / x\nf(0)" });
    expect(result.exitReason).toBe("error");
    expect(result.error).toBe("ZeroDivisionError: division by zero");
    expect(result.stderr).toContain('File "<sandbox>", line 2, in f');
    expect(result.stderr).not.toContain("eval_code_async");
  }, 60_000);

  it("reports a syntax error", async () => {
    const result = await sandbox.run({ language: "python", code: "def (" });
    expect(result.exitReason).toBe("error");
    expect(result.error).toMatch(/^SyntaxError/);
  }, 60_000);

  it("starts each run with fresh state", async () => {
    await sandbox.run({ language: "python", code: "import builtins\nbuiltins.leak = 1\nopen('left.txt', 'w').write('x')" });
    const result = await sandbox.run({ language: "python", code: "import builtins, os\n(hasattr(builtins, 'leak'), os.path.exists('left.txt'))" });
    expect(result.result).toBe("(False, False)");
  }, 60_000);
});

describe("javascript in the sandbox", () => {
  it("prints, returns the last expression as JSON, reads stdin and files, settles promises", async () => {
    const result = await sandbox.run({
      language: "javascript",
      code: "console.log('hello', readStdin()); console.error(readFile('a.txt')); (async () => ({ n: 6 * 7 }))()",
      stdin: "world",
      files: { "a.txt": "to stderr" },
    });
    expect(result).toMatchObject({ exitReason: "ok", stdout: "hello world\n", stderr: "to stderr\n", result: '{"n":42}' });
  }, 60_000);

  it("reports a thrown error by name and message", async () => {
    const result = await sandbox.run({ language: "javascript", code: "null.x" });
    expect(result.exitReason).toBe("error");
    expect(result.error).toMatch(/^TypeError: /);
  }, 60_000);
});

describe("limits", () => {
  it("a request's own limits replace the defaults, and output up to the limit is kept", async () => {
    const started = performance.now();
    const result = await sandbox.run({ language: "javascript", code: "print('before'); for (;;) {}", timeoutMs: 300 });
    expect(result.exitReason).toBe("timeout");
    expect(result.stdout).toBe("before\n");
    expect(result.error).toBe("ran past 300 ms");
    expect(performance.now() - started).toBeLessThan(10_000);
    const capped = await sandbox.run({ language: "python", code: "print('x' * 100)", outputLimitBytes: 10 });
    expect(capped).toMatchObject({ exitReason: "output-limit", stdout: "xxxxxxxxxx" });
  }, 60_000);

  it("a request that raises its output limit gets all of it, JSON escapes and all", async () => {
    const result = await sandbox.run({ language: "javascript", code: "print('\\u0001\"'.repeat(1000000))", outputLimitBytes: 3_000_000 });
    expect(result.exitReason).toBe("ok");
    expect(result.stdout.length).toBe(2_000_001);
  }, 60_000);

  it("reports the process's peak memory and stops a run over the limit", async () => {
    const result = await sandbox.run({ language: "python", code: "a = []\nwhile True:\n    a.append(bytearray(10**6))", memoryMb: 300 });
    expect(result.exitReason).toBe("memory");
    expect(result.memoryBytes).toBeGreaterThan(300 * 1024 * 1024);
  }, 60_000);

  it("cancellation ends the run and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop now")), 300);
    await expect(sandbox.run({ language: "javascript", code: "for (;;) {}", signal: controller.signal })).rejects.toThrow("stop now");
  }, 60_000);
});

describe("bad input", () => {
  it("names the field that is wrong", async () => {
    await expect(sandbox.run({ language: "ruby" as "python", code: "" })).rejects.toThrow(InvalidArgumentError);
    await expect(sandbox.run({ language: "ruby" as "python", code: "" })).rejects.toThrow(/request\.language/);
    await expect(sandbox.run({ language: "python", code: "", files: { "../x": "" } })).rejects.toThrow(/request\.files/);
    await expect(sandbox.run({ language: "python", code: "", timeoutMs: 0 })).rejects.toThrow(/request\.timeoutMs/);
    expect(() => createSandbox({ memoryMb: 1 })).toThrow(/sandbox options\.memoryMb/);
  });

  it("a closed sandbox refuses runs", async () => {
    const closed = createSandbox({ warm: 0 });
    await closed.close();
    await expect(closed.run({ language: "python", code: "1" })).rejects.toThrow(DisposedError);
  });
});

describe("mull sandbox run", () => {
  it("runs the code on stdin and prints the JSON result", async () => {
    const lines: string[] = [];
    const code = await runCli({
      args: ["sandbox", "run", "--language", "python", "--input", "21"],
      input: "print(int(input()) * 2)",
      out: (line) => lines.push(line),
    });
    expect(code).toBe(0);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ language: "python", exitReason: "ok", stdout: "42\n" });
  }, 60_000);

  it("names an unreadable --input-file, with exit code 2", async () => {
    let errors = "";
    const code = await runCli({
      args: ["sandbox", "run", "--language", "python", "--input-file", "/no/such/file"],
      input: "print(1)",
      out: () => {},
      err: (text) => (errors += text),
    });
    expect(code).toBe(2);
    expect(errors).toContain("--input-file");
  });

  it("refuses an unknown language with exit code 2", async () => {
    let errors = "";
    const code = await runCli({ args: ["sandbox", "run", "--language", "ruby"], input: "", out: () => {}, err: (text) => (errors += text) });
    expect(code).toBe(2);
    expect(errors).toContain("--language");
  });
});
