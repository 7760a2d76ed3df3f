// GET /api/projects/:projectId/datasets/:versionId/export?format=&part=&model= — download one export file of an approved version
import { projectRoute } from "@/lib/auth/server/route";
import { buildExport, parseExportQuery } from "@/lib/datasets/server/export";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ req, db, user, params }) => {
  const request = parseExportQuery(new URL(req.url).searchParams);
  const file = await buildExport(db, params.projectId, params.versionId, request, user.id);
  return new Response(typeof file.body === "string" ? file.body : new Uint8Array(file.body), {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.fileName}"`,
      "content-length": String(file.bytes),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-line-count": String(file.lineCount),
      "x-sha256": file.sha256,
    },
  });
});
