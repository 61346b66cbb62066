/**
 * `mull mcp` answers the MCP SDK's own client: over stdio (the CLI as a child process, as an agent starts it) and
 * over streamable HTTP, with the bundled policy: tools listed, a problem solved with a named strategy and
 * progress notifications on the way, strategies compared, a bad strategy a tool error that names it.
 */
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { mcpHttpHandler } from "../src/mcp/mcp-server.js";
import { createMull } from "../src/runtime/create-mull.js";

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { type: string; text?: string }[] };

/** What every transport must do: list, solve with progress, compare, refuse by name. */
async function exercise(client: Client) {
  const tools = await client.listTools();
  expect(tools.tools.map((tool) => tool.name).sort()).toEqual(["compare", "list_strategies", "solve"]);
  const listed = (await client.callTool({ name: "list_strategies", arguments: {} })) as ToolResult;
  const strategies = (listed.structuredContent?.strategies ?? []) as { name: string }[];
  expect(strategies.map((strategy) => strategy.name)).toContain("self-consistency");
  const progress: string[] = [];
  const solved = (await client.callTool({ name: "solve", arguments: { problem: "6*7", strategy: "self-consistency:n=4", budgetTokens: 4000 } }, undefined, {
    onprogress: (update) => progress.push(update.message ?? ""),
  })) as ToolResult;
  expect(solved.isError).toBeFalsy();
  expect(solved.structuredContent).toMatchObject({ strategy: "self-consistency", candidates: 4 });
  expect(typeof solved.structuredContent?.answer).toBe("string");
  const usage = (solved.structuredContent?.usage ?? {}) as { completionTokens?: number };
  expect(usage.completionTokens).toBeGreaterThan(0);
  expect(progress.length).toBeGreaterThan(0);
  const compared = (await client.callTool({ name: "compare", arguments: { problem: "6*7", strategies: ["single", "self-consistency:n=2"] } })) as ToolResult;
  const runs = (compared.structuredContent?.runs ?? []) as { strategy: string }[];
  expect(runs.map((run) => run.strategy)).toEqual(["single", "self-consistency"]);
  const bad = (await client.callTool({ name: "solve", arguments: { problem: "6*7", strategy: "nope" } })) as ToolResult;
  expect(bad.isError).toBe(true);
  expect(bad.content[0]?.text).toContain('"nope"');
}

describe("mull mcp through the MCP SDK's client", () => {
  it("over stdio, the CLI started as a child process", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: ["bin/mull.js", "mcp", "--model", "mull-tiny-policy"], stderr: "pipe" });
    const client = new Client({ name: "mull-test", version: "1" });
    await client.connect(transport);
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  }, 120_000);

  const mull = createMull();
  afterAll(() => mull.dispose());

  it("over streamable HTTP", async () => {
    const handle = await mcpHttpHandler({ mull, models: { "mull-tiny-policy": mull.model("mull-tiny-policy") } });
    const app = new Hono();
    app.all("/mcp", (context) => handle(context.req.raw));
    const port = await new Promise<number>((resolve) => {
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve(info.port));
      afterAll(() => new Promise<void>((done) => server.close(() => done())));
    });
    const client = new Client({ name: "mull-test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  }, 120_000);
});
