// GET /api/jobs/:jobId — a job's status and progress (polled by progress bars)
import { jobRoute } from "@/lib/auth/server/route";
import { getJob, toJobView } from "@/lib/jobs/server/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = jobRoute("project.view", async ({ db, params }) => ({ job: toJobView(await getJob(db, params.jobId)) }));
