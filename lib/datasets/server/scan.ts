import "server-only";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { roleAllows, type Role } from "@/lib/auth/policy";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { detectPii, redact } from "@/lib/datasets/pii";
import { FINDING_KINDS, isRedactable, scanItems, summarizeFindings, type FindingDetail, type ScanFinding, type ScanItem, type ScanResult, type ScanSummary } from "@/lib/datasets/scan";

// Stored scan findings of a dataset version and the decisions people make on them. A re-scan
// replaces the findings but keeps each decision whose finding comes back identically (same kind,
// pair, field and match); a version is locked while it is submitted or signed off.
//
// Statuses: open | waived (with a reason) | excluded (the pair is left out of exports) | redacted
// (the question's personal data replaced in DatasetItem.redactedQuestion). Excluding or redacting a
// pair resolves all its open findings that the action settles. Waiving a blocking finding needs the
// datasets.manage permission (a data lead); an analyst may exclude, redact and waive warnings.

export const FINDING_STATUSES = ["open", "waived", "excluded", "redacted"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

const LOCKED_STATES = new Set(["submitted", "signed_off"]);
const RESOLVE_TIMEOUT = { maxWait: 10_000, timeout: 60_000 };

export const resolveFindingInput = z.object({
  action: z.enum(["waive", "exclude", "redact", "reopen"], { message: 'Choose an action: "waive", "exclude", "redact" or "reopen".' }),
  reason: z.string().trim().max(1000, "Keep the reason under 1,000 characters.").optional(),
});
export type ResolveFindingInput = z.infer<typeof resolveFindingInput>;

export const listFindingsQuery = z.object({
  status: z.enum(["open", "resolved", "all", ...FINDING_STATUSES]).default("all"),
  kind: z.enum(FINDING_KINDS).optional(),
  take: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(64).optional(),
});
export type ListFindingsQuery = z.input<typeof listFindingsQuery>;

export interface FindingActor {
  userId?: string | null;
  role: Role | null;
  isStudioAdmin?: boolean;
}

async function getVersion(db: Db | Tx, projectId: string, versionId: string) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, select: { id: true, version: true, approvalState: true, systemPrompt: true, scan: true } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  return v;
}

function assertUnlocked(v: { version: number; approvalState: string }, doing: string): void {
  if (!LOCKED_STATES.has(v.approvalState)) return;
  throw new ConflictError(
    v.approvalState === "submitted"
      ? `Version ${v.version} is locked while submitted for sign-off, so its findings cannot be ${doing}. Ask a data lead to request changes first.`
      : `Version ${v.version} is locked while approved (signed off), so its findings cannot be ${doing}. Freeze a new version to change anything.`,
  );
}

const findingKey = (f: { kind: string; itemId: string | null; detail: { field?: string; match?: string } }) => `${f.kind}|${f.itemId ?? ""}|${f.detail.field ?? ""}|${f.detail.match ?? ""}`;

