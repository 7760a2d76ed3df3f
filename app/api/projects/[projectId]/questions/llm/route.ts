// POST /api/projects/:projectId/questions/llm — queue questions written by a model endpoint, with an optional round trip
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { llmQuestionsInput } from "@/lib/questions/input";
import { requestLlmQuestions } from "@/lib/questions/server/llm";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => {
  const { job, created } = await requestLlmQuestions(db, params.projectId, await parseJson(req, llmQuestionsInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
