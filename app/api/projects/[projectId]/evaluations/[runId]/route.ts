// GET /api/projects/:projectId/evaluations/:runId — a run with accuracy and per-item results
import { projectRoute } from "@/lib/auth/server/route";
import { getEvalRun } from "@/lib/evaluation/server/runs";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; runId: string }>("project.view", async ({ db, params }) => getEvalRun(db, params.projectId, params.runId));