/** "table.column" (lower case) of every column marked sensitive in the project's glossary. */
async function sensitiveColumnsOf(db: Db, projectId: string): Promise<Set<string>> {
  const entries = await db.glossaryEntry.findMany({ where: { projectId, sensitive: true, columnName: { not: "" } }, select: { tableName: true, columnName: true } });
  return new Set(entries.map((e) => `${e.tableName}.${e.columnName}`.toLowerCase()));
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * Scan a version's items and replace its findings with the fresh set, keeping the decisions on
 * findings that reappear. Idempotent: a second run with nothing changed changes nothing.
 */
export async function runScan(db: Db, projectId: string, versionId: string, userId?: string | null): Promise<ScanSummary> {
  const version = await getVersion(db, projectId, versionId);
  assertUnlocked(version, "scanned again");
  const sensitiveColumns = await sensitiveColumnsOf(db, projectId);
  const items = await db.datasetItem.findMany({
    where: { datasetVersionId: versionId },
    orderBy: { id: "asc" },
    select: { id: true, pairId: true, split: true, question: true, sql: true, result: true, features: true, excluded: true, redactedQuestion: true },
  });
  // Features and lint flags come from the pair's query when the item carries none, and only while
  // that query is still the SQL that was frozen.
  const queries = new Map<string, { sql: string; features: string; lintFlags: string }>();
  const pairIds = [...new Set(items.map((i) => i.pairId))];
  for (let i = 0; i < pairIds.length; i += 500) {
    const pairs = await db.pair.findMany({ where: { projectId, id: { in: pairIds.slice(i, i + 500) } }, select: { id: true, query: { select: { sql: true, features: true, lintFlags: true } } } });
    for (const p of pairs) queries.set(p.id, p.query);
  }
  const scanInput: ScanItem[] = items.map((item) => {
    const query = queries.get(item.pairId);
    const sameSql = query?.sql === item.sql;
    const own = parseJson<{ tables?: string[] }>(item.features, {});
    return {
      id: item.id,
      question: item.question,
      sql: item.sql,
      result: parseJson<ScanResult | null>(item.result, null),
      features: own.tables?.length ? own : sameSql ? parseJson<{ tables?: string[] }>(query!.features, {}) : null,
      lintFlags: sameSql ? parseJson(query!.lintFlags, []) : [],
      split: item.split,
      excluded: item.excluded,
    };
  });
  const fresh = scanItems(scanInput, { sensitiveColumns, systemPrompt: version.systemPrompt });
  const itemsById = new Map(items.map((i) => [i.id, i]));
  const now = new Date();
  const summary = summarizeFindings(fresh, now);

  await db.$transaction(async (tx) => {
    const current = await tx.datasetVersion.findUnique({ where: { id: versionId }, select: { approvalState: true, version: true } });
    if (!current) throw new NotFoundError("This dataset version was deleted while it was being scanned.");
    assertUnlocked(current, "scanned again");
    const existing = await tx.datasetFinding.findMany({ where: { datasetVersionId: versionId } });
    const byKey = new Map(existing.map((f) => [findingKey({ ...f, detail: parseJson<FindingDetail>(f.detail, { field: "version", match: "" }) }), f]));
    const keep = new Set<string>();
    const creates: { datasetVersionId: string; itemId: string | null; kind: string; severity: string; detail: string; message: string; status: string; resolvedAt: Date | null }[] = [];
    for (const f of fresh) {
      const item = f.itemId ? itemsById.get(f.itemId) : undefined;
      const detail = JSON.stringify(f.detail);
      const prior = byKey.get(findingKey(f));
      const stillHolds = (status: string) =>
        status === "waived" || (status === "excluded" && item?.excluded === true) || (status === "redacted" && item?.redactedQuestion != null && isRedactable(f));
      if (prior && !keep.has(prior.id)) {
        keep.add(prior.id);
        const status = prior.status === "open" || stillHolds(prior.status) ? prior.status : autoStatus(f, item);
        if (prior.severity !== f.severity || prior.message !== f.message || prior.detail !== detail || prior.status !== status) {
          await tx.datasetFinding.update({
            where: { id: prior.id },
            data: { severity: f.severity, message: f.message, detail, status, ...(status !== prior.status ? { reason: null, resolvedById: null, resolvedAt: status === "open" ? null : now } : {}) },
          });
        }
        continue;
      }
      const status = autoStatus(f, item);
      creates.push({ datasetVersionId: versionId, itemId: f.itemId, kind: f.kind, severity: f.severity, detail, message: f.message, status, resolvedAt: status === "open" ? null : now });
    }
    const gone = existing.filter((f) => !keep.has(f.id)).map((f) => f.id);
    for (let i = 0; i < gone.length; i += 500) await tx.datasetFinding.deleteMany({ where: { id: { in: gone.slice(i, i + 500) } } });
    for (let i = 0; i < creates.length; i += 1000) await tx.datasetFinding.createMany({ data: creates.slice(i, i + 1000) });
    await tx.datasetVersion.update({ where: { id: versionId }, data: { scan: JSON.stringify(summary) } });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "dataset.scan",
      entityType: "dataset_version",
      entityId: versionId,
      summary: `Scanned v${current.version}: ${summary.bySeverity.blocking} blocking, ${summary.bySeverity.warning} warnings`,
      after: summary,
    });
  }, RESOLVE_TIMEOUT);
  return summary;
}

/** A new finding on a pair already excluded, or on personal data already redacted, is settled by that decision. */
function autoStatus(f: ScanFinding, item: { excluded: boolean; redactedQuestion: string | null } | undefined): FindingStatus {
  if (!item) return "open";
  if (item.excluded) return "excluded";
  if (isRedactable(f) && item.redactedQuestion != null && !item.redactedQuestion.includes(f.detail.match)) return "redacted";
  return "open";
}

export interface FindingView {
  id: string;
  itemId: string | null;
  kind: string;
  severity: string;
  message: string;
  detail: FindingDetail;
  status: FindingStatus;
  reason: string | null;
  resolvedBy: { id: string; name: string } | null;
  resolvedAt: string | null;
  redactable: boolean;
  item: { id: string; pairId: string; split: string; question: string; redactedQuestion: string | null; sql: string; excluded: boolean } | null;
}

