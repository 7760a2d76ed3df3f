// POST /api/projects/:projectId/finetune/:fineTuneJobId/deploy — deploy the model; it becomes an endpoint once it serves
import { projectRoute } from "@/lib/auth/server/route";
import { deployFineTune } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const POST = projectRoute<Params>("finetune.launch", async ({ db, user, params }) => ({ job: await deployFineTune(db, params.projectId, params.fineTuneJobId, user.id) }));
