// POST /api/jobs/:jobId/cancel — ask a queued or running job to stop
import { jobRoute } from "@/lib/auth/server/route";
import { requestCancel, toJobView } from "@/lib/jobs/server/queue";

export const runtime = "nodejs";

export const POST = jobRoute("pairs.review", async ({ db, user, params }) => ({ job: toJobView(await requestCancel(db, params.jobId, user.id)) }));
