import "server-only";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { runQuery, type SandboxAccess } from "@/lib/sandbox-access/server/service";
import { DEFAULT_MAX_ROWS, MAX_BODY_BYTES, MAX_ROWS_LIMIT, QUERY_TIMEOUT_MS, sandboxQueryToolShape } from "@/lib/sandbox-access/schemas";

// The evaluator endpoint as a Model Context Protocol server (Streamable HTTP). It is stateless: each
// HTTP request gets a new server and transport bound to the caller's token, answers with plain JSON
// (no SSE stream to keep open), and is closed when the answer is ready. A GET for a server-sent
// event stream has nothing to carry here, so the route answers it 405, which the protocol allows.

const SERVER_INFO = { name: "sandpiper-sandbox", version: "1.0.0" };

function instructionsFor(access: SandboxAccess): string {
  return [
    `Read-only SQL access to the synthetic DuckDB sandbox of dataset version v${access.version} "${access.versionName}" (project "${access.projectName}").`,
    `Call the query tool with one SELECT or WITH statement in DuckDB's dialect. Each query may run for ${QUERY_TIMEOUT_MS / 1000} s and returns at most ${DEFAULT_MAX_ROWS.toLocaleString("en-US")} rows unless maxRows asks for more (up to ${MAX_ROWS_LIMIT.toLocaleString("en-US")}).`,
    "The sandbox is read-only: writes, schema changes, file access, ATTACH, INSTALL/LOAD and settings changes are refused.",
    "information_schema.tables and information_schema.columns describe the tables. The rows are synthetic, not production data.",
  ].join("\n");
}

function text(value: string, isError = false): CallToolResult {
  return { content: [{ type: "text", text: value }], ...(isError ? { isError: true } : {}) };
}

export function createSandboxMcpServer(access: SandboxAccess): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: instructionsFor(access) });
  server.registerTool(
    "query",
    {
      title: "Run a read-only SQL query",
      description: `Runs one SELECT or WITH query on the sandbox of dataset version v${access.version} and returns {columns:[{name,type}], rows, rowCount, truncated, elapsedMs} as JSON.`,
      inputSchema: sandboxQueryToolShape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ sql, maxRows }) => {
      try {
        return text(JSON.stringify(await runQuery(access, sql, { maxRows })));
      } catch (error) {
        // Refused SQL, SQL errors, timeouts and the rate limit are answers the model can act on.
        if (error instanceof AppError) return text(error.message, true);
        logger.error("sandbox MCP query failed", { tokenId: access.tokenId, error: (error as Error)?.stack ?? String(error) });
        return text("The query failed on the server. The error was logged; try again.", true);
      }
    },
  );
  return server;
}

/** Answers one MCP request (already authenticated) with a fresh stateless server. */
export async function handleMcpRequest(req: Request, access: SandboxAccess): Promise<Response> {
  const server = createSandboxMcpServer(access);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req);
  } finally {
    // The JSON answer is complete once handleRequest resolves; nothing else will use this server.
    await server.close();
  }
}
