// GET /api/projects/:projectId/evaluations — runs · POST — evaluate an endpoint on a version's test split
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { listEvalRuns } from "@/lib/evaluation/server/runs";
import { startEvalInput, startEvalRun } from "@/lib/evaluation/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ runs: await listEvalRuns(db, params.projectId) }));

export const POST = projectRoute("evaluations.run", async ({ req, db, user, params }) => {
  const { run, job, created } = await startEvalRun(db, params.projectId, await parseJson(req, startEvalInput), user.id);
  return Response.json({ run: { id: run.id }, job: toJobView(job), created }, { status: created ? 202 : 200 });
});
