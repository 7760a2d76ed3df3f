// POST /api/projects/:projectId/sandbox/augment — queue rows that make the empty queries return something
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { augmentSandboxInput, requestSandboxAugmentation } from "@/lib/sandbox/server/service";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const { job, created } = await requestSandboxAugmentation(db, params.projectId, await parseJson(req, augmentSandboxInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
