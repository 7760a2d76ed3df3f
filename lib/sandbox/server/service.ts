import "server-only";
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { getDataDir } from "@/lib/db/config";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { AlreadyQueuedError, enqueueJob, enqueueJobWith } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { getSchemaVersion, requireLatestSchema } from "@/lib/schema/server/service";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { toEffectiveSchema } from "@/lib/schema/model";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { quoteTable } from "@/lib/sandbox/ddl";

export const SANDBOX_JOB = "sandbox.generate";

export const generateSandboxInput = z.object({
  seed: z.coerce.number().int("The seed must be a whole number.").min(0).max(2_147_483_647).optional(),
  rowsPerTable: z.coerce.number().int().min(1, "Generate at least 1 row per table.").max(200_000, "At most 200,000 rows per table.").optional(),
  tableRows: z.record(z.string(), z.number().int().min(1).max(1_000_000)).optional(),
});
export type GenerateSandboxInput = z.infer<typeof generateSandboxInput>;

interface SandboxJobPayload {
  sandboxId: string;
  rowsPerTable?: number;
  tableRows?: Record<string, number>;
}

export function resolveSandboxPath(relativePath: string): string {
  return path.join(getDataDir(), relativePath);
}

/**
 * Queue generation of a new sandbox from the latest schema. While one is being generated for the
 * project, asking again returns the same job (a double click never starts two).
 */
export async function requestSandboxGeneration(db: Db, projectId: string, input: GenerateSandboxInput, userId?: string | null) {
  await getProject(db, projectId);
  const schema = await requireLatestSchema(db, projectId);
  const seed = input.seed ?? Math.floor(Math.random() * 1_000_000);
  const out = await enqueueJobWith(db, `sandbox:${projectId}`, async (tx) => {
    const sandbox = await tx.sandbox.create({ data: { projectId, schemaVersionId: schema.id, seed, status: "generating" } });
    const payload: SandboxJobPayload = { sandboxId: sandbox.id, rowsPerTable: input.rowsPerTable, tableRows: input.tableRows };
    const { job, created } = await enqueueJob(tx, { type: SANDBOX_JOB, projectId, payload, activeKey: `sandbox:${projectId}`, createdById: userId });
    if (!created) throw new AlreadyQueuedError(job);
    await recordAudit(tx, { projectId, userId, action: "sandbox.request", entityType: "sandbox", entityId: sandbox.id, summary: `Requested a sandbox (seed ${seed})` });
    return { job, value: sandbox.id };
  });
  return { job: out.job, created: out.created };
}

/** Job handler. The new file only becomes the active sandbox once it is complete. */
export async function runSandboxJob(db: Db, ctx: JobContext<SandboxJobPayload>) {
  const sandbox = await db.sandbox.findUnique({ where: { id: ctx.payload.sandboxId } });
  if (!sandbox) throw new NotFoundError("The sandbox this job was building no longer exists.");
  if (sandbox.status === "ready") return { message: "Sandbox already built.", result: { sandboxId: sandbox.id } };
  const schema = await getSchemaVersion(db, sandbox.projectId, sandbox.schemaVersionId);
  const relative = path.join("sandboxes", sandbox.projectId, `${sandbox.id}.duckdb`);
  const target = resolveSandboxPath(relative);
  await ctx.progress(1, ctx.attempt > 1 ? `Starting over after an interruption (attempt ${ctx.attempt})…` : "Creating tables…");
  const tableRows: Record<string, number> = {};
  for (const t of schema.model.tables) tableRows[t.name] = ctx.payload.tableRows?.[t.name] ?? ctx.payload.rowsPerTable ?? 200;
  try {
    const out = await generateSandboxFile(toEffectiveSchema(schema.model), {
      targetPath: target,
      seed: sandbox.seed,
      rowsPerTable: tableRows,
      onProgress: (pct, message) => ctx.progress(Math.max(1, Math.min(97, pct)), message),
    });
    await ctx.progress(98, "Activating the new sandbox…");
    await db.$transaction(async (tx) => {
      await tx.sandbox.updateMany({
        where: { projectId: sandbox.projectId, role: "primary", status: "ready", id: { not: sandbox.id } },
        data: { status: "superseded" },
      });
      await tx.sandbox.update({
        where: { id: sandbox.id },
        data: { status: "ready", filePath: relative, rowCounts: JSON.stringify(out.rowCounts), bytes: out.bytes, sha256: out.sha256, readyAt: new Date(), error: null },
      });
      await tx.project.update({ where: { id: sandbox.projectId }, data: { activeSandboxId: sandbox.id } });
      const total = Object.values(out.rowCounts).reduce((a, b) => a + b, 0);
      await recordAudit(tx, { projectId: sandbox.projectId, action: "sandbox.ready", entityType: "sandbox", entityId: sandbox.id, summary: `Sandbox ready: ${total} rows, seed ${sandbox.seed}` });
    });
    const total = Object.values(out.rowCounts).reduce((a, b) => a + b, 0);
    return { message: `Generated ${total.toLocaleString("en-US")} rows.`, result: { sandboxId: sandbox.id, rowCounts: out.rowCounts } };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    await db.sandbox.update({ where: { id: sandbox.id }, data: { status: "failed", error: message.slice(0, 1000) } });
    throw error;
  }
}

