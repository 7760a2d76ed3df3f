// POST /api/jobs/:jobId/cancel — ask a queued or running job to stop
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { requestCancel, toJobView } from "@/lib/jobs/server/queue";

export const runtime = "nodejs";

export const POST = route<{ jobId: string }>(async (_req, { jobId }) => ({ job: toJobView(await requestCancel(getDb(), jobId)) }));
