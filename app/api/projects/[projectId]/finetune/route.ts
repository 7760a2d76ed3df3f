// GET /api/projects/:projectId/finetune — fine-tune jobs · POST — launch one (once per launchKey)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { launchFineTune, launchFineTuneInput, listFineTuneJobs } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ jobs: await listFineTuneJobs(db, params.projectId) }));

export const POST = projectRoute("finetune.launch", async ({ req, db, user, params }) => {
  const out = await launchFineTune(db, params.projectId, await parseJson(req, launchFineTuneInput), user.id, { origin: new URL(req.url).origin });
  return Response.json(out, { status: out.created ? 201 : 200 });
});