export interface SandboxSummary {
  id: string;
  seed: number;
  status: string;
  rowCounts: Record<string, number>;
  totalRows: number;
  bytes: number;
  sha256: string | null;
  error: string | null;
  schemaVersion: number;
  createdAt: string;
  readyAt: string | null;
  active: boolean;
}

export async function listSandboxes(db: Db, projectId: string): Promise<SandboxSummary[]> {
  const project = await getProject(db, projectId);
  const rows = await db.sandbox.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    take: 20,
    include: { schemaVersion: { select: { version: true } } },
  });
  return rows.map((s) => {
    const rowCounts = JSON.parse(s.rowCounts) as Record<string, number>;
    return {
      id: s.id,
      seed: s.seed,
      status: s.status,
      rowCounts,
      totalRows: Object.values(rowCounts).reduce((a, b) => a + b, 0),
      bytes: s.bytes,
      sha256: s.sha256,
      error: s.error,
      schemaVersion: s.schemaVersion.version,
      createdAt: s.createdAt.toISOString(),
      readyAt: s.readyAt?.toISOString() ?? null,
      active: s.id === project.activeSandboxId,
    };
  });
}

/** The file of the project's active sandbox; a clear error when there is none yet. */
export async function requireActiveSandbox(db: Db, projectId: string): Promise<{ id: string; path: string; schemaVersionId: string }> {
  const project = await getProject(db, projectId);
  if (!project.activeSandboxId) throw new ValidationError("This project has no sandbox yet. Generate one on the Sandbox page first.");
  return getSandboxFile(db, project.activeSandboxId);
}

export async function getSandboxFile(db: Db, sandboxId: string): Promise<{ id: string; path: string; schemaVersionId: string }> {
  const sandbox = await db.sandbox.findUnique({ where: { id: sandboxId } });
  if (!sandbox || !sandbox.filePath) throw new NotFoundError("The sandbox database is missing. Generate a new sandbox.");
  const file = resolveSandboxPath(sandbox.filePath);
  if (!existsSync(file)) throw new ConflictError("The sandbox file is missing from the data folder. Generate a new sandbox.");
  return { id: sandbox.id, path: file, schemaVersionId: sandbox.schemaVersionId };
}

/** A few rows of each table of the active sandbox, for the Sandbox page. */
export async function previewSandbox(db: Db, projectId: string, rowsPerTable = 5) {
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const tables = [];
  for (const table of schema.model.tables) {
    const result = await executeReadOnly(sandbox.path, `SELECT * FROM ${quoteTable(table.name)} LIMIT ${rowsPerTable}`, { maxRows: rowsPerTable });
    tables.push({ name: table.name, columns: result.columns, rows: result.rows });
  }
  return tables;
}
