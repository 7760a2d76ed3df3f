// GET /api/jobs/:jobId — a job's status and progress (polled by progress bars)
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { getJob, toJobView } from "@/lib/jobs/server/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route<{ jobId: string }>(async (_req, { jobId }) => ({ job: toJobView(await getJob(getDb(), jobId)) }));
