// GET /api/projects/:projectId/evaluations/compare?runs=a,b — scorecards side by side; for two runs, what the second fixed and broke
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { compareQuery, compareRuns } from "@/lib/evaluation/server/dashboards";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params }) => compareRuns(db, params.projectId, parseSearchParams(req, compareQuery).runs));
