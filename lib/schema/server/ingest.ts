import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { ParsedSchema, SchemaModel, SchemaSource, SourceDialect } from "@/lib/schema/model";
import { parseDdl } from "@/lib/schema/server/parse-ddl-any";
import { parseDescribeExport } from "@/lib/schema/describe";
import { introspectMysql, introspectPostgres } from "@/lib/schema/server/introspect";
import { readSchemaFromFile } from "@/lib/schema/server/read-db-file";
import { applyInferredForeignKeys } from "@/lib/schema/infer-fks";
import { diffSchemas, summarizeDiff } from "@/lib/schema/diff";
import { recordSchemaDrift } from "@/lib/schema/server/drift";
import { getLatestSchema } from "@/lib/schema/server/service";
import { getProject } from "@/lib/projects/server/service";
import { sealSecret } from "@/lib/secrets/server/crypto";

// Every source (pasted or uploaded DDL, a database file, a live connection, a DESCRIBE export)
// ends here: parsed into one model, previewed, then stored as the next schema version, diffed
// against the previous one, and the drift's impact flagged.

const host = z.string().trim().min(1, "Enter the host.").max(255).regex(/^[A-Za-z0-9.\-_:[\]]+$/, "The host name has characters a host name cannot have.");

export const schemaSourceInput = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("ddl"),
    dialect: z.enum(["auto", "duckdb", "postgres", "mysql", "sqlite"]).default("auto"),
    text: z.string().max(60_000_000),
  }),
  z.object({
    source: z.literal("describe"),
    format: z.enum(["auto", "csv", "json"]).default("auto"),
    text: z.string().max(60_000_000),
  }),
  z.object({
    source: z.literal("live"),
    engine: z.enum(["postgres", "mysql"]),
    host,
    port: z.coerce.number().int().min(1).max(65_535).optional(),
    database: z.string().trim().min(1, "Enter the database name.").max(128),
    user: z.string().trim().min(1, "Enter the user name.").max(128),
    password: z.string().max(1_000).default(""),
    schemas: z.array(z.string().trim().min(1).max(128)).max(20).optional(),
    savePassword: z.boolean().default(false),
  }),
]);
export type SchemaSourceInput = z.infer<typeof schemaSourceInput>;

export interface PreviewView {
  previewId: string;
  source: SchemaSource;
  dialect: SourceDialect;
  model: SchemaModel;
  warnings: ParsedSchema["warnings"];
  stats: { tables: number; columns: number; declaredForeignKeys: number; suggestedForeignKeys: number };
  changes: string[] | null;
  currentVersion: number | null;
}

interface StoredPreview {
  projectId: string;
  userId: string | null;
  source: SchemaSource;
  rawText: string;
  parsed: ParsedSchema;
  expiresAt: number;
  connection?: { engine: "postgres" | "mysql"; host: string; port?: number; database: string; user: string; password: string; savePassword: boolean };
}

const PREVIEW_TTL_MS = 30 * 60 * 1000;
const previews = new Map<string, StoredPreview>();

function prunePreviews(): void {
  const now = Date.now();
  for (const [id, p] of previews) if (p.expiresAt < now) previews.delete(id);
}

/** Parse a source into the normalized model (with inferred foreign keys), without storing anything. */
export async function parseSchemaSource(input: SchemaSourceInput): Promise<{ parsed: ParsedSchema; source: SchemaSource; rawText: string }> {
  switch (input.source) {
    case "ddl": {
      const parsed = await parseDdl(input.text, input.dialect);
      return { parsed, source: "ddl", rawText: input.text };
    }
    case "describe": {
      const parsed = parseDescribeExport(input.text, input.format);
      return { parsed, source: "describe", rawText: input.text };
    }
    case "live": {
      const conn = { host: input.host, port: input.port, database: input.database, user: input.user, password: input.password };
      const parsed =
        input.engine === "postgres" ? await introspectPostgres({ ...conn, schemas: input.schemas }, { connectTimeoutMs: 5_000 }) : await introspectMysql(conn, { connectTimeoutMs: 5_000 });
      const where = `${input.engine}://${input.user}@${input.host}${input.port ? `:${input.port}` : ""}/${input.database}`;
      return { parsed, source: input.engine === "postgres" ? "live_postgres" : "live_mysql", rawText: `-- introspected from ${where}` };
    }
  }
}

export async function parseSchemaFile(filePath: string, originalName: string): Promise<{ parsed: ParsedSchema; source: SchemaSource; rawText: string }> {
  const parsed = await readSchemaFromFile(filePath, "auto");
  return { parsed, source: parsed.model.dialect === "sqlite" ? "sqlite_file" : "duckdb_file", rawText: `-- catalog read from the uploaded file ${originalName.slice(0, 200)}` };
}

async function toPreview(db: Db, projectId: string, parsedSource: { parsed: ParsedSchema; source: SchemaSource; rawText: string }, userId: string | null, connection?: StoredPreview["connection"]): Promise<PreviewView> {
  const model = applyInferredForeignKeys(parsedSource.parsed.model);
  const parsed = { model, warnings: parsedSource.parsed.warnings };
  prunePreviews();
  const previewId = randomUUID();
  previews.set(previewId, { projectId, userId, source: parsedSource.source, rawText: parsedSource.rawText, parsed, expiresAt: Date.now() + PREVIEW_TTL_MS, connection });
  const current = await getLatestSchema(db, projectId);
  const fks = model.tables.flatMap((t) => t.foreignKeys);
  return {
    previewId,
    source: parsedSource.source,
    dialect: model.dialect,
    model,
    warnings: parsed.warnings,
    stats: {
      tables: model.tables.length,
      columns: model.tables.reduce((n, t) => n + t.columns.length, 0),
      declaredForeignKeys: fks.filter((f) => (f.origin ?? "declared") === "declared").length,
      suggestedForeignKeys: fks.filter((f) => f.origin === "inferred").length,
    },
    changes: current ? summarizeDiff(diffSchemas(current.model, model)) : null,
    currentVersion: current?.version ?? null,
  };
}

