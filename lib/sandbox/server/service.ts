import "server-only";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { mkdir, rm, statfs } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { getDataDir } from "@/lib/db/config";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { AlreadyQueuedError, JobCancelledError, enqueueJob, enqueueJobWith } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { getSchemaVersion, requireLatestSchema } from "@/lib/schema/server/service";
import { generateSandboxFile, MAX_ROWS_PER_TABLE, type GenerateSandboxOptions } from "@/lib/sandbox/server/generate";
import { applyLlmRealism, type LlmRealismResult } from "@/lib/sandbox/server/llm-realism";
import { augmentSandbox } from "@/lib/sandbox/server/augment";
import { toEffectiveSchema, type SchemaModel, type TableModel } from "@/lib/schema/model";
import { collectQueryConstants } from "@/lib/queries/server/constants";
import { QUERIES_JOB, type QueriesJobPayload } from "@/lib/queries/jobs";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import { openSecret } from "@/lib/secrets/server/crypto";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { quoteTable } from "@/lib/sandbox/ddl";

export const SANDBOX_JOB = "sandbox.generate";

const MAX_TOTAL_ROWS = 20_000_000;
/** Variants are for catching coincidences, not for scale: each table keeps at most this many rows. */
export const VARIANT_MAX_ROWS = 20_000;
export const DEFAULT_VARIANTS = 4;

const rowCount = z.coerce
  .number({ error: "Row counts must be numbers." })
  .refine((n) => Number.isFinite(n), "Row counts must be numbers.")
  .refine((n) => Number.isInteger(n), "Row counts must be whole numbers.")
  .refine((n) => n >= 1, "Every table needs at least 1 row: 0 or a negative count cannot be generated.")
  .refine((n) => n <= MAX_ROWS_PER_TABLE, `At most ${MAX_ROWS_PER_TABLE.toLocaleString("en-US")} rows per table.`);

export const generateSandboxInput = z.object({
  seed: z.coerce.number().int("The seed must be a whole number.").min(0, "The seed cannot be negative.").max(2_147_483_647, "The seed must be below 2,147,483,648.").optional(),
  /** Rows for every table not in tableRows (default: by the table's role, see defaultRowsFor). */
  rowsPerTable: rowCount.optional(),
  tableRows: z.record(z.string().max(300), rowCount).optional(),
  /** Multiplies every table's rows (a "scale factor"). */
  scale: z.coerce
    .number({ error: "The scale factor must be a number." })
    .refine((n) => Number.isFinite(n) && n > 0, "The scale factor must be above 0.")
    .refine((n) => n <= 1000, "The scale factor can be at most 1000.")
    .optional(),
  /** NULL share of nullable columns that are not keys (0–0.9). */
  nullRate: z.coerce.number().min(0, "The NULL rate cannot be negative.").max(0.9, "Keep the NULL rate at or below 90%.").optional(),
  /** Test-suite variants built next to the sandbox (other seeds, values fuzzed around the queries' constants). */
  variants: z.coerce.number().int("Variants must be a whole number.").min(0, "Variants cannot be negative.").max(8, "At most 8 test-suite variants.").optional(),
  /** LLM realism: an OpenAI-compatible endpoint of the project rewrites free-text columns. */
  llm: z
    .object({
      endpointId: z.string().min(1, "Pick the endpoint that writes the text."),
      maxRowsPerTable: z.coerce.number().int().min(1, "Ask the model for at least 1 row per table.").max(2_000, "At most 2,000 rows per table from the model.").default(200),
    })
    .optional(),
});
export type GenerateSandboxInput = z.infer<typeof generateSandboxInput>;

export interface SandboxSettings {
  tableRows: Record<string, number>;
  scale: number;
  nullRate?: number;
  variants: number;
  llm?: { endpointId: string; endpointName: string; model: string; maxRowsPerTable: number; result?: LlmRealismResult };
  /** Why tables got fewer rows than asked. */
  notes?: string[];
  /** Set on a sandbox made by query-aware augmentation of another. */
  augmentedFrom?: string;
  augmentation?: AugmentSummary;
}

