import "server-only";
import { tablesRead } from "@/lib/queries/features";
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { JsonValue } from "@/lib/sql/result";
import { promptFor, questionOf } from "@/lib/datasets/prompt";
import { toFireworksRftRecords, toFireworksSftRecords, validateFireworksRecords } from "@/lib/datasets/export-fireworks";
import { BEDROCK_MODELS, toBedrockRecord, validateBedrockRecords, type BedrockModel } from "@/lib/datasets/export-bedrock";
import { toGenericCsv, toGenericJsonlLines, validateGenericRows, type GenericRow } from "@/lib/datasets/export-generic";
import { writeParquet } from "@/lib/datasets/server/export-parquet";

// Every download of a dataset version goes through here: only an approved (signed-off) version is
// exported, excluded items never are, every file is checked against its target's rules before it
// is offered, and each download leaves a DatasetExport row and an audit event. Prompts come from
// promptFor/questionOf, so redactions and per-item system prompts reach every file.

export const EXPORT_FORMATS = ["fireworks_rft", "fireworks_sft", "bedrock", "jsonl", "csv", "parquet"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_PARTS = ["all", "train", "validation", "test"] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];

export interface ExportFormatInfo {
  format: ExportFormat;
  label: string;
  /** What the file is for. */
  description: string;
  extension: string;
  contentType: string;
  parts: ExportPart[];
  defaultPart: ExportPart;
}

const JSONL = "application/jsonl; charset=utf-8";
const GENERIC_PARTS: ExportPart[] = ["all", "train", "validation", "test"];

export const EXPORT_FORMAT_INFO: Record<ExportFormat, ExportFormatInfo> = {
  fireworks_rft: {
    format: "fireworks_rft",
    label: "Fireworks RFT",
    description:
      "Reinforcement fine-tuning on Fireworks: each line holds the prompt only, with the gold result as ground_truth; the reward is the studio's result comparator run as the evaluator. The validation file serves as the job's evaluation dataset.",
    extension: "jsonl",
    contentType: JSONL,
    parts: ["train", "validation", "test"],
    defaultPart: "train",
  },
  fireworks_sft: {
    format: "fireworks_sft",
    label: "Fireworks SFT",
    description: "Supervised fine-tuning on Fireworks: system, user and the gold SQL as the assistant's answer (OpenAI chat format, 3 to 3,000,000 examples).",
    extension: "jsonl",
    contentType: JSONL,
    parts: ["train", "validation", "test"],
    defaultPart: "train",
  },
  bedrock: {
    format: "bedrock",
    label: "Bedrock Nova",
    description:
      "Amazon Bedrock fine-tuning of Nova Micro or Nova Lite (bedrock-conversation-2024): separate training and validation files, 8 to 20,000 records each, no reserved strings such as \"User:\" or \"[EOS]\".",
    extension: "jsonl",
    contentType: JSONL,
    parts: ["train", "validation"],
    defaultPart: "train",
  },
  jsonl: {
    format: "jsonl",
    label: "JSONL",
    description: "Every item as one JSON object: id, split, question, SQL, result {columns, rows}, complexity, shape, tables, origin. For your own pipelines.",
    extension: "jsonl",
    contentType: JSONL,
    parts: GENERIC_PARTS,
    defaultPart: "all",
  },
  csv: {
    format: "csv",
    label: "CSV",
    description: "The same columns for spreadsheets (RFC 4180; result and tables as JSON text; cells that would run as formulas start with an apostrophe).",
    extension: "csv",
    contentType: "text/csv; charset=utf-8",
    parts: GENERIC_PARTS,
    defaultPart: "all",
  },
  parquet: {
    format: "parquet",
    label: "Parquet",
    description: "The same columns as a Parquet file (written by DuckDB) for pandas, Spark or a warehouse.",
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    parts: GENERIC_PARTS,
    defaultPart: "all",
  },
};

