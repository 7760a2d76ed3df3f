// POST /api/projects/:projectId/pairs/bulk/undo — undo a bulk decision (pairs changed since are left alone)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { undoBulk, undoBulkInput } from "@/lib/review/server/bulk";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => {
  const { batchId } = await parseJson(req, undoBulkInput);
  return undoBulk(db, params.projectId, batchId, user.id);
});
