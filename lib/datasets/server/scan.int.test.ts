// Scans on a real frozen version: planted findings are found with the right kind and severity,
// clean pairs produce none, resolutions change what they should, and a re-scan keeps them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { listFindings, reopenFinding, resolveFinding, runScan, type FindingView } from "@/lib/datasets/server/scan";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";

let t: TestDb;
let projectId: string;
let versionId: string;
let userId: string;
const planted: Record<string, string> = {};
const PLANTED_KINDS = ["pii_email", "pii_card", "pii_iban", "reserved_string", "duplicate_exact", "duplicate_near", "sensitive_column"];
const analyst = () => ({ userId, role: "analyst" as const });
const lead = () => ({ userId, role: "data_lead" as const });

async function all(): Promise<FindingView[]> {
  return (await listFindings(t.db, projectId, versionId, { take: 1000 })).findings;
}
const on = (findings: FindingView[], itemId: string) => findings.filter((f) => f.itemId === itemId);

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Scans");
  userId = (await t.db.user.create({ data: { email: "lead@scan.test", name: "Dana Lead" } })).id;
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  versionId = (await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 5 })).id;

  const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId }, orderBy: { id: "asc" } });
  const queries = new Map(pairs.map((p) => [p.id, p.query]));
  // A column some pair reads: a pair on airlines whose SQL names one of its columns.
  const readsAirlines = items.find((i) => {
    const tables = (JSON.parse(queries.get(i.pairId)!.features) as { tables: string[] }).tables;
    return tables.includes("airlines") && /\bcountry\b/i.test(i.sql);
  });
  expect(readsAirlines, "some approved pair reads airlines.country").toBeDefined();
  planted.sensitive = readsAirlines!.id;
  await t.db.glossaryEntry.create({ data: { projectId, tableName: "airlines", columnName: "country", sensitive: true } });

  const free = items.filter((i) => i.id !== planted.sensitive);
  const [email, card, iban, reserved, dupA, dupB, nearA, nearB] = free;
  Object.assign(planted, { email: email.id, card: card.id, iban: iban.id, reserved: reserved.id, dupA: dupA.id, dupB: dupB.id, nearA: nearA.id, nearB: nearB.id });
  const set = (id: string, data: { question?: string; sql?: string; result?: string }) => t.db.datasetItem.update({ where: { id }, data });
  await set(email.id, { question: `${email.question} Send the list to ops.lead@example.com.` });
  await set(card.id, { question: `${card.question} (paid with card 4111 1111 1111 1111)` });
  await set(iban.id, { sql: "SELECT COUNT(*) AS n FROM airlines WHERE name = 'DE89 3704 0044 0532 0130 00'" });
  await set(reserved.id, { question: `Assistant: ${reserved.question}` });
  await set(dupB.id, { question: `  ${dupA.question.toUpperCase()}!! ` });
  const long = "Which active airlines registered in Germany operate more than ten routes from Frankfurt and Munich";
  await set(nearA.id, { question: long });
  await set(nearB.id, { question: `${long} today`, result: nearA.result });
}, 180_000);
afterAll(async () => t?.cleanup());

describe("runScan", () => {
  it("finds each planted case with its kind and severity, and nothing of those kinds on clean pairs", async () => {
    const summary = await runScan(t.db, projectId, versionId, userId);
    const findings = await all();
    const kinds = (id: string) => on(findings, id).map((f) => [f.kind, f.severity, f.detail.field]);
    expect(kinds(planted.email)).toContainEqual(["pii_email", "blocking", "question"]);
    expect(kinds(planted.card)).toContainEqual(["pii_card", "blocking", "question"]);
    expect(kinds(planted.iban)).toContainEqual(["pii_iban", "blocking", "sql"]);
    expect(kinds(planted.reserved)).toContainEqual(["reserved_string", "blocking", "question"]);
    expect(kinds(planted.dupB)).toContainEqual(["duplicate_exact", "warning", "question"]);
    expect(kinds(planted.nearB)).toContainEqual(["duplicate_near", "warning", "question"]);
    expect(kinds(planted.sensitive)).toContainEqual(["sensitive_column", "blocking", "sql"]);
    expect(on(findings, planted.dupB).find((f) => f.kind === "duplicate_exact")!.detail.otherItemId).toBe(planted.dupA);
    expect(on(findings, planted.email)[0].message).toMatch(/Redact it in the question/);

    // Clean pairs: no personal data or reserved strings; sensitive findings only where the SQL names the column.
    const plantedIds = new Set(Object.values(planted));
    const items = new Map((await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId } })).map((i) => [i.id, i]));
    for (const f of findings) {
      if (!f.itemId || plantedIds.has(f.itemId)) continue;
      expect(["pii_email", "pii_card", "pii_iban", "pii_phone", "pii_national_id", "reserved_string"]).not.toContain(f.kind);
      if (f.kind === "sensitive_column" && f.severity === "blocking") expect(items.get(f.itemId)!.sql).toMatch(/\bcountry\b|\*/i);
    }
    expect(findings.filter((f) => f.itemId && !plantedIds.has(f.itemId) && PLANTED_KINDS.slice(0, 4).includes(f.kind))).toEqual([]);
    expect(summary.bySeverity.blocking).toBeGreaterThanOrEqual(6);
    const version = await t.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect(JSON.parse(version.scan)).toEqual(summary);
  });

  it("is idempotent: a second run keeps the same findings", async () => {
    const before = (await all()).map((f) => f.id).sort();
    await runScan(t.db, projectId, versionId, userId);
    expect((await all()).map((f) => f.id).sort()).toEqual(before);
  });
});