export interface ExportRequest {
  format: ExportFormat;
  part?: ExportPart;
  /** Bedrock only: the model the file is meant for (Micro and Lite share the same rules). */
  model?: BedrockModel;
}

/** Reads ?format=&part=&model= (format defaults to fireworks_rft, part to the format's usual one). */
export function parseExportQuery(params: URLSearchParams): Required<ExportRequest> {
  const format = params.get("format") ?? "fireworks_rft";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError(`Unknown export format "${format.slice(0, 40)}". Use one of: ${EXPORT_FORMATS.join(", ")}.`);
  }
  const info = EXPORT_FORMAT_INFO[format as ExportFormat];
  const part = params.get("part") ?? info.defaultPart;
  if (!(info.parts as string[]).includes(part)) {
    throw new ValidationError(`${info.label} files come as ${info.parts.join(", ")}; "${part.slice(0, 40)}" is not one of them.`);
  }
  const model = params.get("model") ?? "nova-micro";
  if (!(BEDROCK_MODELS as readonly string[]).includes(model)) throw new ValidationError(`Unknown Bedrock model "${model.slice(0, 40)}". Use one of: ${BEDROCK_MODELS.join(", ")}.`);
  return { format: format as ExportFormat, part: part as ExportPart, model: model as BedrockModel };
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Buffer | string;
  /** Records in the file (JSONL lines, CSV records after the header, Parquet rows). */
  lineCount: number;
  bytes: number;
  sha256: string;
  warnings: string[];
}

type VersionRow = { id: string; version: number; approvalState: string; systemPrompt: string; userTemplate: string; project: { name: string } };

/** One item as every exporter needs it: prompt, question (redacted where set), SQL, gold result. */
interface PreparedItem {
  pairId: string;
  split: string;
  system: string;
  user: string;
  question: string;
  sql: string;
  result: { columns: string[]; rows: JsonValue[][] };
  /** The gold query orders its rows: row order counts when a prediction is compared with it. */
  topLevelOrderBy: boolean;
  complexity: string;
  shape: string;
  tables: string[];
  origin: string;
}

const ITEM_SELECT = {
  pairId: true,
  split: true,
  question: true,
  redactedQuestion: true,
  systemPrompt: true,
  sql: true,
  result: true,
  topLevelOrderBy: true,
  complexity: true,
  shape: true,
  origin: true,
  features: true,
} as const;

async function getVersion(db: Db, projectId: string, versionId: string): Promise<VersionRow> {
  const v = await db.datasetVersion.findFirst({
    where: { id: versionId, projectId },
    select: { id: true, version: true, approvalState: true, systemPrompt: true, userTemplate: true, project: { select: { name: true } } },
  });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  return v;
}

async function loadItems(db: Db, version: VersionRow, splits?: string[]): Promise<PreparedItem[]> {
  const rows = await db.datasetItem.findMany({
    where: { datasetVersionId: version.id, excluded: false, ...(splits ? { split: { in: splits } } : {}) },
    select: ITEM_SELECT,
    orderBy: { id: "asc" },
  });
  return rows.map((row) => {
    const prompt = promptFor(version, row);
    const stored = JSON.parse(row.result) as { columns?: string[]; rows?: JsonValue[][] };
    const tables = tablesRead(row.features);
    return {
      pairId: row.pairId,
      split: row.split,
      system: prompt.system,
      user: prompt.user,
      question: questionOf(row),
      sql: row.sql,
      result: { columns: stored.columns ?? [], rows: stored.rows ?? [] },
      topLevelOrderBy: row.topLevelOrderBy,
      complexity: row.complexity,
      shape: row.shape,
      tables,
      origin: row.origin,
    };
  });
}

function itemsOf(items: readonly PreparedItem[], part: ExportPart): PreparedItem[] {
  return part === "all" ? [...items] : items.filter((i) => i.split === part);
}

function toGenericRows(items: readonly PreparedItem[]): GenericRow[] {
  return items.map((i) => ({ id: i.pairId, split: i.split, question: i.question, sql: i.sql, result: i.result, complexity: i.complexity, shape: i.shape, tables: i.tables, origin: i.origin }));
}

