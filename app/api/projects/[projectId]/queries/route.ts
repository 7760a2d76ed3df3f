// GET /api/projects/:projectId/queries — list queries · POST — queue template generation + ground truth
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson, parseSearchParams } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { generateQueriesInput, listQueries, listQueriesInput, requestQueryGeneration } from "@/lib/queries/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params }) => listQueries(db, params.projectId, parseSearchParams(req, listQueriesInput)));

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => {
  const { job, created } = await requestQueryGeneration(db, params.projectId, await parseJson(req, generateQueriesInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
