/** What the proxy scripts share: numeric flags, and child processes that print the URL they serve. */
import { type ChildProcess, spawn } from "node:child_process";

/** `--name N` from the command line, or the fallback. */
export const numberFlag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

/** Starts a process and resolves with the first `http://127.0.0.1:port/v1` URL it prints. */
export function startPrinting(command: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${output}`)));
  });
}

/** Starts `mull serve` on a free port, logging warnings only, serving one model spec. */
export const startProxy = (modelSpec: string) =>
  startPrinting(process.execPath, ["bin/mull.js", "serve", "--port", "0", "--log-level", "warn", "--model", modelSpec]);
