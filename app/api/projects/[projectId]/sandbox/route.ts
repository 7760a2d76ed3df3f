// POST /api/projects/:projectId/sandbox — queue generation of a new synthetic sandbox
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { generateSandboxInput, requestSandboxGeneration } from "@/lib/sandbox/server/service";

export const runtime = "nodejs";

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const { job, created } = await requestSandboxGeneration(getDb(), projectId, await parseJson(req, generateSandboxInput));
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
