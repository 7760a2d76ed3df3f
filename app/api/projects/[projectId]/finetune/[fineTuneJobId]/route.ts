// GET /api/projects/:projectId/finetune/:fineTuneJobId — one job: state, progress, metrics, timeline, lineage
import { projectRoute } from "@/lib/auth/server/route";
import { getFineTuneJob } from "@/lib/finetune/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; fineTuneJobId: string };

export const GET = projectRoute<Params>("project.view", async ({ db, params }) => ({ job: await getFineTuneJob(db, params.projectId, params.fineTuneJobId) }));
