// POST /api/projects/:projectId/finetune/:fineTuneJobId/refresh — ask the provider now
import { projectRoute } from "@/lib/auth/server/route";
import { refreshFineTune } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const POST = projectRoute<Params>("project.view", async ({ db, params }) => ({ job: await refreshFineTune(db, params.projectId, params.fineTuneJobId) }));
