// The alignment report on a real project: a frozen version's train split against its test split,
// an imported query log and a held-out split; the route's answers; and 10,000 items in under a second.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { callRoute, type ApiRoute, type Handler } from "@/test/helpers/routes";
import { GET as alignmentRoute } from "@/app/api/projects/[projectId]/datasets/[versionId]/alignment/route";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { compareWorkloads, countWorkloads, readStoredFeatures, type AlignmentQuery } from "@/lib/datasets/alignment";
import { getAlignmentReport } from "@/lib/datasets/server/alignment";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { createEmptyFeatures, type QueryFeatures } from "@/lib/queries/features";
import { importQueryLog } from "@/lib/queries/server/import";
import { decidePair } from "@/lib/review/server/service";

let t: TestDb;
let projectId: string;
let versionId: string;
let cookie: string;

// Grouped counts and joins, unlike the template mix: the imported workload leans one way.
const QUERY_LOG = [
  "SELECT country, count(*) AS n FROM airports GROUP BY country ORDER BY n DESC LIMIT 10;",
  "SELECT a.country, count(*) AS n FROM routes r JOIN airports a ON a.airport_id = r.source_airport_id GROUP BY a.country HAVING count(*) > 2;",
  "SELECT al.name, count(*) AS n FROM routes r JOIN airlines al ON al.airline_id = r.airline_id GROUP BY al.name ORDER BY n DESC;",
  "SELECT stops, count(*) AS n FROM routes GROUP BY stops;",
  "SELECT country, avg(altitude) AS mean_altitude FROM airports GROUP BY country HAVING avg(altitude) > 100;",
  "SELECT name FROM airports WHERE city LIKE 'S%' ORDER BY name LIMIT 5;",
].join("\n");

const ROUTE: ApiRoute = {
  key: "GET /api/projects/[projectId]/datasets/[versionId]/alignment",
  urlPath: "/api/projects/[projectId]/datasets/[versionId]/alignment",
  method: "GET",
  handler: alignmentRoute as unknown as Handler,
};

