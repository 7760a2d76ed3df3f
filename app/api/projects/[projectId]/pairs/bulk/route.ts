// GET /api/projects/:projectId/pairs/bulk — how many pairs a filter matches (the count to confirm)
// POST /api/projects/:projectId/pairs/bulk — approve, reject or reopen every pair matching a filter
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson, parseSearchParams } from "@/lib/http";
import { bulkDecide, bulkDecideInput, bulkFilterInput, countBulk } from "@/lib/review/server/bulk";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, user, params }) => ({ count: await countBulk(db, params.projectId, parseSearchParams(req, bulkFilterInput), user.id) }));

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => bulkDecide(db, params.projectId, await parseJson(req, bulkDecideInput), user.id));
