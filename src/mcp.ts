/** `mull/mcp`: mull as an MCP server (needs the optional peer `@modelcontextprotocol/sdk`). */
export { createMcpServer, type McpServerOptions, mcpHttpHandler, serveMcpStdio } from "./mcp/mcp-server.js";
