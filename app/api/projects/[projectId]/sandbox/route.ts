// POST /api/projects/:projectId/sandbox — queue generation of a new synthetic sandbox
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { generateSandboxInput, requestSandboxGeneration } from "@/lib/sandbox/server/service";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const { job, created } = await requestSandboxGeneration(db, params.projectId, await parseJson(req, generateSandboxInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
