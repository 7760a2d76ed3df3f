// GET /api/projects/:projectId/drift — the latest schema drift and what it touches
import { projectRoute } from "@/lib/auth/server/route";
import { getLatestDrift } from "@/lib/schema/server/drift";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ drift: await getLatestDrift(db, params.projectId) }));
