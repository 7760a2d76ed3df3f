// GET /api/projects/:projectId/datasets/:versionId — a version with its split report and sign-off conversation
import { projectRoute } from "@/lib/auth/server/route";
import { getDatasetVersion } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("project.view", async ({ db, params }) => ({
  datasetVersion: await getDatasetVersion(db, params.projectId, params.versionId),
}));
