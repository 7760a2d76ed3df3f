// POST /api/projects/:projectId/pairs/assign — hand the pairs matching a filter to reviewers (optionally with a blind second review)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { assignPairs, assignPairsInput } from "@/lib/review/server/assign";

export const runtime = "nodejs";

// Handing out review work is a lead's decision: the data leads' and admins' permission.
export const POST = projectRoute("datasets.manage", async ({ req, db, user, params }) => assignPairs(db, params.projectId, await parseJson(req, assignPairsInput), user.id));