export async function previewSchemaImport(db: Db, projectId: string, input: SchemaSourceInput, userId: string | null): Promise<PreviewView> {
  await getProject(db, projectId);
  const parsed = await parseSchemaSource(input);
  const connection = input.source === "live" ? { engine: input.engine, host: input.host, port: input.port, database: input.database, user: input.user, password: input.password, savePassword: input.savePassword } : undefined;
  return toPreview(db, projectId, parsed, userId, connection);
}

export async function previewSchemaFile(db: Db, projectId: string, filePath: string, originalName: string, userId: string | null): Promise<PreviewView> {
  await getProject(db, projectId);
  return toPreview(db, projectId, await parseSchemaFile(filePath, originalName), userId);
}

/** Store a previewed schema as the project's next version; diff it and flag what the drift touches. */
export async function commitSchemaImport(db: Db, projectId: string, previewId: string, userId: string | null) {
  prunePreviews();
  const preview = previews.get(previewId);
  if (!preview || preview.projectId !== projectId) throw new NotFoundError("This preview has expired or belongs to another project. Preview the schema again.");
  previews.delete(previewId);
  return storeSchemaVersion(db, projectId, preview, userId);
}

/** Parse and store in one step (scripts, the API, the demo). */
export async function importSchema(db: Db, projectId: string, input: SchemaSourceInput, userId: string | null) {
  await getProject(db, projectId);
  const parsed = await parseSchemaSource(input);
  const model = applyInferredForeignKeys(parsed.parsed.model);
  return storeSchemaVersion(db, projectId, { ...parsed, parsed: { model, warnings: parsed.parsed.warnings } }, userId);
}

async function storeSchemaVersion(db: Db, projectId: string, src: { source: SchemaSource; rawText: string; parsed: ParsedSchema; connection?: StoredPreview["connection"] }, userId: string | null) {
  const { model, warnings } = src.parsed;
  const previous = await db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" } });
  if (previous && previous.model === JSON.stringify(model)) {
    throw new ConflictError(`This is the same schema as version ${previous.version}; nothing was changed.`);
  }
  let created: { id: string; version: number };
  try {
    created = await db.$transaction(async (tx) => {
      const last = await tx.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true } });
      const version = await tx.schemaVersion.create({
        data: {
          projectId,
          version: (last?.version ?? 0) + 1,
          source: src.source,
          dialect: model.dialect,
          rawText: src.rawText,
          model: JSON.stringify(model),
          warnings: JSON.stringify(warnings),
          tableCount: model.tables.length,
          createdById: userId,
        },
      });
      if (src.connection?.savePassword && src.connection.password) {
        // Only when asked: the password is sealed, and the connection can be introspected again.
        const sealed = sealSecret(src.connection.password);
        const name = `${src.connection.engine} ${src.connection.user}@${src.connection.host}/${src.connection.database}`.slice(0, 120);
        await tx.providerConnection.upsert({
          where: { projectId_name: { projectId, name } },
          create: {
            projectId,
            kind: `live_${src.connection.engine}`,
            name,
            baseUrl: null,
            settings: JSON.stringify({ host: src.connection.host, port: src.connection.port ?? null, database: src.connection.database, user: src.connection.user }),
            secretCipher: sealed.cipher,
            secretKeyId: sealed.keyId,
            secretHint: null,
          },
          update: { secretCipher: sealed.cipher, secretKeyId: sealed.keyId },
        });
      }
      await recordAudit(tx, {
        projectId,
        userId,
        action: "schema.ingest",
        entityType: "schema_version",
        entityId: version.id,
        summary: `Schema v${version.version}: ${model.tables.length} tables from ${src.source.replace("_", " ")} (${model.dialect})`,
      });
      return { id: version.id, version: version.version };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError("Someone imported a schema at the same moment. Reload and try again.");
    throw error;
  }
  let changes: string[] = [];
  if (previous) {
    const drift = await recordSchemaDrift(db, projectId, previous.id, created.id, JSON.parse(previous.model) as SchemaModel, model);
    changes = summarizeDiff(drift.diff);
  }
  return { id: created.id, version: created.version, model, warnings, changes };
}

export function assertSchemaFileName(name: string): void {
  if (!/\.(duckdb|db|sqlite|sqlite3|ddb)$/i.test(name)) {
    throw new ValidationError("Upload a DuckDB (.duckdb) or SQLite (.db, .sqlite) database file. For DDL, paste it or upload it on the DDL tab.");
  }
}

/** Store DDL (dialect detected unless given) as the next schema version. */
export async function ingestDdl(db: Db, projectId: string, ddl: string, userId?: string | null, dialect: SourceDialect | "auto" = "auto") {
  return importSchema(db, projectId, { source: "ddl", dialect, text: ddl }, userId ?? null);
}
