// Re-importing the demo schema with a renamed column (airports.altitude → elevation) and a dropped
// table (planes) flags exactly the queries and pairs that use them, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { getLatestSchema } from "@/lib/schema/server/service";
import { getLatestDrift, recordSchemaDrift, referencedElements } from "@/lib/schema/server/drift";
import { stripSqlLiterals } from "@/lib/queries/lint";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import type { SchemaModel } from "@/lib/schema/model";

let t: TestDb;
let projectId: string;
let prev: SchemaModel;
let prevVersionId: string;

/** Hand-written queries whose answer a plain word match would get wrong, with the right answer. */
const HANDWRITTEN: { sql: string; affected: boolean }[] = [
  { sql: "SELECT name, altitude FROM airports WHERE altitude > 5000 ORDER BY altitude DESC, name", affected: true },
  { sql: "SELECT a.name FROM airports AS a JOIN routes r ON r.source_airport_id = a.airport_id WHERE a.altitude IS NOT NULL GROUP BY a.name", affected: true },
  { sql: "SELECT * FROM airports WHERE country = 'Peru'", affected: true },
  { sql: "WITH high AS (SELECT name, altitude FROM airports) SELECT name FROM high", affected: true },
  { sql: "SELECT name FROM airlines WHERE EXISTS (SELECT 1 FROM planes p WHERE p.name = airlines.name)", affected: true },
  { sql: "SELECT count(*) FROM planes", affected: true },
  // Decoys: the words appear, the elements are not used.
  { sql: "SELECT name AS altitude FROM airlines ORDER BY altitude", affected: false },
  { sql: "SELECT 'planes' AS label, count(*) AS n FROM airports", affected: false },
  { sql: "WITH x AS (SELECT name, city FROM airports) SELECT x.name AS altitude FROM x", affected: false },
];

/** An independent reading of the template queries: they never alias or quote, so words decide. */
function usesChangedElement(sql: string): boolean {
  const text = stripSqlLiterals(sql).toLowerCase();
  if (/\bplanes\b/.test(text) || /\baltitude\b/.test(text)) return true;
  // SELECT * over airports includes altitude.
  return /select\s+(distinct\s+)?\*/.test(text) && /\bairports\b/.test(text);
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Drift");
  const latest = (await getLatestSchema(t.db, projectId))!;
  prev = latest.model;
  prevVersionId = latest.id;
  for (const [i, h] of HANDWRITTEN.entries()) {
    const q = await t.db.query.create({ data: { projectId, sql: h.sql, origin: "review", schemaVersionId: latest.id } });
    await t.db.pair.create({ data: { projectId, queryId: q.id, question: `Hand-written question ${i}` } });
  }
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 3 });
}, 240_000);
afterAll(async () => t?.cleanup());

function renamedAndDropped(model: SchemaModel): SchemaModel {
  const next = structuredClone(model);
  next.tables = next.tables.filter((tb) => tb.name !== "planes");
  const airports = next.tables.find((tb) => tb.name === "airports")!;
  airports.columns = airports.columns.map((c) => (c.name === "altitude" ? { ...c, name: "elevation" } : c));
  return next;
}

