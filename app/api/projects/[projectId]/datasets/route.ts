// GET /api/projects/:projectId/datasets — list versions · POST — freeze approved pairs into a version
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { freezeDatasetInput, freezeDatasetVersion, listDatasetVersions } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string }>(async (_req, { projectId }) => ({ versions: await listDatasetVersions(getDb(), projectId) }));

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const version = await freezeDatasetVersion(getDb(), projectId, await parseJson(req, freezeDatasetInput));
  return Response.json({ datasetVersion: { id: version.id, version: version.version, trainCount: version.trainCount, testCount: version.testCount } }, { status: 201 });
});
