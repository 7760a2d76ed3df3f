// GET /api/projects/:projectId/review/progress — review progress of the project and of each reviewer
import { projectRoute } from "@/lib/auth/server/route";
import { getReviewProgress } from "@/lib/review/server/progress";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => getReviewProgress(db, params.projectId));
