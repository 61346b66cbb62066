/**
 * How a sandbox process is started: Node's permission model always; new user, network and PID namespaces
 * (`unshare`) where the host allows unprivileged ones, so that the process has no network and sees no other
 * process. Checked once per host.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export type SandboxIsolation = "namespaces" | "process";

let probed: string | undefined | null = null;

/** The `unshare` binary when unprivileged user + network + PID namespaces work here, else undefined. */
export function namespaceLauncher(): string | undefined {
  if (probed !== null) return probed;
  probed = undefined;
  for (const candidate of ["/usr/bin/unshare", "/bin/unshare"]) {
    if (!existsSync(candidate)) continue;
    const check = spawnSync(candidate, [...namespaceArgs, "/bin/true"], { env: {}, stdio: "ignore", timeout: 5000 });
    if (check.status === 0) probed = candidate;
    break;
  }
  return probed;
}

export const namespaceArgs = ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"];

/**
 * A CPU-time ceiling for the whole process (`prlimit --cpu`, where there is one): the parent's kill ends a run at
 * its limit, but a parent that dies mid-run (SIGKILL) kills nothing, and a runaway loop would spin on. Above the
 * longest run a request may ask for (600 s) plus the runtime's load.
 */
export const cpuCeilingSeconds = 630;
let prlimit: string | undefined | null = null;

export function cpuLimitPrefix(): string[] {
  if (prlimit === null) prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].find((candidate) => existsSync(candidate));
  return prlimit ? [prlimit, `--cpu=${cpuCeilingSeconds}`] : [];
}

/** The child's entry, always the compiled file: two folders up from here is the package root in src and dist alike. */
export function childEntry(): string {
  const entry = fileURLToPath(new URL("../../dist/sandbox/sandbox-child.js", import.meta.url));
  if (!existsSync(entry)) throw new Error(`the sandbox's process entry ${entry} is missing: run \`npm run build\``);
  return entry;
}

/** The node_modules folder the runtimes load from (read-only inside the sandbox). */
export function runtimeModules(): string {
  // pyodide/pyodide.mjs → node_modules/pyodide → node_modules
  return dirname(dirname(fileURLToPath(import.meta.resolve("pyodide"))));
}

/** Node's arguments: read access to the child's code and the runtimes only; heap limit in MiB. */
export function nodeArguments(options: { heapMb: number }): string[] {
  const entry = childEntry();
  const root = dirname(dirname(dirname(entry)));
  return [
    "--experimental-permission",
    `--allow-fs-read=${dirname(entry)}/`,
    `--allow-fs-read=${runtimeModules()}/`,
    `--allow-fs-read=${root}/package.json`,
    `--max-old-space-size=${options.heapMb}`,
    "--no-warnings",
    entry,
  ];
}
