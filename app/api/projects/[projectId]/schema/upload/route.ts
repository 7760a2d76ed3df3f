// POST /api/projects/:projectId/schema/upload — upload a DuckDB/SQLite file (catalog only) or a DDL/DESCRIBE file; returns a preview
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoute } from "@/lib/auth/server/route";
import { ValidationError } from "@/lib/errors";
import { assertSchemaFileName, previewSchemaFile, previewSchemaImport, schemaSourceInput } from "@/lib/schema/server/ingest";
import { withUploadedFile } from "@/lib/schema/server/read-db-file";

export const runtime = "nodejs";

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_UPLOAD_BYTES) throw new ValidationError(`The file is ${(length / 1024 / 1024).toFixed(0)} MB; the limit is 200 MB. Only the schema is needed: an empty copy of the database is enough.`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ValidationError("Send the file as multipart/form-data in a field named \"file\".");
  }
  const file = form.get("file");
  const kind = String(form.get("kind") ?? "database");
  if (!(file instanceof File) || file.size === 0) throw new ValidationError("Choose a file to upload; the one received was empty.");
  if (file.size > MAX_UPLOAD_BYTES) throw new ValidationError("The file is over 200 MB. Only the schema is needed: an empty copy of the database is enough.");
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (kind === "ddl" || kind === "describe") {
    // Text sources: decoded (and refused if not UTF-8) by the parsers.
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new ValidationError("The file is not UTF-8 text. Save it as UTF-8 and upload it again.");
    }
    const parsed = schemaSourceInput.safeParse(kind === "ddl" ? { source: "ddl", dialect: String(form.get("dialect") ?? "auto"), text } : { source: "describe", format: "auto", text });
    if (!parsed.success) throw new ValidationError(`The upload's settings are not valid: ${parsed.error.issues[0]?.message ?? "unknown field"}.`);
    return previewSchemaImport(db, params.projectId, parsed.data, user.id);
  }
  assertSchemaFileName(file.name);
  const dir = path.join(os.tmpdir(), "sandpiper-uploads");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `${randomUUID()}${path.extname(file.name).toLowerCase()}`);
  writeFileSync(temp, bytes, { mode: 0o600 });
  // Only the catalog is read; the file is deleted whatever happens.
  return withUploadedFile(temp, () => previewSchemaFile(db, params.projectId, temp, file.name, user.id));
});
