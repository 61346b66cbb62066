/**
 * What the sandbox process takes away from itself before model code runs. The permission model and the
 * namespaces do the containing; this removes what they leave: signals to other processes (`process.kill`
 * reaches any process of the same user), raw bindings, and the network where no network namespace was made.
 */
import { constants as fsConstants } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const blocked = (what: string) => () => {
  throw new Error(`${what} is not available in the sandbox`);
};

/** Pyodide's file-system layer asks `process.binding("constants")`, which the permission model denies. */
export function prepareForRuntime(): void {
  Object.defineProperty(process, "binding", {
    configurable: true,
    value: (name: string) => {
      if (name === "constants") return { fs: fsConstants };
      throw new Error(`process.binding(${JSON.stringify(name)}) is not available in the sandbox`);
    },
  });
}

async function blockNetwork(): Promise<void> {
  const net = await import("node:net");
  const tls = await import("node:tls");
  const dgram = await import("node:dgram");
  const dns = await import("node:dns");
  const http = await import("node:http");
  const https = await import("node:https");
  const http2 = await import("node:http2");
  const patch = (target: object, names: string[], what: string) => {
    for (const name of names) Object.defineProperty(target, name, { configurable: false, writable: false, value: blocked(what) });
  };
  patch(net.default, ["connect", "createConnection", "createServer"], "the network");
  patch(net.default.Socket.prototype, ["connect"], "the network");
  patch(net.default.Server.prototype, ["listen"], "the network");
  patch(tls.default, ["connect", "createServer"], "the network");
  patch(dgram.default, ["createSocket"], "the network");
  patch(dns.default, ["lookup", "resolve", "resolve4", "resolve6"], "the network");
  patch(dns.default.promises, ["lookup", "resolve", "resolve4", "resolve6"], "the network");
  patch(http.default, ["request", "get", "createServer"], "the network");
  patch(https.default, ["request", "get", "createServer"], "the network");
  patch(http2.default, ["connect", "createServer", "createSecureServer"], "the network");
  syncBuiltinESMExports();
  for (const name of ["fetch", "WebSocket", "EventSource"])
    Object.defineProperty(globalThis, name, { configurable: false, writable: false, value: blocked("the network") });
}

/** A heap snapshot would show the code this process's memory, the result token included. */
async function blockIntrospection(): Promise<void> {
  const v8 = await import("node:v8");
  for (const name of ["getHeapSnapshot", "writeHeapSnapshot", "setFlagsFromString"])
    Object.defineProperty(v8.default, name, { configurable: false, writable: false, value: blocked(`v8.${name}`) });
  syncBuiltinESMExports();
}

/** Called once the runtime is loaded, before the request is read. */
export async function harden(): Promise<void> {
  for (const name of ["kill", "_kill", "binding", "_linkedBinding", "dlopen", "chdir", "abort", "_debugProcess", "_debugEnd", "_startProfilerIdleNotifier"]) {
    Object.defineProperty(process, name, { configurable: false, writable: false, value: blocked(`process.${name}`) });
  }
  await blockNetwork();
  await blockIntrospection();
}
