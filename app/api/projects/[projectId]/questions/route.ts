// POST /api/projects/:projectId/questions — queue template questions for every executed query (optional: styles, perQuery)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { templateQuestionsInput } from "@/lib/questions/input";
import { requestQuestionGeneration } from "@/lib/questions/server/service";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => {
  const input = await parseJson(req, templateQuestionsInput);
  const { job, created } = await requestQuestionGeneration(db, params.projectId, user.id, input);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
