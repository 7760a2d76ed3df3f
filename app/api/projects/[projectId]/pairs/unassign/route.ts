// POST /api/projects/:projectId/pairs/unassign — clear the reviewer and second reviewer of the pairs matching a filter
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { unassignPairs, unassignPairsInput } from "@/lib/review/server/assign";

export const runtime = "nodejs";

export const POST = projectRoute("datasets.manage", async ({ req, db, user, params }) => unassignPairs(db, params.projectId, await parseJson(req, unassignPairsInput), user.id));
