// POST /api/sandbox-access/query — a remote evaluator runs one read-only query on its token's sandbox
import { parseJson } from "@/lib/http";
import { sandboxTokenRoute } from "@/lib/sandbox-access/server/route";
import { runQuery } from "@/lib/sandbox-access/server/service";
import { MAX_BODY_BYTES, sandboxQueryInput } from "@/lib/sandbox-access/schemas";

export const runtime = "nodejs";

export const POST = sandboxTokenRoute(async ({ req, access }) => {
  const { sql, maxRows } = await parseJson(req, sandboxQueryInput, MAX_BODY_BYTES);
  return runQuery(access, sql, { maxRows });
});
