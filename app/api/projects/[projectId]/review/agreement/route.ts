// GET /api/projects/:projectId/review/agreement — first/second reviewer agreement (?measureSql=1 also executes both SQL versions)
import { projectRoute } from "@/lib/auth/server/route";
import { roleAllows } from "@/lib/auth/policy";
import { ForbiddenError } from "@/lib/errors";
import { parseSearchParams } from "@/lib/http";
import { agreementInput, getAgreement } from "@/lib/review/server/progress";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ req, db, params, access }) => {
  const input = parseSearchParams(req, agreementInput);
  // Measuring runs SQL on the sandbox, which only roles that may review can do.
  if (input.measureSql && !roleAllows(access.role, "pairs.review", access.isStudioAdmin)) {
    throw new ForbiddenError("Measuring SQL agreement runs SQL on the sandbox. Ask an analyst, a data lead or an admin to measure it.");
  }
  return getAgreement(db, params.projectId, input);
});