type FindingRow = { id: string; itemId: string | null; kind: string; severity: string; message: string; detail: string; status: string; reason: string | null; resolvedById: string | null; resolvedAt: Date | null };

async function toViews(db: Db | Tx, rows: FindingRow[]): Promise<FindingView[]> {
  const itemIds = [...new Set(rows.flatMap((r) => (r.itemId ? [r.itemId] : [])))];
  const userIds = [...new Set(rows.flatMap((r) => (r.resolvedById ? [r.resolvedById] : [])))];
  const [items, users] = await Promise.all([
    itemIds.length
      ? db.datasetItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, pairId: true, split: true, question: true, redactedQuestion: true, sql: true, excluded: true } })
      : Promise.resolve([]),
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : Promise.resolve([]),
  ]);
  const itemById = new Map(items.map((i) => [i.id, i]));
  const userById = new Map(users.map((u) => [u.id, u]));
  return rows.map((r) => {
    const detail = parseJson<FindingDetail>(r.detail, { field: "version", match: "" });
    return {
      id: r.id,
      itemId: r.itemId,
      kind: r.kind,
      severity: r.severity,
      message: r.message,
      detail,
      status: r.status as FindingStatus,
      reason: r.reason,
      resolvedBy: r.resolvedById ? (userById.get(r.resolvedById) ?? { id: r.resolvedById, name: "a former member" }) : null,
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
      redactable: isRedactable({ kind: r.kind, detail }),
      item: r.itemId ? (itemById.get(r.itemId) ?? null) : null,
    };
  });
}

export interface FindingCounts {
  open: { blocking: number; warning: number };
  resolved: number;
  byKind: Record<string, { blocking: number; warning: number; open: number; resolved: number }>;
}