function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "dataset";
}

/** `<project-slug>-v<N>-<format>-<part>.<ext>`: letters, digits and hyphens only, so every target accepts it. */
export function exportFileName(projectName: string, version: number, format: ExportFormat, part: ExportPart): string {
  return `${slugify(projectName)}-v${version}-${format.replace(/_/g, "-")}-${part}.${EXPORT_FORMAT_INFO[format].extension}`;
}

interface Problem {
  line: number;
  message: string;
}

interface Checked {
  problems: Problem[];
  warnings: Problem[];
  /** Builds the file; only called once the checks passed. */
  serialize: () => Promise<{ body: Buffer | string; lineCount: number }>;
}

function jsonl(records: readonly unknown[]): { body: string; lineCount: number } {
  return { body: records.map((r) => JSON.stringify(r)).join("\n") + "\n", lineCount: records.length };
}

/** Builds the records of one file and checks them against the target's rules. */
function checkExport(format: ExportFormat, part: ExportPart, model: BedrockModel, items: PreparedItem[], ctx: { fileName: string; otherPartCount?: number }): Checked {
  switch (format) {
    case "fireworks_rft": {
      const records = toFireworksRftRecords(
        items.map((i) => ({ id: i.pairId, question: i.user, sql: i.sql, result: i.result, system: i.system, orderMatters: i.topLevelOrderBy })),
      );
      return { problems: validateFireworksRecords(records, "rft"), warnings: [], serialize: async () => jsonl(records) };
    }
    case "fireworks_sft": {
      const records = toFireworksSftRecords(items.map((i) => ({ id: i.pairId, question: i.user, sql: i.sql, system: i.system })));
      return { problems: validateFireworksRecords(records, "sft"), warnings: [], serialize: async () => jsonl(records) };
    }
    case "bedrock": {
      const records = items.map((i) => toBedrockRecord({ system: i.system, user: i.user, sql: i.sql }));
      const checked = validateBedrockRecords(records, { part: part === "validation" ? "validation" : "train", model, fileName: ctx.fileName, otherPartCount: ctx.otherPartCount });
      return { problems: checked.errors, warnings: checked.warnings, serialize: async () => jsonl(records) };
    }
    case "jsonl":
    case "csv":
    case "parquet": {
      const rows = toGenericRows(items);
      const serialize = async () =>
        format === "jsonl"
          ? { body: toGenericJsonlLines(rows).join("\n") + "\n", lineCount: rows.length }
          : format === "csv"
            ? { body: toGenericCsv(rows), lineCount: rows.length }
            : { body: await writeParquet(rows), lineCount: rows.length };
      return { problems: validateGenericRows(rows), warnings: [], serialize };
    }
  }
}

function describeProblem(p: Problem, items: readonly PreparedItem[], format: ExportFormat): string {
  if (p.line === 0) return p.message;
  const unit = format === "csv" || format === "parquet" ? "record" : "line";
  const pair = items[p.line - 1]?.pairId;
  return `${unit} ${p.line}${pair ? ` (pair ${pair})` : ""}: ${p.message}`;
}

function notApprovedReason(version: VersionRow): string {
  return `Version ${version.version} is not approved (it is ${version.approvalState.replace(/_/g, " ")}). Submit it for sign-off; once a data lead approves it, it can be exported.`;
}

function emptyReason(part: ExportPart, excluded: number): string {
  if (excluded > 0) return part === "all" ? "Every item of this version is excluded: nothing is left to export." : `Every item of the ${part} split is excluded: nothing is left to export.`;
  if (part === "all") return "This version holds no items.";
  return `The ${part} split is empty: freeze a version with a ${part} share.`;
}

