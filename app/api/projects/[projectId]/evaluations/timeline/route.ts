// GET /api/projects/:projectId/evaluations/timeline — accuracy of finished runs over time, one series per endpoint
import { projectRoute } from "@/lib/auth/server/route";
import { accuracyTimeline } from "@/lib/evaluation/server/dashboards";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ series: await accuracyTimeline(db, params.projectId) }));
