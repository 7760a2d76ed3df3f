// GET /api/projects/:projectId/pairs/second-review — the pairs waiting for my blind second review
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { listSecondReviewQueue, secondReviewQueueInput } from "@/lib/review/server/second-review";

export const runtime = "nodejs";

export const GET = projectRoute("pairs.review", async ({ req, db, user, params }) => listSecondReviewQueue(db, params.projectId, user.id, parseSearchParams(req, secondReviewQueueInput)));