/** A version's findings, with counts over all of them (whatever the filter). */
export async function listFindings(db: Db, projectId: string, versionId: string, query: ListFindingsQuery = {}) {
  const version = await getVersion(db, projectId, versionId);
  const q = listFindingsQuery.parse(query);
  const status = q.status === "all" ? undefined : q.status === "resolved" ? { not: "open" } : q.status;
  const rows = await db.datasetFinding.findMany({
    where: { datasetVersionId: versionId, ...(status ? { status } : {}), ...(q.kind ? { kind: q.kind } : {}) },
    orderBy: { id: "asc" },
    take: q.take + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.take);
  const groups = await db.datasetFinding.groupBy({ by: ["kind", "severity", "status"], where: { datasetVersionId: versionId }, _count: { _all: true } });
  const counts: FindingCounts = { open: { blocking: 0, warning: 0 }, resolved: 0, byKind: {} };
  for (const g of groups) {
    const n = g._count._all;
    const kind = (counts.byKind[g.kind] ??= { blocking: 0, warning: 0, open: 0, resolved: 0 });
    if (g.severity === "blocking") kind.blocking += n;
    else kind.warning += n;
    if (g.status === "open") {
      kind.open += n;
      if (g.severity === "blocking") counts.open.blocking += n;
      else counts.open.warning += n;
    } else {
      kind.resolved += n;
      counts.resolved += n;
    }
  }
  const summary = parseJson<Partial<ScanSummary>>(version.scan, {});
  return {
    findings: await toViews(db, page),
    nextCursor: rows.length > q.take ? page[page.length - 1].id : null,
    counts,
    scannedAt: summary.scannedAt ?? null,
    approvalState: version.approvalState,
    locked: LOCKED_STATES.has(version.approvalState),
  };
}

async function loadFinding(tx: Tx, projectId: string, versionId: string, findingId: string) {
  const version = await getVersion(tx, projectId, versionId);
  const finding = await tx.datasetFinding.findFirst({ where: { id: findingId, datasetVersionId: versionId } });
  if (!finding) throw new NotFoundError("This finding does not exist in this dataset version. Scan again to see the current findings.");
  return { version, finding, detail: parseJson<FindingDetail>(finding.detail, { field: "version", match: "" }) };
}

/** Waive (with a reason), exclude the pair, or redact the question's personal data; "reopen" undoes a decision. */
export async function resolveFinding(db: Db, projectId: string, versionId: string, findingId: string, input: ResolveFindingInput, actor: FindingActor): Promise<FindingView> {
  if (input.action === "reopen") return reopenFinding(db, projectId, versionId, findingId, actor);
  const reason = input.reason?.trim() || null;
  const userId = actor.userId ?? null;
  const row = await db.$transaction(async (tx) => {
    const { version, finding, detail } = await loadFinding(tx, projectId, versionId, findingId);
    assertUnlocked(version, "resolved");
    if (finding.status !== "open") throw new ConflictError(`This finding is already ${finding.status}. Reopen it first to decide differently.`);
    const now = new Date();
    const settle = async (where: { id?: string; itemId?: string }, status: FindingStatus) => {
      const { count } = await tx.datasetFinding.updateMany({ where: { datasetVersionId: versionId, status: "open", ...where }, data: { status, reason, resolvedById: userId, resolvedAt: now } });
      return count;
    };
    if (input.action === "waive") {
      if (!reason || reason.length < 5) throw new ValidationError("Say why this finding is waived (at least 5 characters), so the data lead signing off can judge it.");
      if (finding.severity === "blocking" && !roleAllows(actor.role, "datasets.manage", actor.isStudioAdmin ?? false)) {
        throw new ForbiddenError("Only a data lead or an admin can waive a blocking finding. Ask one of them, or exclude the pair instead.");
      }
      await settle({ id: finding.id }, "waived");
    } else {
      if (!finding.itemId) throw new ValidationError("This finding is about the whole version, not one pair: waive it with a reason, or freeze a new version.");
      const item = await tx.datasetItem.findUnique({ where: { id: finding.itemId }, select: { id: true, question: true } });
      if (!item) throw new NotFoundError("The pair behind this finding is no longer in the version. Scan again.");
      if (input.action === "exclude") {
        await tx.datasetItem.update({ where: { id: item.id }, data: { excluded: true } });
        await settle({ itemId: item.id }, "excluded");
      } else {
        if (!isRedactable({ kind: finding.kind, detail })) {
          throw new ValidationError("Only personal data in a question can be redacted: the SQL's result depends on its literals. Exclude the pair, or waive with a reason.");
        }
        const redactedQuestion = redact(item.question, detectPii(item.question));
        await tx.datasetItem.update({ where: { id: item.id }, data: { redactedQuestion } });
        const open = await tx.datasetFinding.findMany({ where: { datasetVersionId: versionId, itemId: item.id, status: "open", kind: { startsWith: "pii_" } }, select: { id: true, detail: true } });
        for (const f of open) if (parseJson<FindingDetail>(f.detail, { field: "version", match: "" }).field === "question") await settle({ id: f.id }, "redacted");
      }
    }
    const done = await tx.datasetFinding.findUniqueOrThrow({ where: { id: finding.id } });
    await recordAudit(tx, {
      projectId,
      userId,
      action: `dataset.finding.${input.action}`,
      entityType: "dataset_finding",
      entityId: finding.id,
      summary: `${input.action === "waive" ? "Waived" : input.action === "exclude" ? "Excluded the pair of" : "Redacted the question of"} a ${finding.kind} finding on v${version.version}${reason ? `: ${reason}` : ""}`,
      before: { status: finding.status },
      after: { status: done.status, reason, itemId: finding.itemId },
    });
    return done;
  }, RESOLVE_TIMEOUT);
  return (await toViews(db, [row]))[0];
}

/** Undo a decision while the version is a draft: excluding or redacting is undone for the whole pair. */
export async function reopenFinding(db: Db, projectId: string, versionId: string, findingId: string, actor: FindingActor): Promise<FindingView> {
  const userId = actor.userId ?? null;
  const row = await db.$transaction(async (tx) => {
    const { version, finding } = await loadFinding(tx, projectId, versionId, findingId);
    assertUnlocked(version, "reopened");
    if (finding.status === "open") throw new ConflictError("This finding is already open.");
    const reopen = { status: "open", reason: null, resolvedById: null, resolvedAt: null };
    if (finding.status === "excluded" && finding.itemId) {
      await tx.datasetItem.update({ where: { id: finding.itemId }, data: { excluded: false } });
      await tx.datasetFinding.updateMany({ where: { datasetVersionId: versionId, itemId: finding.itemId, status: "excluded" }, data: reopen });
    } else if (finding.status === "redacted" && finding.itemId) {
      await tx.datasetItem.update({ where: { id: finding.itemId }, data: { redactedQuestion: null } });
      await tx.datasetFinding.updateMany({ where: { datasetVersionId: versionId, itemId: finding.itemId, status: "redacted" }, data: reopen });
    } else {
      await tx.datasetFinding.update({ where: { id: finding.id }, data: reopen });
    }
    const done = await tx.datasetFinding.findUniqueOrThrow({ where: { id: finding.id } });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "dataset.finding.reopen",
      entityType: "dataset_finding",
      entityId: finding.id,
      summary: `Reopened a ${finding.kind} finding on v${version.version} (was ${finding.status})`,
      before: { status: finding.status, reason: finding.reason },
      after: { status: "open" },
    });
    return done;
  }, RESOLVE_TIMEOUT);
  return (await toViews(db, [row]))[0];
}
