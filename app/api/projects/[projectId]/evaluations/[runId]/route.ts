// GET /api/projects/:projectId/evaluations/:runId — a run with accuracy and per-item results
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { getEvalRun } from "@/lib/evaluation/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string; runId: string }>(async (_req, { projectId, runId }) => getEvalRun(getDb(), projectId, runId));
