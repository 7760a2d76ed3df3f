// POST /api/projects/:projectId/questions/round-trip — queue a round-trip check of pairs by a model endpoint
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { toJobView } from "@/lib/jobs/server/queue";
import { roundTripInput } from "@/lib/questions/input";
import { requestRoundTrip } from "@/lib/questions/server/round-trip";

export const runtime = "nodejs";

export const POST = projectRoute("pairs.review", async ({ req, db, user, params }) => {
  const { job, created } = await requestRoundTrip(db, params.projectId, await parseJson(req, roundTripInput), user.id);
  return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
});
