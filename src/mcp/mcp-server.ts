/**
 * mull as an MCP server (`@modelcontextprotocol/sdk`, an optional peer): agents call `solve` (a problem through a
 * named strategy within a budget, with progress notifications while it works), `compare` (several strategies on one
 * problem) and `list_strategies`. Over stdio (`mull mcp`) or streamable HTTP (`mull mcp --port`, stateless: each
 * request gets its own server). Runs go through the runtime like every entry point's.
 */
import { z } from "zod";
import type { LanguageModel } from "../core/language-model.js";
import type { StrategyResult } from "../core/strategy.js";
import { importOptional } from "../internal/optional-package.js";
import type { Mull } from "../runtime/create-mull.js";

export type McpServerOptions = {
  mull: Mull;
  /** The models a call may name, by name; the first is the default. */
  models: Record<string, LanguageModel>;
  /** The strategy `solve` runs where a call names none. Defaults to `self-consistency`. */
  defaultStrategy?: string;
  /** Most tokens a call may spend (a call may ask for less). Defaults to `20000`. */
  maxBudgetTokens?: number;
};

type ToolExtra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number } | undefined;
  sendNotification: (notification: { method: "notifications/progress"; params: Record<string, unknown> }) => Promise<void>;
};

const budgetTokens = z.number().int().min(1).optional().describe("Most tokens (prompt and completion) the run may spend. Default: the server's most");

/** A run's result as the tool's text and structured content. */
function summary(result: StrategyResult) {
  return {
    strategy: result.strategy,
    answer: result.answer ?? null,
    confidence: result.confidence,
    stopReason: result.stopReason,
    candidates: result.candidates.length,
    usage: { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens, calls: result.usage.calls, wallMs: result.usage.wallMs },
    ...(result.verifierTokens !== undefined ? { verifierTokens: result.verifierTokens } : {}),
  };
}

/** A tool's result: the content as JSON text and as structured content. */
const structured = (content: Record<string, unknown>) => ({ content: [{ type: "text" as const, text: JSON.stringify(content) }], structuredContent: content });
/** A failed call as a tool error the agent reads (an unknown strategy, a bad option), not a protocol error. */
const failure = (error: unknown) => ({ content: [{ type: "text" as const, text: error instanceof Error ? error.message : String(error) }], isError: true });

/** Builds the MCP server (the SDK imported here, once). */
export async function createMcpServer(options: McpServerOptions) {
  const { McpServer } = await importOptional("@modelcontextprotocol/sdk", "mull mcp", () => import("@modelcontextprotocol/sdk/server/mcp.js"));
  const { mull, models } = options;
  const names = Object.keys(models);
  if (names.length === 0) throw new Error("an MCP server needs at least one model");
  const maxBudget = options.maxBudgetTokens ?? 20_000;
  const server = new McpServer({ name: "mull", version: "1" }, { capabilities: { tools: {} } });
  const modelOf = (name: string | undefined) => {
    const model = models[name ?? (names[0] as string)];
    if (!model) throw new Error(`unknown model ${JSON.stringify(name)}; this server has ${names.join(", ")}`);
    return model;
  };
  const solve = async (
    input: { problem: string; strategy?: string | undefined; model?: string | undefined; budgetTokens?: number | undefined },
    extra: ToolExtra,
  ) => {
    const token = extra._meta?.progressToken;
    let progress = 0;
    return mull.run({
      strategy: input.strategy ?? options.defaultStrategy ?? "self-consistency",
      model: modelOf(input.model),
      problem: input.problem,
      budget: { maxTokens: Math.min(input.budgetTokens ?? maxBudget, maxBudget) },
      abortSignal: extra.signal,
      // Each step of the run (a candidate, a vote) as a progress notification, where the client asked for them.
      ...(token !== undefined
        ? {
            onProgress: (part) => {
              progress++;
              void extra
                .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, message: part.message } })
                .catch(() => {});
            },
          }
        : {}),
    });
  };
  server.registerTool(
    "solve",
    {
      title: "Solve with an inference-time strategy",
      description:
        "Solves a problem by spending more compute at inference time: samples, votes, verifies or searches with the named strategy (list_strategies lists them), within a token budget. Returns the answer, its confidence and what it spent.",
      inputSchema: {
        problem: z.string().min(1).describe("The problem or question"),
        strategy: z.string().min(1).optional().describe("A strategy spec, e.g. self-consistency:n=8 or best-of-n:n=4. Default: self-consistency"),
        model: z
          .string()
          .min(1)
          .optional()
          .describe(`A model of this server: ${names.join(", ")}. Default: ${names[0]}`),
        budgetTokens,
      },
    },
    async (input, extra) => {
      try {
        const result = await solve(input, extra as unknown as ToolExtra);
        return structured({ ...summary(result), text: result.text });
      } catch (error) {
        return failure(error);
      }
    },
  );

  server.registerTool(
    "compare",
    {
      title: "Compare strategies on one problem",
      description: "Runs several strategies on the same problem and returns each one's answer, confidence and tokens, to choose a strategy by its cost.",
      inputSchema: {
        problem: z.string().min(1).describe("The problem or question"),
        strategies: z.array(z.string().min(1)).min(1).max(8).describe('Strategy specs to run, e.g. ["single", "self-consistency:n=8"]'),
        model: z.string().min(1).optional().describe(`A model of this server. Default: ${names[0]}`),
        budgetTokens,
      },
    },
    async (input, extra) => {
      try {
        const runs = [];
        for (const strategy of input.strategies) runs.push(summary(await solve({ ...input, strategy }, extra as unknown as ToolExtra)));
        return structured({ runs });
      } catch (error) {
        return failure(error);
      }
    },
  );

  server.registerTool(
    "list_strategies",
    { title: "List strategies", description: "The strategies solve and compare can run, with what each does.", inputSchema: {} },
    async () =>
      structured({
        models: names,
        strategies: mull.strategies.names.map((name) => ({ name, description: mull.strategies.get(name).description })),
      }),
  );
  return server;
}

/** Serves over stdio until the input closes (`mull mcp`). */
export async function serveMcpStdio(options: McpServerOptions): Promise<{ close: () => Promise<void> }> {
  const { StdioServerTransport } = await importOptional("@modelcontextprotocol/sdk", "mull mcp", () => import("@modelcontextprotocol/sdk/server/stdio.js"));
  const server = await createMcpServer(options);
  await server.connect(new StdioServerTransport());
  return { close: () => server.close() };
}

/**
 * A fetch handler for MCP's streamable HTTP transport, stateless: each request gets its own server and transport
 * (mount it at `/mcp`).
 */
export async function mcpHttpHandler(options: McpServerOptions): Promise<(request: Request) => Promise<Response>> {
  const { WebStandardStreamableHTTPServerTransport } = await importOptional(
    "@modelcontextprotocol/sdk",
    "mull mcp",
    () => import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
  );
  return async (request) => {
    const server = await createMcpServer(options);
    const transport = new WebStandardStreamableHTTPServerTransport({});
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    // The server lives as long as its response: a streamed one closes it when the stream ends.
    if (!response.body) await server.close();
    return response;
  };
}
