// GET /api/projects/:projectId/queries — list queries · POST — queue template generation + ground truth
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { generateQueriesInput, listQueries, listQueriesInput, requestQueryGeneration } from "@/lib/queries/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string }>(async (req, { projectId }) => {
  const filter = listQueriesInput.parse(Object.fromEntries(new URL(req.url).searchParams));
  return listQueries(getDb(), projectId, filter);
});

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const { job, created } = await requestQueryGeneration(getDb(), projectId, await parseJson(req, generateQueriesInput));
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
