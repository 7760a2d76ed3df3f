// Freezing dataset versions: options, prompt formats, held-out sets, immutability, comparison.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { decidePair, editPair } from "@/lib/review/server/service";
import { compareDatasetVersions, freezeDatasetVersion, getDatasetVersion, listDatasetVersions } from "@/lib/datasets/server/service";
import { ValidationError } from "@/lib/errors";

let t: TestDb;
let projectId: string;

function templatesInTwoSplits(items: { templateHash: string; split: string }[]): string[] {
  const sides = new Map<string, Set<string>>();
  for (const i of items) sides.set(i.templateHash, (sides.get(i.templateHash) ?? new Set()).add(i.split));
  return [...sides.entries()].filter(([, s]) => s.size > 1).map(([h]) => h);
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Versions");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  // A sensitive column: it must stay out of every prompt format.
  await t.db.glossaryEntry.create({ data: { projectId, tableName: "airlines", columnName: "callsign", sensitive: true } });
}, 60_000);
afterAll(async () => t?.cleanup());

describe("freezing a dataset version", () => {
  it("stores the sandbox, schema version, variants, and each item's origin and features", async () => {
    const v = await freezeDatasetVersion(t.db, projectId, { name: "Defaults", seed: 3 });
    const sandbox = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(v.sandboxId).toBe(sandbox.activeSandboxId);
    expect(v.schemaVersionId).toBeTruthy();
    expect(JSON.parse(v.variantSandboxIds)).toEqual([]);
    expect(v.promptFormat).toBe("full");
    expect(v.approvalState).toBe("draft");
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: v.id } });
    expect(items).toHaveLength(v.itemCount);
    expect(v.trainCount + v.testCount).toBe(v.itemCount);
    expect(v.validationCount).toBe(0);
    expect(items.every((i) => i.origin === "template" && Array.isArray(JSON.parse(i.features).tables) && i.systemPrompt === null)).toBe(true);
    expect(templatesInTwoSplits(items)).toEqual([]);
    expect(v.systemPrompt).toContain("CREATE TABLE airlines");
    expect(v.systemPrompt).not.toContain("callsign");
  });

  it("splits off validation, uses the compact format, the instructions and the user template", async () => {
    const v = await freezeDatasetVersion(t.db, projectId, {
      seed: 4,
      testFraction: 0.2,
      validationFraction: 0.15,
      promptFormat: "compact",
      instructions: "Write DuckDB SQL only.",
      userTemplate: "Question: {question}\nSQL:",
      description: "compact with validation",
    });
    expect(v.validationCount).toBeGreaterThan(0);
    expect(v.trainCount + v.validationCount + v.testCount).toBe(v.itemCount);
    expect(v.systemPrompt.startsWith("Write DuckDB SQL only.\n")).toBe(true);
    expect(v.systemPrompt).toMatch(/^airports\(airport_id BIGINT PK, /m);
    expect(v.systemPrompt).not.toContain("CREATE TABLE");
    expect(v.systemPrompt).not.toContain("callsign");
    const detail = await getDatasetVersion(t.db, projectId, v.id);
    expect(detail.userTemplate).toBe("Question: {question}\nSQL:");
    expect(detail.examplePrompt!.user).toMatch(/^Question: .+\nSQL:$/);
    expect(detail.report.totals.validation).toBe(v.validationCount);
    expect(detail.report.sharedTemplates).toBe(0);
    expect(detail.report.byTable.length).toBeGreaterThan(1);
  });

  it("gives each item only the tables it needs with the relevant format", async () => {
    const v = await freezeDatasetVersion(t.db, projectId, { seed: 5, promptFormat: "relevant" });
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: v.id } });
    expect(items.every((i) => i.systemPrompt)).toBe(true);
    const single = items.find((i) => JSON.stringify(JSON.parse(i.features).tables) === '["airports"]')!;
    expect(single).toBeTruthy();
    expect(single.systemPrompt).toContain("CREATE TABLE airports");
    expect(single.systemPrompt).not.toContain("CREATE TABLE routes");
    const joined = items.find((i) => {
      const tables = JSON.parse(i.features).tables as string[];
      return tables.includes("routes") && tables.includes("countries") && !tables.includes("airports") && !tables.includes("airlines");
    });
    // routes reach countries through airports or airlines: the table on the way is included.
    if (joined) expect(joined.systemPrompt).toMatch(/CREATE TABLE (airports|airlines)/);
    expect(items.every((i) => !i.systemPrompt!.includes("callsign"))).toBe(true);
  });

  it("refuses bad options with messages that say what to do", async () => {
    await expect(freezeDatasetVersion(t.db, projectId, { userTemplate: "Answer this" })).rejects.toThrow(/must contain \{question\}/);
    await expect(freezeDatasetVersion(t.db, projectId, { validationFraction: 0.4 })).rejects.toThrow(/at most 30% for validation/);
    await expect(freezeDatasetVersion(t.db, projectId, { promptFormat: "tiny" as "full" })).rejects.toThrow(ValidationError);
    await expect(freezeDatasetVersion(t.db, projectId, { heldOutFromImports: true })).rejects.toThrow(/None of the approved pairs come from imported query logs/);
  });

  it("holds out imported pairs, with every pair sharing their templates, and keeps them out of the other splits", async () => {
    const queries = await t.db.query.findMany({ where: { projectId, pairs: { some: { reviewState: "approved" } } }, orderBy: { id: "asc" } });
    const chosen = queries.filter((_, i) => i % 9 === 0).slice(0, 4);
    await t.db.query.updateMany({ where: { id: { in: chosen.map((q) => q.id) } }, data: { origin: "imported" } });
    try {
      const v = await freezeDatasetVersion(t.db, projectId, { seed: 6, heldOutFromImports: true, validationFraction: 0.1 });
      const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: v.id } });
      const heldTemplates = new Set(items.filter((i) => i.origin === "imported").map((i) => i.templateHash));
      expect(v.heldOutCount).toBeGreaterThanOrEqual(chosen.length);
      for (const i of items) expect(i.split === "heldout").toBe(heldTemplates.has(i.templateHash));
      expect(templatesInTwoSplits(items)).toEqual([]);
      expect(v.trainCount + v.validationCount + v.testCount + v.heldOutCount).toBe(v.itemCount);
      const listed = (await listDatasetVersions(t.db, projectId)).find((x) => x.id === v.id)!;
      expect(listed.heldOutCount).toBe(v.heldOutCount);
    } finally {
      await t.db.query.updateMany({ where: { id: { in: chosen.map((q) => q.id) } }, data: { origin: "template" } });
    }
  });
});

