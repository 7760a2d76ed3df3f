// GET /api/projects/:projectId/datasets/compare?a=&b=&offset= — pairs added, removed and changed from version a to b
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { compareDatasetVersions, compareDatasetVersionsInput } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params }) => {
  const { a, b, offset } = parseSearchParams(req, compareDatasetVersionsInput);
  return compareDatasetVersions(db, params.projectId, a, b, { offset });
});
