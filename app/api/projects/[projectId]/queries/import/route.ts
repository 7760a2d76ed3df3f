// POST /api/projects/:projectId/queries/import — import a query log (.sql, CSV or JSONL, as JSON or a multipart "file").
// A small log is imported at once and the report returned ({ report }); a large one is queued as a job
// with a progress bar ({ job }, 202) whose result holds the report.
import { projectRoute } from "@/lib/auth/server/route";
import { ValidationError } from "@/lib/errors";
import { parseJson } from "@/lib/http";
import { decodeQueryLog, MAX_LOG_BYTES, parseQueryLog } from "@/lib/queries/import";
import { IMPORT_JOB_THRESHOLD, importQueriesInput, importQueryLog, requestQueryImport, type ImportQueriesInput } from "@/lib/queries/server/import";
import { toJobView } from "@/lib/jobs/server/queue";

export const runtime = "nodejs";

// Escaping in JSON can double a file's size; the 20 MB limit itself is checked on the content.
const MAX_JSON_BYTES = 2 * MAX_LOG_BYTES + 1024 * 1024;
const MAX_FORM_BYTES = MAX_LOG_BYTES + 1024 * 1024;

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const multipart = (req.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
  const input = multipart ? await readUpload(req) : await parseJson(req, importQueriesInput, MAX_JSON_BYTES);
  const log = parseQueryLog(input.content, input.fileName);
  if (log.entries.length > IMPORT_JOB_THRESHOLD) {
    const { job, created } = await requestQueryImport(db, params.projectId, input, user.id);
    return Response.json({ job: toJobView(job), created }, { status: created ? 202 : 200 });
  }
  const { report } = await importQueryLog(db, params.projectId, input, user.id);
  return { report };
});

async function readUpload(req: Request): Promise<ImportQueriesInput> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_FORM_BYTES) {
    throw new ValidationError(`The upload is ${(length / 1024 / 1024).toFixed(1)} MB; a query log can be at most ${MAX_LOG_BYTES / 1024 / 1024} MB. Split it into smaller files and upload them one by one.`);
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ValidationError("Send the file as multipart/form-data in a field named \"file\".");
  }
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) throw new ValidationError("Choose a file to upload; the one received was empty.");
  const parsed = importQueriesInput.safeParse({ fileName: file.name, content: decodeQueryLog(new Uint8Array(await file.arrayBuffer())) });
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? "The upload is not valid.");
  return parsed.data;
}