describe("resolutions", () => {
  const finding = async (itemId: string, kind: string) => (await all()).find((f) => f.itemId === itemId && f.kind === kind)!;

  it("redacts the question only, and refuses to redact a SQL literal", async () => {
    const f = await finding(planted.email, "pii_email");
    const before = await t.db.datasetItem.findUniqueOrThrow({ where: { id: planted.email } });
    const done = await resolveFinding(t.db, projectId, versionId, f.id, { action: "redact" }, analyst());
    expect(done).toMatchObject({ status: "redacted", resolvedBy: { id: userId, name: "Dana Lead" } });
    const after = await t.db.datasetItem.findUniqueOrThrow({ where: { id: planted.email } });
    expect(after.redactedQuestion).toBe(before.question.replace("ops.lead@example.com", "[EMAIL]"));
    expect({ ...after, redactedQuestion: null }).toEqual(before);
    const sqlFinding = await finding(planted.iban, "pii_iban");
    await expect(resolveFinding(t.db, projectId, versionId, sqlFinding.id, { action: "redact" }, analyst())).rejects.toThrow(ValidationError);
  });

  it("excludes the pair", async () => {
    const f = await finding(planted.iban, "pii_iban");
    expect((await resolveFinding(t.db, projectId, versionId, f.id, { action: "exclude" }, analyst())).status).toBe("excluded");
    expect((await t.db.datasetItem.findUniqueOrThrow({ where: { id: planted.iban } })).excluded).toBe(true);
  });

  it("waives with a reason only; a blocking waiver needs a data lead", async () => {
    const f = await finding(planted.card, "pii_card");
    await expect(resolveFinding(t.db, projectId, versionId, f.id, { action: "waive" }, lead())).rejects.toThrow(ValidationError);
    await expect(resolveFinding(t.db, projectId, versionId, f.id, { action: "waive", reason: "ok" }, lead())).rejects.toThrow(/at least 5 characters/);
    await expect(resolveFinding(t.db, projectId, versionId, f.id, { action: "waive", reason: "Stripe's public test card number" }, analyst())).rejects.toThrow(ForbiddenError);
    const done = await resolveFinding(t.db, projectId, versionId, f.id, { action: "waive", reason: "Stripe's public test card number" }, lead());
    expect(done).toMatchObject({ status: "waived", reason: "Stripe's public test card number" });
    const warning = await finding(planted.dupB, "duplicate_exact");
    expect((await resolveFinding(t.db, projectId, versionId, warning.id, { action: "waive", reason: "Different intent in context" }, analyst())).status).toBe("waived");
    const audit = await t.db.auditEvent.findMany({ where: { projectId, action: { startsWith: "dataset.finding." } } });
    expect(audit.map((a) => a.action).sort()).toEqual(["dataset.finding.exclude", "dataset.finding.redact", "dataset.finding.waive", "dataset.finding.waive"]);
  });

  it("keeps every decision across a re-scan", async () => {
    await runScan(t.db, projectId, versionId, userId);
    const findings = await all();
    expect(on(findings, planted.email).find((f) => f.kind === "pii_email")!.status).toBe("redacted");
    expect(on(findings, planted.iban).find((f) => f.kind === "pii_iban")!.status).toBe("excluded");
    expect(on(findings, planted.card).find((f) => f.kind === "pii_card")).toMatchObject({ status: "waived", reason: "Stripe's public test card number" });
    expect(on(findings, planted.dupB).find((f) => f.kind === "duplicate_exact")!.status).toBe("waived");
    expect(on(findings, planted.reserved).find((f) => f.kind === "reserved_string")!.status).toBe("open");
  });

  it("reopens a decision while the version is a draft", async () => {
    const f = await finding(planted.iban, "pii_iban");
    expect((await reopenFinding(t.db, projectId, versionId, f.id, analyst())).status).toBe("open");
    expect((await t.db.datasetItem.findUniqueOrThrow({ where: { id: planted.iban } })).excluded).toBe(false);
    await expect(reopenFinding(t.db, projectId, versionId, f.id, analyst())).rejects.toThrow(ConflictError);
  });

  it("filters and counts", async () => {
    const open = await listFindings(t.db, projectId, versionId, { status: "open", kind: "pii_card" });
    expect(open.findings).toEqual([]);
    const resolved = await listFindings(t.db, projectId, versionId, { status: "resolved" });
    expect(resolved.findings.every((f) => f.status !== "open")).toBe(true);
    expect(resolved.counts.resolved).toBe(resolved.findings.length);
    expect(resolved.counts.byKind.pii_card).toMatchObject({ blocking: 1, resolved: 1 });
    const page = await listFindings(t.db, projectId, versionId, { take: 2 });
    const next = await listFindings(t.db, projectId, versionId, { take: 2, cursor: page.nextCursor! });
    expect(next.findings[0].id > page.findings[1].id).toBe(true);
  });

  it("is locked while submitted", async () => {
    await t.db.datasetVersion.update({ where: { id: versionId }, data: { approvalState: "submitted" } });
    const f = await finding(planted.reserved, "reserved_string");
    await expect(resolveFinding(t.db, projectId, versionId, f.id, { action: "exclude" }, lead())).rejects.toThrow(/locked while submitted/);
    await expect(runScan(t.db, projectId, versionId, userId)).rejects.toThrow(ConflictError);
    expect((await listFindings(t.db, projectId, versionId)).locked).toBe(true);
    await t.db.datasetVersion.update({ where: { id: versionId }, data: { approvalState: "draft" } });
  });
});
