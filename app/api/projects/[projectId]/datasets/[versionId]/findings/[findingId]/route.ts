// POST /api/projects/:projectId/datasets/:versionId/findings/:findingId — waive, exclude, redact or reopen (waiving a blocking finding needs a data lead)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { resolveFinding, resolveFindingInput } from "@/lib/datasets/server/scan";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string; findingId: string }>("pairs.review", async ({ req, db, user, access, params }) => ({
  finding: await resolveFinding(db, params.projectId, params.versionId, params.findingId, await parseJson(req, resolveFindingInput), {
    userId: user.id,
    role: access.role,
    isStudioAdmin: access.isStudioAdmin,
  }),
}));
