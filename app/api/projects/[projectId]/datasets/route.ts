// GET /api/projects/:projectId/datasets — list versions · POST — freeze approved pairs into a version
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { freezeDatasetInput, freezeDatasetVersion, listDatasetVersions } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ versions: await listDatasetVersions(db, params.projectId) }));

export const POST = projectRoute("datasets.manage", async ({ req, db, user, params }) => {
  const v = await freezeDatasetVersion(db, params.projectId, await parseJson(req, freezeDatasetInput), user.id);
  return Response.json(
    {
      datasetVersion: {
        id: v.id,
        version: v.version,
        promptFormat: v.promptFormat,
        trainCount: v.trainCount,
        validationCount: v.validationCount,
        testCount: v.testCount,
        heldOutCount: v.heldOutCount,
      },
    },
    { status: 201 },
  );
});
