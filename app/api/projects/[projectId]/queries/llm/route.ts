// POST /api/projects/:projectId/queries/llm — queue query generation by a model endpoint for chosen shapes
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { llmQueriesInput, requestLlmQueryGeneration } from "@/lib/queries/server/llm-generate";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const { job, created } = await requestLlmQueryGeneration(db, params.projectId, await parseJson(req, llmQueriesInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
