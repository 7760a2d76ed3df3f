// GET /api/projects/:projectId/pairs — list question/SQL pairs (filter by state, search text)
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { listPairs, listPairsInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params }) => listPairs(db, params.projectId, parseSearchParams(req, listPairsInput)));
