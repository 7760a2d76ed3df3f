// GET /api/projects/:projectId/datasets/:versionId/findings?status=&kind=&take=&cursor= — a version's scan findings with counts
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { listFindings, listFindingsQuery } from "@/lib/datasets/server/scan";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("project.view", async ({ req, db, params }) =>
  listFindings(db, params.projectId, params.versionId, parseSearchParams(req, listFindingsQuery)),
);
