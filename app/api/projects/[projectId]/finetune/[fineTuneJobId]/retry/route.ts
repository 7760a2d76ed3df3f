// POST /api/projects/:projectId/finetune/:fineTuneJobId/retry — launch again after a failed launch, keeping finished steps
import { projectRoute } from "@/lib/auth/server/route";
import { retryFineTuneLaunch } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const POST = projectRoute<Params>("finetune.launch", async ({ db, user, params }) => ({ job: await retryFineTuneLaunch(db, params.projectId, params.fineTuneJobId, user.id) }));
