// GET /api/projects/:projectId/sandbox/report — constraint checks and column profiles of the active sandbox
import { projectRoute } from "@/lib/auth/server/route";
import { summarizeReport } from "@/lib/sandbox/report";
import { getActiveSandboxReport } from "@/lib/sandbox/server/report";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => {
  const report = await getActiveSandboxReport(db, params.projectId);
  return { summary: summarizeReport(report), report };
});
