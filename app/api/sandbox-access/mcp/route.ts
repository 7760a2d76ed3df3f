// POST /api/sandbox-access/mcp — the same sandbox as an MCP server (Streamable HTTP, stateless, tool `query`)
import { sandboxTokenRoute } from "@/lib/sandbox-access/server/route";
import { handleMcpRequest } from "@/lib/sandbox-access/server/mcp";

export const runtime = "nodejs";

export const POST = sandboxTokenRoute(async ({ req, access }) => handleMcpRequest(req, access));
