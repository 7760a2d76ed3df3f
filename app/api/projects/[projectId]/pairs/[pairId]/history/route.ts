// GET /api/projects/:projectId/pairs/:pairId/history — every change to a pair (who, when, before/after) and its comments
import { projectRoute } from "@/lib/auth/server/route";
import { getPairHistory } from "@/lib/review/server/history";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; pairId: string }>("project.view", async ({ db, user, params }) =>
  getPairHistory(db, params.projectId, params.pairId, user.id),
);