describe("a frozen version is immutable, and versions compare", () => {
  it("keeps its items when pairs are edited or rejected later; compare shows what changed", async () => {
    const a = await freezeDatasetVersion(t.db, projectId, { seed: 7 });
    const before = await t.db.datasetItem.findMany({ where: { datasetVersionId: a.id }, orderBy: { pairId: "asc" } });
    const [rejected, edited] = before;
    const rejectedPair = await t.db.pair.findUniqueOrThrow({ where: { id: rejected.pairId } });
    await decidePair(t.db, projectId, rejectedPair.id, { action: "reject", revision: rejectedPair.revision });
    const editedPair = await t.db.pair.findUniqueOrThrow({ where: { id: edited.pairId } });
    await editPair(t.db, projectId, editedPair.id, { question: "Which airports are there, by a new phrasing?", revision: editedPair.revision });
    const afterEdit = await t.db.pair.findUniqueOrThrow({ where: { id: edited.pairId } });
    if (afterEdit.reviewState !== "approved") await decidePair(t.db, projectId, afterEdit.id, { action: "approve", revision: afterEdit.revision });

    const after = await t.db.datasetItem.findMany({ where: { datasetVersionId: a.id }, orderBy: { pairId: "asc" } });
    expect(after).toEqual(before);
    expect((await t.db.datasetVersion.findUniqueOrThrow({ where: { id: a.id } })).itemCount).toBe(before.length);

    const b = await freezeDatasetVersion(t.db, projectId, { seed: 7, promptFormat: "compact" });
    const diff = await compareDatasetVersions(t.db, projectId, a.id, b.id);
    expect(diff.removed.items.map((i) => i.pairId)).toEqual([rejected.pairId]);
    expect(diff.added.total).toBe(0);
    const change = diff.changed.items.find((c) => c.pairId === edited.pairId)!;
    expect(change.fields).toContain("question");
    expect(change.after.question).toBe("Which airports are there, by a new phrasing?");
    expect(diff.prompt).toMatchObject({ changed: true, formatChanged: true, systemPromptChanged: true, userTemplateChanged: false });
    expect(diff.splits.find((s) => s.split === "train")!.a).toBe(a.trainCount);
    expect(diff.added.capped || diff.removed.capped || diff.changed.capped).toBe(false);

    const same = await compareDatasetVersions(t.db, projectId, a.id, a.id);
    expect([same.added.total, same.removed.total, same.changed.total, same.prompt.changed]).toEqual([0, 0, 0, false]);
    const paged = await compareDatasetVersions(t.db, projectId, b.id, a.id, { offset: 1 });
    expect(paged.added).toMatchObject({ total: 1, offset: 1, items: [], capped: false });
    await expect(compareDatasetVersions(t.db, projectId, a.id, "nope")).rejects.toThrow(/version b does not exist/);
  });
});
