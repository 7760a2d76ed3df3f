// POST /api/projects/:projectId/questions — queue writing a question for every executed query
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { requestQuestionGeneration } from "@/lib/questions/server/service";

export const runtime = "nodejs";

export const POST = route<{ projectId: string }>(async (_req, { projectId }) => {
  const { job, created } = await requestQuestionGeneration(getDb(), projectId);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