describe("schema drift", () => {
  it("reads the tables and columns a query uses from its parse tree", async () => {
    expect(await referencedElements("SELECT a.name FROM airports a JOIN routes r ON r.source_airport_id = a.airport_id", prev)).toEqual({
      tables: ["airports", "routes"],
      columns: ["airports.airport_id", "airports.name", "routes.source_airport_id"],
    });
    const star = await referencedElements("SELECT * FROM planes", prev);
    expect(star?.columns).toEqual(["planes.iata", "planes.icao", "planes.name", "planes.plane_id"]);
    const decoy = await referencedElements("SELECT name AS altitude FROM airlines ORDER BY altitude", prev);
    expect(decoy?.columns).toEqual(["airlines.name"]);
    expect(await referencedElements("SELEC nothing", prev)).toBeNull();
  });

  it("flags exactly the queries, pairs and dataset items that use the renamed column or the dropped table", async () => {
    const next = renamedAndDropped(prev);
    const v2 = await t.db.schemaVersion.create({
      data: { projectId, version: 2, source: "ddl", dialect: "duckdb", rawText: "-- v2", model: JSON.stringify(next), tableCount: next.tables.length },
    });
    const { diff, impact } = await recordSchemaDrift(t.db, projectId, prevVersionId, v2.id, prev, next);

    expect(diff.tablesRemoved).toEqual(["planes"]);
    expect(diff.tablesAdded).toEqual([]);
    expect(diff.tables).toHaveLength(1);
    expect(diff.tables[0]).toMatchObject({ table: "airports", columnsRenamed: [{ from: "altitude", to: "elevation" }], columnsAdded: [], columnsRemoved: [] });

    const queries = await t.db.query.findMany({ where: { projectId }, include: { pairs: true } });
    const handwritten = new Map(HANDWRITTEN.map((h) => [h.sql, h.affected]));
    const expected = new Set(queries.filter((q) => handwritten.get(q.sql) ?? usesChangedElement(q.sql)).map((q) => q.id));
    const templateAffected = queries.filter((q) => !handwritten.has(q.sql) && expected.has(q.id));
    expect(templateAffected.length).toBeGreaterThan(0);
    expect(expected.size).toBeLessThan(queries.length);

    const flagged = new Set(queries.filter((q) => (JSON.parse(q.lintFlags) as { code: string }[]).some((f) => f.code === "schema_drift")).map((q) => q.id));
    expect([...flagged].sort()).toEqual([...expected].sort());
    expect(new Set(impact.queries.map((q) => q.id))).toEqual(expected);

    const expectedPairs = new Set(queries.filter((q) => expected.has(q.id)).flatMap((q) => q.pairs.map((p) => p.id)));
    expect(new Set(impact.pairs.map((p) => p.id))).toEqual(expectedPairs);

    // Reasons name the element and what happened to it.
    const planesQuery = queries.find((q) => q.sql === "SELECT count(*) FROM planes")!;
    const flag = (JSON.parse(planesQuery.lintFlags) as { code: string; message: string }[]).find((f) => f.code === "schema_drift")!;
    expect(flag.message).toBe("Uses planes, changed in schema v2: table removed");
    const altitudeQuery = impact.queries.find((q) => q.sql === HANDWRITTEN[0].sql)!;
    expect(altitudeQuery.reasons).toEqual(["Uses airports.altitude, changed in schema v2: column renamed to elevation"]);

    // The frozen dataset version: its items that use a changed element.
    const version = await t.db.datasetVersion.findFirstOrThrow({ where: { projectId }, include: { items: true } });
    const affectedItems = version.items.filter((i) => handwritten.get(i.sql) ?? usesChangedElement(i.sql)).length;
    expect(affectedItems).toBeGreaterThan(0);
    expect(impact.datasetVersions).toEqual([expect.objectContaining({ id: version.id, affectedItems, itemCount: version.itemCount })]);

    const stored = await getLatestDrift(t.db, projectId);
    expect(stored?.to.version).toBe(2);
    expect(stored?.summary.removed).toEqual(["Table planes removed"]);
    expect(stored?.summary.renamed).toEqual(["Column airports.altitude looks renamed to airports.elevation"]);
    expect(stored?.impact.queries.length).toBe(expected.size);
    const audit = await t.db.auditEvent.findFirst({ where: { projectId, action: "schema.drift" } });
    expect(audit?.entityId).toBe(stored?.id);
  });

  it("replaces an earlier drift flag instead of adding a second one", async () => {
    const latest = await t.db.schemaVersion.findFirstOrThrow({ where: { projectId, version: 2 } });
    const v2 = JSON.parse(latest.model) as SchemaModel;
    const v3model: SchemaModel = { ...v2, tables: v2.tables.filter((tb) => tb.name !== "countries") };
    // Version 2 dropped planes; compare version 1 to a version 3 without planes and countries.
    const v3 = await t.db.schemaVersion.create({
      data: { projectId, version: 3, source: "ddl", dialect: "duckdb", rawText: "-- v3", model: JSON.stringify(v3model), tableCount: v3model.tables.length },
    });
    await recordSchemaDrift(t.db, projectId, prevVersionId, v3.id, prev, v3model);
    const planesQuery = await t.db.query.findFirstOrThrow({ where: { projectId, sql: "SELECT count(*) FROM planes" } });
    const flags = (JSON.parse(planesQuery.lintFlags) as { code: string; message: string }[]).filter((f) => f.code === "schema_drift");
    expect(flags).toEqual([expect.objectContaining({ message: "Uses planes, changed in schema v3: table removed" })]);
  });
});