async function storedQueries(where: { split: string } | "imported"): Promise<AlignmentQuery[]> {
  const rows =
    where === "imported"
      ? await t.db.query.findMany({ where: { projectId, origin: { in: ["imported", "import"] } }, select: { id: true, sql: true, features: true } })
      : await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: where.split, excluded: false }, select: { id: true, sql: true, features: true } });
  return rows.map((r) => ({ id: r.id, sql: r.sql, features: readStoredFeatures(r.features) ?? createEmptyFeatures() }));
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Alignment");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  versionId = (await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 5 })).id;
  const user = await t.db.user.create({ data: { email: "viewer@alignment.test", name: "Viewer" } });
  await t.db.projectMember.create({ data: { projectId, userId: user.id, role: "viewer" } });
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, user.id)).cookieValue)}`;
}, 180_000);
afterAll(async () => t?.cleanup());

describe("alignment report on a frozen version", () => {
  it("compares train with the test split, with the numbers the pure measures give", async () => {
    const report = await getAlignmentReport(t.db, projectId, versionId, { target: "test" });
    const train = await storedQueries({ split: "train" });
    const test = await storedQueries({ split: "test" });
    expect(train.length).toBeGreaterThan(10);
    expect(test.length).toBeGreaterThan(0);
    expect(report.target).toBe("test");
    expect(report.targetChosen).toBe(false);
    expect(report.sizes).toEqual({ train: train.length, target: test.length });

    const expected = compareWorkloads(countWorkloads(train, test, 4));
    expect(report.features.akl).toBeCloseTo(expected.features.akl, 12);
    expect(report.features.overlap).toBeCloseTo(expected.features.overlap, 12);
    expect(report.ngrams.akl).toBeCloseTo(expected.ngrams.akl, 12);
    expect(report.ngrams.overlap).toBeCloseTo(expected.ngrams.overlap, 12);
    for (const score of [report.features.akl, report.ngrams.akl]) {
      expect(score).toBeGreaterThanOrEqual(1 / Math.E);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(report.features.rows.length).toBeGreaterThan(3);
    expect(report.features.rows.length).toBeLessThanOrEqual(30);
    const join0 = report.features.rows.find((r) => r.key === "join:0");
    expect(join0).toBeDefined();
    expect(join0!.trainQueryShare).toBeCloseTo(train.filter((q) => q.features.joinCount === 0).length / train.length, 12);
    expect(report.ngrams.shared).toBeGreaterThan(0);
    expect(report.ngrams.trainDistinct).toBeGreaterThanOrEqual(report.ngrams.shared);

    // Default subset: min(train, 200) items of this version's train split.
    expect(report.selection.size).toBe(Math.min(train.length, 200));
    expect(report.selection.before.featuresAkl).toBeCloseTo(report.features.akl, 12);
    const trainIds = new Set(train.map((q) => q.id));
    expect(report.selection.itemIds.every((id) => trainIds.has(id))).toBe(true);
  });

  it("proposes a smaller subset closer to the target", async () => {
    const report = await getAlignmentReport(t.db, projectId, versionId, { target: "test", size: 10 });
    expect(report.selection.itemIds).toHaveLength(10);
    expect(new Set(report.selection.itemIds).size).toBe(10);
    expect(report.selection.after.featuresAkl).toBeGreaterThanOrEqual(report.selection.before.featuresAkl);
    const again = await getAlignmentReport(t.db, projectId, versionId, { target: "test", size: 10 });
    expect(again.selection.itemIds).toEqual(report.selection.itemIds);
  });

  it("reads an item's features from its query when the item holds none", async () => {
    const before = await getAlignmentReport(t.db, projectId, versionId, { target: "test" });
    const item = await t.db.datasetItem.findFirstOrThrow({ where: { datasetVersionId: versionId, split: "train" }, orderBy: { id: "asc" } });
    await t.db.datasetItem.update({ where: { id: item.id }, data: { features: "{}" } });
    try {
      const after = await getAlignmentReport(t.db, projectId, versionId, { target: "test" });
      expect(after.features.akl).toBeCloseTo(before.features.akl, 12);
      expect(after.features.rows).toEqual(before.features.rows);
    } finally {
      await t.db.datasetItem.update({ where: { id: item.id }, data: { features: item.features } });
    }
  });

  it("says what to do when there are no imported queries or held-out items, and refuses another project's version", async () => {
    const imported = getAlignmentReport(t.db, projectId, versionId, { target: "imported" });
    await expect(imported).rejects.toBeInstanceOf(ValidationError);
    await expect(imported).rejects.toThrow(/No imported queries yet: import a query log on the Queries page/);
    await expect(getAlignmentReport(t.db, projectId, versionId, { target: "heldout" })).rejects.toThrow(/no held-out items/);
    // Without a target: the test split, since nothing is imported yet.
    const auto = await getAlignmentReport(t.db, projectId, versionId);
    expect(auto.target).toBe("test");
    expect(auto.targetChosen).toBe(true);
    const other = await t.db.project.create({ data: { name: "Elsewhere" } });
    await expect(getAlignmentReport(t.db, other.id, versionId, { target: "test" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers through the route: 200 by default, 400 with the message for an empty target or a bad size", async () => {
    const ok = await callRoute(ROUTE, { ids: { projectId, versionId }, cookie, query: "size=5" });
    expect(ok.status).toBe(200);
    expect((ok.json as { selection: { itemIds: string[] } }).selection.itemIds).toHaveLength(5);
    const empty = await callRoute(ROUTE, { ids: { projectId, versionId }, cookie, query: "target=imported" });
    expect(empty.status).toBe(400);
    expect(empty.json.error?.message).toMatch(/import a query log on the Queries page/);
    const bad = await callRoute(ROUTE, { ids: { projectId, versionId }, cookie, query: "target=logs&size=0" });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/Compare against one of: imported, test, heldout/);
    const badSize = await callRoute(ROUTE, { ids: { projectId, versionId }, cookie, query: "size=0" });
    expect(badSize.status).toBe(400);
    expect(badSize.json.error?.message).toMatch(/at least 1 item/);
    const anonymous = await callRoute(ROUTE, { ids: { projectId, versionId } });
    expect(anonymous.status).toBe(401);
  });

  it("compares against an imported query log, and picks it by default once there is one", async () => {
    const { report: imported } = await importQueryLog(t.db, projectId, { fileName: "history.sql", content: QUERY_LOG });
    expect(imported.added).toBeGreaterThanOrEqual(4);
    const report = await getAlignmentReport(t.db, projectId, versionId, { target: "imported", ngramMax: 6, size: 20 });
    const logQueries = await storedQueries("imported");
    expect(report.sizes.target).toBe(logQueries.length);
    expect(report.ngramMax).toBe(6);
    const train = await storedQueries({ split: "train" });
    const expected = compareWorkloads(countWorkloads(train, logQueries, 6));
    expect(report.features.akl).toBeCloseTo(expected.features.akl, 12);
    expect(report.ngrams.overlap).toBeCloseTo(expected.ngrams.overlap, 12);
    // The log is mostly grouped counts: train under-represents GROUP BY against it.
    const groupBy = report.features.rows.find((r) => r.key === "group_by")!;
    expect(groupBy.targetQueryShare).toBeCloseTo(logQueries.filter((q) => q.features.groupBy).length / logQueries.length, 12);
    expect(groupBy.targetQueryShare).toBeGreaterThan(0.5);
    expect(report.features.under.some((r) => r.key === "group_by" || r.key === "agg:count" || r.key === "having")).toBe(true);
    // A subset of 20 picked for this log matches it better than the whole train split.
    expect(report.selection.itemIds).toHaveLength(20);
    expect(report.selection.after.featuresAkl).toBeGreaterThan(report.selection.before.featuresAkl);

    const auto = await getAlignmentReport(t.db, projectId, versionId, {});
    expect(auto.target).toBe("imported");
    expect(auto.targetChosen).toBe(true);
  });

  it("compares against the held-out split", async () => {
    const testItems = await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: "test" }, orderBy: { id: "asc" }, take: 3 });
    await t.db.datasetItem.updateMany({ where: { id: { in: testItems.map((i) => i.id) } }, data: { split: "heldout" } });
    try {
      const report = await getAlignmentReport(t.db, projectId, versionId, { target: "heldout" });
      expect(report.sizes.target).toBe(testItems.length);
      const expected = compareWorkloads(countWorkloads(await storedQueries({ split: "train" }), await storedQueries({ split: "heldout" }), 4));
      expect(report.features.akl).toBeCloseTo(expected.features.akl, 12);
    } finally {
      await t.db.datasetItem.updateMany({ where: { id: { in: testItems.map((i) => i.id) } }, data: { split: "test" } });
    }
  });
});

describe("alignment report at scale", () => {
  it("reports on 10,000 train items against 2,000 test items in under a second", async () => {
    const shapes: { sql: (i: number) => string; features: QueryFeatures }[] = [
      { sql: (i) => `SELECT name, city FROM airports WHERE latitude > ${i % 90} ORDER BY name LIMIT ${(i % 20) + 1}`, features: { ...createEmptyFeatures(), orderBy: true, limit: true, whereConditionCount: 1 } },
      {
        sql: (i) => `SELECT a.country, count(*) AS n FROM routes r JOIN airports a ON a.airport_id = r.source_airport_id WHERE r.stops = ${i % 3} GROUP BY a.country`,
        features: { ...createEmptyFeatures(), joinCount: 1, aggregates: ["count"], groupBy: true, whereConditionCount: 1 },
      },
      {
        sql: (i) => `SELECT al.name FROM airlines al WHERE al.airline_id IN (SELECT airline_id FROM routes WHERE stops > ${i % 4}) AND al.active = 'Y'`,
        features: { ...createEmptyFeatures(), maxSubqueryDepth: 1, subqueryCount: 1, whereConditionCount: 2 },
      },
      {
        sql: (i) => `SELECT country, avg(altitude) AS m FROM airports GROUP BY country HAVING avg(altitude) > ${i % 500} ORDER BY m DESC`,
        features: { ...createEmptyFeatures(), aggregates: ["avg"], groupBy: true, having: true, orderBy: true },
      },
      {
        sql: (i) => `SELECT name, CASE WHEN altitude > ${i % 1000} THEN 'high' ELSE 'low' END AS band FROM airports WHERE name LIKE 'A%'`,
        features: { ...createEmptyFeatures(), caseWhen: true, like: true, whereConditionCount: 1 },
      },
    ];
    const project = await t.db.project.create({ data: { name: "Alignment at scale" } });
    const version = await t.db.datasetVersion.create({
      data: { projectId: project.id, version: 1, name: "Big", seed: 1, testFraction: 0.2, systemPrompt: "", itemCount: 12_000, trainCount: 10_000, testCount: 2_000 },
    });
    const rows = Array.from({ length: 12_000 }, (_, i) => {
      const split = i < 10_000 ? "train" : "test";
      // Train leans on the first shape; test is spread evenly.
      const shape = split === "train" ? shapes[i % 10 < 6 ? 0 : (i % 4) + 1]! : shapes[i % shapes.length]!;
      return {
        datasetVersionId: version.id,
        pairId: `pair-${i}`,
        split,
        question: `Question ${i}`,
        sql: shape.sql(i),
        result: "{}",
        complexity: "simple",
        shape: "synthetic",
        templateHash: `t${i % shapes.length}`,
        features: JSON.stringify(shape.features),
      };
    });
    for (let i = 0; i < rows.length; i += 1_000) await t.db.datasetItem.createMany({ data: rows.slice(i, i + 1_000) });

    const started = performance.now();
    const report = await getAlignmentReport(t.db, project.id, version.id, { target: "test" });
    const elapsed = performance.now() - started;
    expect(report.sizes).toEqual({ train: 10_000, target: 2_000 });
    expect(report.selection.itemIds).toHaveLength(200);
    expect(report.selection.after.featuresAkl).toBeGreaterThan(report.selection.before.featuresAkl);
    expect(report.features.over.some((r) => r.key === "limit")).toBe(true);
    console.info(`alignment report, 10,000 + 2,000 items: ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1_000);
  });
});
