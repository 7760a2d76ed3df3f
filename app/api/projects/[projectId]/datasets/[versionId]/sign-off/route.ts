// POST /api/projects/:projectId/datasets/:versionId/sign-off — a data lead signs off a version
import { projectRoute } from "@/lib/auth/server/route";
import { signOffDatasetVersion } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ db, user, params }) =>
  signOffDatasetVersion(db, params.projectId, params.versionId, user.id),
);
