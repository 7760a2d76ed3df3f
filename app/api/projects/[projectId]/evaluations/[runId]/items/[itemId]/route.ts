// GET /api/projects/:projectId/evaluations/:runId/items/:itemId — the gold and every answer the model gave for one item
import { projectRoute } from "@/lib/auth/server/route";
import { getEvalRunItem } from "@/lib/evaluation/server/runs";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; runId: string; itemId: string }>("project.view", async ({ db, params }) =>
  getEvalRunItem(db, params.projectId, params.runId, params.itemId),
);