interface SandboxJobPayload {
  sandboxId: string;
  /** Older jobs: rows as asked. */
  rowsPerTable?: number;
  tableRows?: Record<string, number>;
  nullRate?: number;
  variants?: number;
  llm?: { endpointId: string; maxRowsPerTable: number };
}

export function resolveSandboxPath(relativePath: string): string {
  return path.join(getDataDir(), relativePath);
}

/**
 * Default rows by the table's place in the schema, for a sandbox of a few MB: lookup tables (others
 * point at them, they point at nothing) 200, fact tables (they point at others, nothing points at
 * them) 5,000, the rest 1,000.
 */
export function defaultRowsFor(model: SchemaModel, table: TableModel): number {
  const referenced = model.tables.some((t) => t.name !== table.name && t.foreignKeys.some((fk) => fk.refTable === table.name));
  const references = table.foreignKeys.some((fk) => fk.refTable !== table.name);
  if (referenced && !references) return 200;
  if (references && !referenced) return 5_000;
  return 1_000;
}

/** Final row counts per table: asked or default, times the scale factor; refuses what cannot be built. */
export function planRowCounts(model: SchemaModel, input: Pick<GenerateSandboxInput, "rowsPerTable" | "tableRows" | "scale">): Record<string, number> {
  const names = new Set(model.tables.map((t) => t.name));
  const unknown = Object.keys(input.tableRows ?? {}).filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new ValidationError(`No table named ${unknown.slice(0, 3).join(", ")} in the latest schema. Use the table names shown on the Schema page.`);
  }
  const scale = input.scale ?? 1;
  const out: Record<string, number> = {};
  for (const table of model.tables) {
    const base = input.tableRows?.[table.name] ?? input.rowsPerTable ?? defaultRowsFor(model, table);
    const rows = Math.max(1, Math.round(base * scale));
    if (rows > MAX_ROWS_PER_TABLE) {
      throw new ValidationError(
        `${table.name} would get ${rows.toLocaleString("en-US")} rows${scale !== 1 ? ` at scale ${scale}` : ""}; a table holds at most ${MAX_ROWS_PER_TABLE.toLocaleString("en-US")}. Lower the scale factor or that table's rows.`,
      );
    }
    out[table.name] = rows;
  }
  const total = Object.values(out).reduce((a, b) => a + b, 0);
  if (total > MAX_TOTAL_ROWS) {
    throw new ValidationError(`That is ${total.toLocaleString("en-US")} rows in all; a sandbox holds at most ${MAX_TOTAL_ROWS.toLocaleString("en-US")}. Lower the scale factor.`);
  }
  return out;
}

/** Bytes a sandbox of these sizes takes on disk, generously (measured: about 22 bytes per row of the demo shape). */
export function estimateSandboxBytes(rowCounts: Record<string, number>, variants: number): number {
  const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  const variantRows = Object.values(rowCounts).reduce((a, b) => a + Math.min(b, VARIANT_MAX_ROWS), 0) * variants;
  return 2 * 1024 * 1024 * (1 + variants) + (rows + variantRows) * 64;
}

/** Refuses early when the data folder's disk cannot hold the new files (the old sandbox stays). */
async function checkFreeSpace(bytesNeeded: number): Promise<void> {
  const dir = getDataDir();
  await mkdir(dir, { recursive: true });
  const info = await statfs(dir).catch(() => null);
  if (!info) return;
  const free = Number(info.bavail) * Number(info.bsize);
  if (free < bytesNeeded) {
    throw new ValidationError(
      `Not enough disk space: this sandbox needs about ${formatMb(bytesNeeded)} and the data folder's disk has ${formatMb(free)} free. Free some space or generate fewer rows.`,
    );
  }
}

