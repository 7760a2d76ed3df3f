// GET /api/projects/:projectId/sandbox/rows?table=&page=&pageSize=&sort=&dir=&filter= — one page of a sandbox table
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { browseRowsInput, browseSandboxRows } from "@/lib/sandbox/server/browse";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params }) => {
  return browseSandboxRows(db, params.projectId, parseSearchParams(req, browseRowsInput));
});