function failedReason(format: ExportFormat, part: ExportPart, problems: readonly Problem[], items: readonly PreparedItem[]): string {
  const shown = problems.slice(0, 5).map((p) => describeProblem(p, items, format));
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : "";
  return `The ${EXPORT_FORMAT_INFO[format].label} ${part} file would be refused: ${shown.join("; ")}${more}. Fix or exclude these items in a new version.`;
}

/**
 * Builds one export file of an approved version, checked against the target's rules, and records
 * it (DatasetExport + audit event). Refuses a version that is not approved (ConflictError), an
 * empty part and a file that would fail its checks (ValidationError with the first problems).
 */
export async function buildExport(
  db: Db,
  projectId: string,
  versionId: string,
  request: ExportRequest,
  userId?: string | null,
  options: { record?: boolean; purpose?: string } = {},
): Promise<ExportFile> {
  const { format } = request;
  const info = EXPORT_FORMAT_INFO[format];
  if (!info) throw new ValidationError(`Unknown export format "${String(format).slice(0, 40)}". Use one of: ${EXPORT_FORMATS.join(", ")}.`);
  const part = request.part ?? info.defaultPart;
  if (!info.parts.includes(part)) throw new ValidationError(`${info.label} files come as ${info.parts.join(", ")}; "${String(part).slice(0, 40)}" is not one of them.`);
  const model = request.model ?? "nova-micro";
  const version = await getVersion(db, projectId, versionId);
  if (version.approvalState !== "signed_off") throw new ConflictError(notApprovedReason(version));

  const items = await loadItems(db, version, part === "all" ? undefined : [part]);
  if (items.length === 0) {
    const excluded = await db.datasetItem.count({ where: { datasetVersionId: versionId, excluded: true, ...(part === "all" ? {} : { split: part }) } });
    throw new ValidationError(emptyReason(part, excluded));
  }
  const fileName = exportFileName(version.project.name, version.version, format, part);
  let otherPartCount: number | undefined;
  if (format === "bedrock") {
    otherPartCount = await db.datasetItem.count({ where: { datasetVersionId: versionId, excluded: false, split: part === "train" ? "validation" : "train" } });
  }
  const checked = checkExport(format, part, model, items, { fileName, otherPartCount });
  if (checked.problems.length) {
    throw new ValidationError(failedReason(format, part, checked.problems, items), { problems: checked.problems.slice(0, 20) });
  }
  const { body, lineCount } = await checked.serialize();
  const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  const sha256 = createHash("sha256").update(body).digest("hex");
  // A cost estimate reads the file without sending it anywhere: nothing to record.
  if (options.record !== false) await db.$transaction(async (tx) => {
    const row = await tx.datasetExport.create({ data: { datasetVersionId: versionId, format, part, fileName, lineCount, bytes, sha256, createdById: userId ?? null } });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "dataset.export",
      entityType: "dataset_version",
      entityId: versionId,
      summary: `Exported v${version.version} as ${info.label} (${part}): ${lineCount} records, ${fileName}${options.purpose ? ` ${options.purpose}` : ""}`,
      after: { exportId: row.id, format, part, fileName, lineCount, bytes, sha256 },
    });
  });
  return {
    fileName,
    contentType: info.contentType,
    body,
    lineCount,
    bytes,
    sha256,
    warnings: checked.warnings.map((w) => describeProblem(w, items, format)),
  };
}

export interface ExportOption {
  format: ExportFormat;
  part: ExportPart;
  fileName: string;
  /** Items the file would hold (excluded items left out). */
  itemCount: number;
  available: boolean;
  /** Why it cannot be downloaded: not approved, empty, or the first problems its checks found. */
  reason: string | null;
  warnings: string[];
}

export interface ExportHistoryEntry {
  id: string;
  format: string;
  part: string;
  fileName: string;
  lineCount: number;
  bytes: number;
  sha256: string;
  createdAt: string;
  createdBy: string | null;
}

