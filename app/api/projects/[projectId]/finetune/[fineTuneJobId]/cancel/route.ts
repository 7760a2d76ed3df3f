// POST /api/projects/:projectId/finetune/:fineTuneJobId/cancel — stop the job at the provider (or before it starts)
import { projectRoute } from "@/lib/auth/server/route";
import { cancelFineTune } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const POST = projectRoute<Params>("finetune.launch", async ({ db, user, params }) => ({ job: await cancelFineTune(db, params.projectId, params.fineTuneJobId, user.id) }));
