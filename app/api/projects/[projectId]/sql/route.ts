// POST /api/projects/:projectId/sql — run a read-only query on the active sandbox (nothing is saved)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { runSqlInput, runSqlOnSandbox } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ req, db, params }) => {
  const { sql } = await parseJson(req, runSqlInput);
  return runSqlOnSandbox(db, params.projectId, sql);
});
