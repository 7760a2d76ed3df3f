// POST /api/projects/:projectId/datasets/:versionId/findings/scan — scan the version again (analysts prepare versions)
import { projectRoute } from "@/lib/auth/server/route";
import { runScan } from "@/lib/datasets/server/scan";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("pairs.review", async ({ db, user, params }) => ({
  summary: await runScan(db, params.projectId, params.versionId, user.id),
}));
