// GET /api/projects/:projectId/evaluations/:runId/export?format=csv|json|md&monthly=22000 — the run's scorecard as a file
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { exportQuery, exportScorecard } from "@/lib/evaluation/server/dashboards";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; runId: string }>("project.view", async ({ req, db, user, params }) => {
  const file = await exportScorecard(db, params.projectId, params.runId, parseSearchParams(req, exportQuery), user.id);
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
