// POST /api/projects/:projectId/questions — queue writing a question for every executed query
import { projectRoute } from "@/lib/auth/server/route";
import { toJobView } from "@/lib/jobs/server/queue";
import { requestQuestionGeneration } from "@/lib/questions/server/service";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ db, user, params }) => {
  const { job, created } = await requestQuestionGeneration(db, params.projectId, user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
