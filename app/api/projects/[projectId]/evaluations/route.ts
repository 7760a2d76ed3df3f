// GET /api/projects/:projectId/evaluations — runs · POST — evaluate an endpoint on a version's test split
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { listEvalRuns, startEvalInput, startEvalRun } from "@/lib/evaluation/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string }>(async (_req, { projectId }) => ({ runs: await listEvalRuns(getDb(), projectId) }));

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const { run, job, created } = await startEvalRun(getDb(), projectId, await parseJson(req, startEvalInput));
  return Response.json({ run: { id: run.id }, job: toJobView(job), created }, { status: created ? 202 : 200 });
});
