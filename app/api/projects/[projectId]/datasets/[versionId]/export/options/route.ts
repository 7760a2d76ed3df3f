// GET /api/projects/:projectId/datasets/:versionId/export/options — every format × part: available or why not, and the export history
import { projectRoute } from "@/lib/auth/server/route";
import { listExportOptions } from "@/lib/datasets/server/export";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("project.view", async ({ db, params }) => listExportOptions(db, params.projectId, params.versionId));
