// GET /api/projects/:projectId/pairs — one window of the pairs matching a filter, sorted, with the total
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { listPairs, listPairsInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, user, params }) => listPairs(db, params.projectId, parseSearchParams(req, listPairsInput), user.id));
