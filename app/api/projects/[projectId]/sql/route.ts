// POST /api/projects/:projectId/sql — run a read-only query on the active sandbox (nothing is saved)
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { runSqlInput, runSqlOnSandbox } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const { sql } = await parseJson(req, runSqlInput);
  return runSqlOnSandbox(getDb(), projectId, sql);
});