export interface ExportOptions {
  versionId: string;
  version: number;
  approvalState: string;
  approved: boolean;
  counts: { all: number; train: number; validation: number; test: number; heldout: number; excluded: number };
  formats: Omit<ExportFormatInfo, "contentType">[];
  options: ExportOption[];
  history: ExportHistoryEntry[];
}

/**
 * What can be downloaded for a version: every format × part with its item count, and why it is
 * unavailable (not approved, empty, or the first problem its checks would find; nothing is
 * recorded). Also the version's export history, newest first.
 */
export async function listExportOptions(db: Db, projectId: string, versionId: string): Promise<ExportOptions> {
  const version = await getVersion(db, projectId, versionId);
  const approved = version.approvalState === "signed_off";
  const [items, excludedGroups, history] = await Promise.all([
    loadItems(db, version),
    db.datasetItem.groupBy({ by: ["split"], where: { datasetVersionId: versionId, excluded: true }, _count: { _all: true } }),
    db.datasetExport.findMany({ where: { datasetVersionId: versionId }, orderBy: { createdAt: "desc" }, take: 200 }),
  ]);
  const excludedBy = new Map(excludedGroups.map((g) => [g.split, g._count._all]));
  const excludedTotal = [...excludedBy.values()].reduce((a, b) => a + b, 0);
  const byPart = new Map<ExportPart, PreparedItem[]>(EXPORT_PARTS.map((p) => [p, itemsOf(items, p)]));
  const creatorIds = [...new Set(history.map((h) => h.createdById).filter((id): id is string => !!id))];
  const creators = creatorIds.length ? await db.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, name: true, email: true } }) : [];
  const creatorName = new Map(creators.map((u) => [u.id, u.name || u.email]));

  const options: ExportOption[] = [];
  // JSONL, CSV and Parquet hold the same rows under the same checks: each part is checked once.
  const genericProblems = new Map<ExportPart, Problem[]>();
  for (const info of Object.values(EXPORT_FORMAT_INFO)) {
    for (const part of info.parts) {
      const partItems = byPart.get(part)!;
      const fileName = exportFileName(version.project.name, version.version, info.format, part);
      let reason: string | null = null;
      let warnings: string[] = [];
      if (!approved) {
        reason = notApprovedReason(version);
      } else if (partItems.length === 0) {
        reason = emptyReason(part, part === "all" ? excludedTotal : (excludedBy.get(part) ?? 0));
      } else {
        const generic = info.format === "jsonl" || info.format === "csv" || info.format === "parquet";
        let problems = generic ? genericProblems.get(part) : undefined;
        if (!problems) {
          const otherPartCount = info.format === "bedrock" ? byPart.get(part === "train" ? "validation" : "train")!.length : undefined;
          const checked = checkExport(info.format, part, "nova-micro", partItems, { fileName, otherPartCount });
          problems = checked.problems;
          warnings = checked.warnings.map((w) => describeProblem(w, partItems, info.format));
          if (generic) genericProblems.set(part, problems);
        }
        if (problems.length) reason = failedReason(info.format, part, problems.slice(0, 1), partItems);
      }
      options.push({ format: info.format, part, fileName, itemCount: partItems.length, available: reason === null, reason, warnings });
    }
  }
  return {
    versionId,
    version: version.version,
    approvalState: version.approvalState,
    approved,
    counts: {
      all: items.length,
      train: byPart.get("train")!.length,
      validation: byPart.get("validation")!.length,
      test: byPart.get("test")!.length,
      heldout: items.filter((i) => i.split === "heldout").length,
      excluded: excludedTotal,
    },
    formats: Object.values(EXPORT_FORMAT_INFO).map(({ contentType: _contentType, ...rest }) => rest),
    options,
    history: history.map((h) => ({
      id: h.id,
      format: h.format,
      part: h.part,
      fileName: h.fileName,
      lineCount: h.lineCount,
      bytes: h.bytes,
      sha256: h.sha256,
      createdAt: h.createdAt.toISOString(),
      createdBy: h.createdById ? (creatorName.get(h.createdById) ?? null) : null,
    })),
  };
}
