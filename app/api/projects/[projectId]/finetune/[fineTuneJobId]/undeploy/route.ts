// POST /api/projects/:projectId/finetune/:fineTuneJobId/undeploy — delete the model's deployment (billing stops; the endpoint and its runs stay)
import { projectRoute } from "@/lib/auth/server/route";
import { undeployFineTune } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const POST = projectRoute<Params>("finetune.launch", async ({ db, user, params }) => ({ job: await undeployFineTune(db, params.projectId, params.fineTuneJobId, user.id) }));