function formatMb(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / (1024 * 1024))).toLocaleString("en-US")} MB`;
}

/** A full disk (or a file-size limit) says so in plain words; other errors pass through unchanged. */
export function describeStorageError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOSPC|No space left on device|EFBIG|File too large|Disk quota exceeded|EDQUOT/i.test(message)) {
    return new ConflictError(
      "The disk holding the data folder is full (or a file-size limit was reached) while writing the sandbox. Nothing was replaced: the previous sandbox is still in use. Free some space and generate again.",
      { cause: message.slice(0, 300) },
    );
  }
  return error instanceof Error ? error : new Error(message);
}

/**
 * Queue generation of a new sandbox from the latest schema. While one is being generated for the
 * project, asking again returns the same job (a double click never starts two).
 */
export async function requestSandboxGeneration(db: Db, projectId: string, input: GenerateSandboxInput, userId?: string | null) {
  await getProject(db, projectId);
  const schema = await requireLatestSchema(db, projectId);
  const tableRows = planRowCounts(toEffectiveSchema(schema.model), input);
  const variants = input.variants ?? DEFAULT_VARIANTS;
  let llm: SandboxSettings["llm"];
  if (input.llm) {
    const endpoint = await db.modelEndpoint.findFirst({ where: { id: input.llm.endpointId, projectId }, include: { connection: true } });
    if (!endpoint) throw new NotFoundError("That model endpoint does not exist in this project.");
    if (endpoint.kind !== "openai_compatible" || !endpoint.connection?.baseUrl) {
      throw new ValidationError(`${endpoint.name} cannot write sandbox text: pick an OpenAI-compatible endpoint (add one on the Evaluations page).`);
    }
    llm = { endpointId: endpoint.id, endpointName: endpoint.name, model: endpoint.model, maxRowsPerTable: input.llm.maxRowsPerTable };
  }
  await checkFreeSpace(estimateSandboxBytes(tableRows, variants));
  const seed = input.seed ?? Math.floor(Math.random() * 1_000_000);
  const settings: SandboxSettings = { tableRows, scale: input.scale ?? 1, nullRate: input.nullRate, variants, llm };
  const out = await enqueueJobWith(db, `sandbox:${projectId}`, async (tx) => {
    const sandbox = await tx.sandbox.create({
      data: { projectId, schemaVersionId: schema.id, seed, status: "generating", settings: JSON.stringify(settings) },
    });
    const payload: SandboxJobPayload = {
      sandboxId: sandbox.id,
      tableRows,
      nullRate: input.nullRate,
      variants,
      llm: input.llm ? { endpointId: input.llm.endpointId, maxRowsPerTable: input.llm.maxRowsPerTable } : undefined,
    };
    const { job, created } = await enqueueJob(tx, { type: SANDBOX_JOB, projectId, payload, activeKey: `sandbox:${projectId}`, createdById: userId });
    if (!created) throw new AlreadyQueuedError(job);
    const total = Object.values(tableRows).reduce((a, b) => a + b, 0);
    await recordAudit(tx, {
      projectId,
      userId,
      action: "sandbox.request",
      entityType: "sandbox",
      entityId: sandbox.id,
      summary: `Requested a sandbox (seed ${seed}, ${total.toLocaleString("en-US")} rows, ${variants} variant${variants === 1 ? "" : "s"}${llm ? `, LLM text from ${llm.endpointName}` : ""})`,
    });
    return { job, value: sandbox.id };
  });
  return { job: out.job, created: out.created };
}

async function createLlmRefine(db: Db, projectId: string, model: SchemaModel, llm: NonNullable<SandboxJobPayload["llm"]>, onResult: (r: LlmRealismResult) => void) {
  const endpoint = await db.modelEndpoint.findFirst({ where: { id: llm.endpointId, projectId }, include: { connection: true } });
  if (!endpoint?.connection?.baseUrl) throw new ValidationError("The endpoint chosen for LLM realism no longer exists. Generate again without it or pick another.");
  const apiKey = endpoint.connection.secretCipher ? openSecret(endpoint.connection.secretCipher) : "";
  const client = createChatClient({ baseUrl: endpoint.connection.baseUrl, apiKey, model: endpoint.model, timeoutMs: 120_000, maxRetries: 2 });
  return {
    share: 0.5,
    async run(connection: DuckDBConnection, progress: (fraction: number, message: string) => Promise<void>) {
      await progress(0, `Asking ${endpoint.name} for realistic text…`);
      const result = await applyLlmRealism(connection, model, {
        client,
        maxRowsPerTable: llm.maxRowsPerTable,
        onProgress: async (p) => {
          const tokens = (p.promptTokens + p.completionTokens).toLocaleString("en-US");
          await progress(p.doneChunks / Math.max(1, p.totalChunks), `LLM text for ${p.table}: ${p.doneChunks} of ${p.totalChunks} chunks, ${tokens} tokens so far`);
        },
      });
      onResult(result);
    },
  };
}

/** Job handler. The new file only becomes the active sandbox once it is complete; variants follow. */
export async function runSandboxJob(db: Db, ctx: JobContext<SandboxJobPayload>) {
  const sandbox = await db.sandbox.findUnique({ where: { id: ctx.payload.sandboxId } });
  if (!sandbox) throw new NotFoundError("The sandbox this job was building no longer exists.");
  const schema = await getSchemaVersion(db, sandbox.projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  const tableRows: Record<string, number> = {};
  for (const t of schema.model.tables) tableRows[t.name] = ctx.payload.tableRows?.[t.name] ?? ctx.payload.rowsPerTable ?? 200;
  const variants = ctx.payload.variants ?? 0;
  // Progress: the sandbox takes most of the bar, the variants the rest.
  const primaryEnd = variants > 0 ? 85 : 97;
  let rowCounts = JSON.parse(sandbox.rowCounts) as Record<string, number>;

  if (sandbox.status !== "ready") {
    const relative = path.join("sandboxes", sandbox.projectId, `${sandbox.id}.duckdb`);
    const target = resolveSandboxPath(relative);
    await ctx.progress(1, ctx.attempt > 1 ? `Starting over after an interruption (attempt ${ctx.attempt})…` : "Creating tables…");
    let llmResult: LlmRealismResult | undefined;
    try {
      let refine: GenerateSandboxOptions["refine"];
      if (ctx.payload.llm) refine = await createLlmRefine(db, sandbox.projectId, model, ctx.payload.llm, (r) => (llmResult = r));
      const out = await generateSandboxFile(model, {
        targetPath: target,
        seed: sandbox.seed,
        rowsPerTable: tableRows,
        nullRate: ctx.payload.nullRate,
        refine,
        onProgress: (pct, message) => ctx.progress(Math.max(1, Math.min(primaryEnd, (pct * primaryEnd) / 100)), message),
      }).catch((error: unknown) => {
        throw describeStorageError(error);
      });
      rowCounts = out.rowCounts;
      await ctx.progress(primaryEnd, "Activating the new sandbox…");
      const settings = JSON.parse(sandbox.settings) as SandboxSettings;
      if (settings.llm && llmResult) settings.llm.result = llmResult;
      settings.notes = out.notes;
      await db.$transaction(async (tx) => {
        await tx.sandbox.updateMany({
          where: { projectId: sandbox.projectId, role: "primary", status: "ready", id: { not: sandbox.id } },
          data: { status: "superseded" },
        });
        await tx.sandbox.update({
          where: { id: sandbox.id },
          data: {
            status: "ready",
            filePath: relative,
            rowCounts: JSON.stringify(out.rowCounts),
            bytes: out.bytes,
            sha256: out.sha256,
            readyAt: new Date(),
            error: null,
            settings: JSON.stringify(settings),
          },
        });
        await tx.project.update({ where: { id: sandbox.projectId }, data: { activeSandboxId: sandbox.id } });
        const total = Object.values(out.rowCounts).reduce((a, b) => a + b, 0);
        const llmNote = llmResult ? `, ${llmResult.updatedCells.toLocaleString("en-US")} cells written by the LLM (${(llmResult.promptTokens + llmResult.completionTokens).toLocaleString("en-US")} tokens)` : "";
        await recordAudit(tx, { projectId: sandbox.projectId, action: "sandbox.ready", entityType: "sandbox", entityId: sandbox.id, summary: `Sandbox ready: ${total} rows, seed ${sandbox.seed}${llmNote}` });
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const cancelled = error instanceof JobCancelledError || message.startsWith("Cancelled");
      await db.sandbox.update({ where: { id: sandbox.id }, data: { status: cancelled ? "cancelled" : "failed", error: cancelled ? "Cancelled before it was complete; the previous sandbox stayed in use." : message.slice(0, 1000) } });
      throw error;
    }
  }

  const built = await buildVariants(db, (pct, message) => ctx.progress(pct, message), sandbox, model, rowCounts, variants, primaryEnd);
  const total = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  await queueLabelRefresh(db, sandbox.projectId, sandbox.id);
  const variantNote = variants > 0 ? ` and ${built.ready} of ${variants} test-suite variant${variants === 1 ? "" : "s"}` : "";
  return {
    message: `Generated ${total.toLocaleString("en-US")} rows${variantNote}.${built.failed.length > 0 ? ` Variants that failed: ${built.failed.join("; ")}` : ""}`,
    result: { sandboxId: sandbox.id, rowCounts, variants: built.ready },
  };
}

type ProgressFn = (pct: number, message: string) => Promise<void>;

/**
 * Test-suite variants (Zhong et al. 2020): the same schema built with other seeds and with values
 * fuzzed around the constants of the project's queries, so a query that is right only by
 * coincidence on the sandbox is caught on a variant. A variant that fails does not fail the job.
 * Variants built from other constants (queries were added since) are replaced once the new set
 * is built; ready variants built from the same constants are kept (a resumed job skips them).
 */
async function buildVariants(
  db: Db,
  progress: ProgressFn,
  primary: { id: string; projectId: string; schemaVersionId: string; seed: number },
  model: SchemaModel,
  rowCounts: Record<string, number>,
  count: number,
  progressStart: number,
  progressEnd = 97,
): Promise<{ ready: number; failed: string[]; rebuilt: boolean }> {
  const existing = await db.sandbox.findMany({ where: { variantOfId: primary.id } });
  if (count === 0 && existing.length === 0) return { ready: 0, failed: [], rebuilt: false };
  await progress(progressStart, "Collecting the constants of the project's queries…");
  const queries = await db.query.findMany({ where: { projectId: primary.projectId }, select: { sql: true }, orderBy: { createdAt: "asc" }, take: 2_000 });
  const constants = await collectQueryConstants(queries.map((q) => q.sql), model);
  const constantsHash = createHash("sha256").update(JSON.stringify(Object.entries(constants).sort(([a], [b]) => a.localeCompare(b)))).digest("hex").slice(0, 16);
  const hashOf = (v: { settings: string }) => (JSON.parse(v.settings) as { constantsHash?: string }).constantsHash;
  const variantRows = Object.fromEntries(Object.entries(rowCounts).map(([t, n]) => [t, Math.max(1, Math.min(n, VARIANT_MAX_ROWS))]));
  const failed: string[] = [];
  let ready = 0;
  let rebuilt = false;
  const share = (progressEnd - progressStart) / Math.max(1, count);
  for (let k = 1; k <= count; k++) {
    const seed = (primary.seed + k * 7919) % 2_147_483_647;
    const same = existing.filter((v) => v.seed === seed && hashOf(v) === constantsHash);
    if (same.some((v) => v.status === "ready")) {
      ready++;
      continue;
    }
    rebuilt = true;
    const variant =
      same[0] ??
      (await db.sandbox.create({
        data: {
          projectId: primary.projectId,
          schemaVersionId: primary.schemaVersionId,
          seed,
          role: "variant",
          variantOfId: primary.id,
          status: "generating",
          settings: JSON.stringify({ tableRows: variantRows, fuzzedColumns: Object.keys(constants).length, constantsHash }),
        },
      }));
    const relative = path.join("sandboxes", primary.projectId, `${variant.id}.duckdb`);
    const base = progressStart + share * (k - 1);
    try {
      const out = await generateSandboxFile(model, {
        targetPath: resolveSandboxPath(relative),
        seed,
        rowsPerTable: variantRows,
        constants,
        onProgress: (pct, message) => progress(Math.round(base + (share * pct) / 100), `Variant ${k} of ${count}: ${message}`),
      }).catch((error: unknown) => {
        throw describeStorageError(error);
      });
      await db.sandbox.update({
        where: { id: variant.id },
        data: { status: "ready", filePath: relative, rowCounts: JSON.stringify(out.rowCounts), bytes: out.bytes, sha256: out.sha256, readyAt: new Date(), error: null },
      });
      ready++;
    } catch (error) {
      if (error instanceof JobCancelledError) throw error;
      const message = (error as Error).message ?? String(error);
      await db.sandbox.update({ where: { id: variant.id }, data: { status: "failed", error: message.slice(0, 1000) } });
      failed.push(`variant ${k}: ${message.slice(0, 200)}`);
    }
  }
  // The new set is complete: variants from other constants (or beyond the count) leave.
  const keep = new Set((await db.sandbox.findMany({ where: { variantOfId: primary.id } })).filter((v) => hashOf(v) === constantsHash).map((v) => v.id));
  const stale = existing.filter((v) => !keep.has(v.id) || v.seed > (primary.seed + count * 7919) % 2_147_483_647);
  for (const v of stale.filter((x) => x.status !== "superseded")) {
    await db.sandbox.update({ where: { id: v.id }, data: { status: "superseded" } });
    if (v.filePath) await rm(resolveSandboxPath(v.filePath), { force: true });
    rebuilt = true;
  }
  return { ready, failed, rebuilt };
}

/**
 * After queries are added: rebuilds the test-suite variants of a sandbox when the queries'
 * constants changed, so the variants carry values around every constant evaluation will meet.
 */
export async function refreshVariants(db: Db, sandboxId: string, progress: ProgressFn, progressStart: number, progressEnd: number) {
  const sandbox = await db.sandbox.findUnique({ where: { id: sandboxId } });
  if (!sandbox || sandbox.role !== "primary" || sandbox.status !== "ready") return { ready: 0, failed: [], rebuilt: false };
  const settings = JSON.parse(sandbox.settings) as Partial<SandboxSettings>;
  const count = settings.variants ?? DEFAULT_VARIANTS;
  const schema = await getSchemaVersion(db, sandbox.projectId, sandbox.schemaVersionId);
  const rowCounts = JSON.parse(sandbox.rowCounts) as Record<string, number>;
  return buildVariants(db, progress, sandbox, toEffectiveSchema(schema.model), rowCounts, count, progressStart, progressEnd);
}

/** Ready variants of a sandbox, in seed order. */
export async function listReadyVariants(db: Db, sandboxId: string): Promise<{ id: string; path: string; seed: number }[]> {
  const rows = await db.sandbox.findMany({ where: { variantOfId: sandboxId, status: "ready" }, orderBy: { seed: "asc" } });
  return rows
    .filter((r) => r.filePath && existsSync(resolveSandboxPath(r.filePath)))
    .map((r) => ({ id: r.id, path: resolveSandboxPath(r.filePath!), seed: r.seed }));
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
  settings: Partial<SandboxSettings>;
  variants: { id: string; seed: number; status: string; totalRows: number; bytes: number; error: string | null }[];
}

export async function listSandboxes(db: Db, projectId: string): Promise<SandboxSummary[]> {
  const project = await getProject(db, projectId);
  const rows = await db.sandbox.findMany({
    where: { projectId, role: "primary" },
    orderBy: { createdAt: "desc" },
    take: 20,
    include: { schemaVersion: { select: { version: true } } },
  });
  // Variants replaced by a rebuild (new query constants) are gone from disk and from the list.
  const variantRows = await db.sandbox.findMany({
    where: { projectId, variantOfId: { in: rows.map((r) => r.id) }, status: { not: "superseded" } },
    orderBy: { seed: "asc" },
  });
  const sum = (json: string) => Object.values(JSON.parse(json) as Record<string, number>).reduce((a, b) => a + b, 0);
  return rows.map((s) => {
    const rowCounts = JSON.parse(s.rowCounts) as Record<string, number>;
    return {
      settings: JSON.parse(s.settings) as Partial<SandboxSettings>,
      variants: variantRows
        .filter((v) => v.variantOfId === s.id)
        .map((v) => ({ id: v.id, seed: v.seed, status: v.status, totalRows: sum(v.rowCounts), bytes: v.bytes, error: v.error })),
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

export const SANDBOX_AUGMENT_JOB = "sandbox.augment";

export const augmentSandboxInput = z.object({
  /** Stop once at most this share of the project's queries return nothing (0–0.5; default 0: fix every empty query it can). */
  maxEmptyShare: z.coerce.number().min(0, "The target share cannot be negative.").max(0.5, "Aim for at most 50% empty queries.").optional(),
});

interface AugmentJobPayload {
  sandboxId: string;
  sourceSandboxId: string;
  maxEmptyShare: number;
}

/**
 * Query-aware augmentation: a copy of the active sandbox gets the few rows that make its empty
 * queries return something, then replaces it (the old one stays until the copy is complete) and
 * every label is re-executed. Refused when nothing is empty.
 */
export async function requestSandboxAugmentation(db: Db, projectId: string, input: z.infer<typeof augmentSandboxInput>, userId?: string | null) {
  const active = await requireActiveSandbox(db, projectId);
  const source = await db.sandbox.findUniqueOrThrow({ where: { id: active.id } });
  const empty = await db.query.count({ where: { projectId, resultSandboxId: active.id, resultRowCount: 0 } });
  if (empty === 0) throw new ValidationError("No query returns an empty result on the sandbox: there is nothing to augment.");
  const maxEmptyShare = input.maxEmptyShare ?? 0;
  const out = await enqueueJobWith(db, `sandbox:${projectId}`, async (tx) => {
    // The copy keeps how the source was built, but not its notes: its row counts are its own.
    const settings = { ...(JSON.parse(source.settings) as Partial<SandboxSettings>), augmentedFrom: source.id, notes: undefined };
    const sandbox = await tx.sandbox.create({
      data: { projectId, schemaVersionId: source.schemaVersionId, seed: source.seed, status: "generating", settings: JSON.stringify(settings), rowCounts: source.rowCounts },
    });
    const payload: AugmentJobPayload = { sandboxId: sandbox.id, sourceSandboxId: source.id, maxEmptyShare };
    const { job, created } = await enqueueJob(tx, { type: SANDBOX_AUGMENT_JOB, projectId, payload, activeKey: `sandbox:${projectId}`, createdById: userId });
    if (!created) throw new AlreadyQueuedError(job);
    await recordAudit(tx, { projectId, userId, action: "sandbox.augment.request", entityType: "sandbox", entityId: sandbox.id, summary: `Asked for rows that make ${empty} empty queries return something` });
    return { job, value: sandbox.id };
  });
  return { job: out.job, created: out.created };
}

export async function runAugmentJob(db: Db, ctx: JobContext<AugmentJobPayload>) {
  const sandbox = await db.sandbox.findUnique({ where: { id: ctx.payload.sandboxId } });
  if (!sandbox) throw new NotFoundError("The sandbox this job was building no longer exists.");
  const source = await getSandboxFile(db, ctx.payload.sourceSandboxId);
  const schema = await getSchemaVersion(db, sandbox.projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  const settings = JSON.parse(sandbox.settings) as Partial<SandboxSettings> & { augmentation?: AugmentSummary };
  const rowCounts = JSON.parse(sandbox.rowCounts) as Record<string, number>;
  if (sandbox.status !== "ready") {
    const empty = await db.query.findMany({
      where: { projectId: sandbox.projectId, resultSandboxId: source.id, resultRowCount: 0 },
      select: { id: true, sql: true },
      orderBy: { createdAt: "asc" },
    });
    const totalQueries = await db.query.count({ where: { projectId: sandbox.projectId, resultSandboxId: source.id, result: { not: null } } });
    const relative = path.join("sandboxes", sandbox.projectId, `${sandbox.id}.duckdb`);
    try {
      await ctx.progress(2, `Looking for rows that make ${empty.length} empty queries return something…`);
      const report = await augmentSandbox(source.path, resolveSandboxPath(relative), model, empty, {
        totalQueries: Math.max(totalQueries, empty.length),
        maxEmptyShare: ctx.payload.maxEmptyShare,
        seed: sandbox.seed,
        onProgress: (done, total, message) => ctx.progress(2 + Math.round((80 * done) / Math.max(1, total)), message),
      }).catch((error: unknown) => {
        throw describeStorageError(error);
      });
      for (const [table, n] of Object.entries(report.rowsAdded)) rowCounts[table] = (rowCounts[table] ?? 0) + n;
      settings.augmentation = {
        sourceSandboxId: source.id,
        emptyBefore: report.emptyBefore,
        emptyAfter: report.emptyAfter,
        fixed: report.fixed.length,
        rowsAdded: report.rowsAdded,
        stillEmpty: report.stillEmpty.slice(0, 50),
      };
      await db.$transaction(async (tx) => {
        await tx.sandbox.updateMany({ where: { projectId: sandbox.projectId, role: "primary", status: "ready", id: { not: sandbox.id } }, data: { status: "superseded" } });
        await tx.sandbox.update({
          where: { id: sandbox.id },
          data: { status: "ready", filePath: relative, rowCounts: JSON.stringify(rowCounts), bytes: report.bytes, sha256: report.sha256, readyAt: new Date(), error: null, settings: JSON.stringify(settings) },
        });
        await tx.project.update({ where: { id: sandbox.projectId }, data: { activeSandboxId: sandbox.id } });
        const added = Object.values(report.rowsAdded).reduce((a, b) => a + b, 0);
        await recordAudit(tx, { projectId: sandbox.projectId, action: "sandbox.augment", entityType: "sandbox", entityId: sandbox.id, summary: `Added ${added} rows; ${report.fixed.length} empty queries now return rows` });
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const cancelled = error instanceof JobCancelledError || message.startsWith("Cancelled");
      await db.sandbox.update({ where: { id: sandbox.id }, data: { status: cancelled ? "cancelled" : "failed", error: cancelled ? "Cancelled before it was complete; the previous sandbox stayed in use." : message.slice(0, 1000) } });
      throw error;
    }
  }
  const count = settings.variants ?? DEFAULT_VARIANTS;
  await buildVariants(db, (pct, message) => ctx.progress(pct, message), sandbox, model, rowCounts, count, 85);
  await queueLabelRefresh(db, sandbox.projectId, sandbox.id);
  const aug = (JSON.parse((await db.sandbox.findUniqueOrThrow({ where: { id: sandbox.id } })).settings) as { augmentation?: AugmentSummary }).augmentation;
  const added = Object.values(aug?.rowsAdded ?? {}).reduce((a, b) => a + b, 0);
  return {
    message: `Added ${added} rows: ${aug?.fixed ?? 0} of ${aug?.emptyBefore ?? 0} empty queries now return rows. Labels are being re-executed.`,
    result: { sandboxId: sandbox.id, ...aug },
  };
}

export interface AugmentSummary {
  sourceSandboxId: string;
  emptyBefore: number;
  emptyAfter: number;
  fixed: number;
  rowsAdded: Record<string, number>;
  stillEmpty: { id: string; reason: string }[];
}

/** Labels follow the sandbox: every query's ground truth is re-executed on the new one. */
async function queueLabelRefresh(db: Db, projectId: string, sandboxId: string) {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { activeSandboxId: true } });
  if (project?.activeSandboxId !== sandboxId) return;
  if ((await db.query.count({ where: { projectId, NOT: { resultSandboxId: sandboxId } } })) === 0) return;
  const payload: QueriesJobPayload = { max: 0, seed: 7, executeOnly: true };
  await enqueueJob(db, { type: QUERIES_JOB, projectId, payload, activeKey: `queries:${projectId}` });
}
