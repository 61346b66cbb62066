/**
 * The sandbox's security suite: every hostile program is contained (its exit reason is one of those listed),
 * and the host is unharmed: no host file read into output or written, no connection reached a server on
 * 127.0.0.1, no environment variable leaked, and this process alive. Runs in both isolation modes where the
 * host allows namespaces (the permission model alone must hold too).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../src/sandbox/create-sandbox.js";
import { hostilePrograms } from "./fixtures/sandbox-hostile.js";

const secret = randomBytes(16).toString("hex");
const environmentSecret = randomBytes(16).toString("hex");
const hostDir = mkdtempSync(join(tmpdir(), "mull-sandbox-host-"));
const secretPath = join(hostDir, "secret.txt");
const pwnedPath = join(hostDir, "pwned");
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  writeFileSync(secretPath, secret);
  process.env.MULL_SANDBOX_TEST_SECRET = environmentSecret;
  server = createServer((socket) => {
    connections++;
    socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env.MULL_SANDBOX_TEST_SECRET;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fill = (code: string) =>
  code
    .replaceAll("{{SECRET_PATH}}", secretPath)
    .replaceAll("{{PWNED_PATH}}", pwnedPath)
    .replaceAll("{{HOST_DIR}}", hostDir)
    .replaceAll("{{PORT}}", String(port))
    .replaceAll("{{HOST_PID}}", String(process.pid));

function suite(isolation: "auto" | "process") {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox({ isolation, warm: 1, timeoutMs: 2000, memoryMb: 384, concurrency: 2 });
  });
  afterAll(async () => {
    await sandbox.close();
    // Give code that scheduled work for after its run the time to try it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(pwnedPath), "a sandboxed program wrote a host file").toBe(false);
    expect(connections, "a sandboxed program reached the host's server").toBe(0);
  });

  const programs =
    isolation === "auto" ? hostilePrograms : hostilePrograms.filter((program) => /bridge|socket|urllib|pyfetch|fetch|WebSocket/.test(program.name));
  it.concurrent.each(programs.map((program) => [`${program.language}: ${program.name}`, program] as const))(
    "%s is contained",
    async (_, program) => {
      const result = await sandbox.run({ language: program.language, code: fill(program.code) });
      const shown = [result.stdout, result.stderr, result.result ?? "", result.error ?? ""].join("\n");
      expect(program.contained, `exit reason ${result.exitReason}: ${result.error ?? ""} ${result.stderr.slice(-300)}`).toContain(result.exitReason);
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(environmentSecret);
      expect(process.kill(process.pid, 0)).toBe(true);
    },
    60_000,
  );
}

describe("sandbox security (isolation auto)", () => suite("auto"));

describe("sandbox security (permission model only, no namespaces)", () => suite("process"));

describe("the hostile suite", () => {
  it("has at least 40 programs in each language", () => {
    expect(hostilePrograms.filter((program) => program.language === "python").length).toBeGreaterThanOrEqual(40);
    expect(hostilePrograms.filter((program) => program.language === "javascript").length).toBeGreaterThanOrEqual(40);
  });
});
