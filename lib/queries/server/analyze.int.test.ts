import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { getLintHints, lintQuery } from "@/lib/queries/lint";
import { openFlightsModel, openFlightsRows } from "@/lib/queries/openflights.fixture";
import { generateTemplateQueries, quoteIdent, sqlLiteral, type QueryDraft, type ValueSamples } from "@/lib/queries/templates";

let instance: DuckDBInstance;
let db: DuckDBConnection;
let drafts: QueryDraft[];

function ddlFor(table: (typeof openFlightsModel.tables)[number]): string {
  const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? "" : " NOT NULL"}`);
  if (table.primaryKey.length > 0) columns.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")})`);
  for (const fk of table.foreignKeys) {
    columns.push(`FOREIGN KEY (${fk.columns.map(quoteIdent).join(", ")}) REFERENCES ${quoteIdent(fk.refTable)} (${fk.refColumns.map(quoteIdent).join(", ")})`);
  }
  return `CREATE TABLE ${quoteIdent(table.name)} (${columns.join(", ")})`;
}

async function sampleFromDb(): Promise<ValueSamples> {
  const samples: ValueSamples = {};
  for (const table of openFlightsModel.tables) {
    for (const column of table.columns) {
      const c = quoteIdent(column.name);
      // Dates come back as ISO strings, as the sandbox sampler hands them over.
      const reader = await db.runAndReadAll(
        `SELECT ${column.type === "DATE" ? `CAST(${c} AS VARCHAR)` : c} AS v, count(*) AS n FROM ${quoteIdent(table.name)} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY n DESC, ${c} LIMIT 12`,
      );
      samples[`${table.name}.${column.name}`] = reader.getRowsJS().map((r) => r[0] as string | number | boolean);
    }
  }
  return samples;
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  for (const table of openFlightsModel.tables) {
    await db.run(ddlFor(table));
    for (const row of openFlightsRows[table.name]) {
      await db.run(`INSERT INTO ${quoteIdent(table.name)} VALUES (${row.map(sqlLiteral).join(", ")})`);
    }
  }
  drafts = generateTemplateQueries(openFlightsModel, await sampleFromDb(), { seed: 3 });
});

afterAll(() => {
  db?.closeSync();
  instance?.closeSync();
});

describe("generated queries on an OpenFlights-like sandbox", () => {
  it("all execute, and most return rows", async () => {
    expect(drafts.length).toBeGreaterThan(40);
    let empty = 0;
    for (const d of drafts) {
      const reader = await db.runAndReadAll(d.sql).catch((error: unknown) => {
        throw new Error(`${d.shape} failed: ${d.sql}\n${String(error)}`);
      });
      if (reader.currentRowCount === 0) empty++;
    }
    expect(empty / drafts.length).toBeLessThan(0.15);
  });

  it("all parse, with a template, the complexity the generator expected and no lint errors", async () => {
    const hints = getLintHints(openFlightsModel);
    const levels = new Set<string>();
    const templates = new Set<string>();
    for (const d of drafts) {
      const analysis = await analyzeSql(d.sql);
      if (!analysis.ok) throw new Error(`${d.sql}: ${analysis.error}`);
      expect(analysis.template.length, d.sql).toBeGreaterThan(10);
      expect(analysis.template).not.toMatch(/airports|routes|airlines|countries|planes/);
      for (const literal of d.question.literals.filter((l) => l.length >= 4)) expect(analysis.template).not.toContain(literal);
      expect(analysis.templateHash).toMatch(/^[0-9a-f]{16}$/);
      expect(analysis.complexity, `${d.shape}: ${d.sql}`).toBe(d.complexity);
      expect(analysis.topLevelOrderBy, d.sql).toBe(/ORDER BY [^)]*$/.test(d.sql));
      const errors = lintQuery(d.sql, analysis.features, { hints }).filter((f) => f.severity !== "info");
      expect(errors, `${d.sql}\n${JSON.stringify(errors)}`).toEqual([]);
      levels.add(analysis.complexity);
      templates.add(analysis.templateHash);
    }
    expect(levels.size).toBeGreaterThanOrEqual(3);
    // The same shape over different tables shares a template: structure, not names.
    expect(templates.size).toBeLessThan(drafts.length);
  });
});

describe("analyzeSql", () => {
  it("describes the features of a query", async () => {
    const a = await analyzeSql(
      "SELECT a.country, count(*) AS n FROM routes r JOIN airlines a ON r.airline_id = a.id WHERE a.active = 'Y' AND r.stops BETWEEN 0 AND 1 GROUP BY a.country HAVING count(*) > 2 ORDER BY n DESC, a.country LIMIT 5",
    );
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.features).toMatchObject({
      tables: ["airlines", "routes"],
      joinCount: 1,
      aggregates: ["count"],
      aggregateCount: 1,
      groupBy: true,
      having: true,
      orderBy: true,
      limit: true,
      between: true,
      selectColumnCount: 2,
      whereConditionCount: 2,
    });
    expect(a.template).toBe(
      "SELECT col, agg(*) FROM t JOIN t ON col = col WHERE col = <v> AND col BETWEEN <v> AND <v> GROUP BY col HAVING agg(*) > <v> ORDER BY col DESC, col LIMIT <n>",
    );
    expect(a.complexity).toBe("moderate");
  });

  it("gives queries that differ only in names and literals the same template hash", async () => {
    const x = await analyzeSql("SELECT name FROM airports WHERE country = 'Finland' ORDER BY name LIMIT 3");
    const y = await analyzeSql("SELECT title FROM books WHERE genre = 'Poetry' ORDER BY title LIMIT 10");
    const z = await analyzeSql("SELECT title FROM books WHERE genre <> 'Poetry' ORDER BY title LIMIT 10");
    expect(x.ok && y.ok && z.ok).toBe(true);
    if (!x.ok || !y.ok || !z.ok) return;
    expect(x.templateHash).toBe(y.templateHash);
    expect(z.templateHash).not.toBe(x.templateHash);
  });

  it("finds the top-level ORDER BY only on the outermost query", async () => {
    const cases: [string, boolean][] = [
      ["SELECT name FROM (SELECT name FROM airports ORDER BY altitude DESC LIMIT 5) t", false],
      ["SELECT name FROM airports WHERE id IN (SELECT source_airport_id FROM routes ORDER BY id LIMIT 3)", false],
      ["SELECT string_agg(name, ',' ORDER BY name) FROM airports", false],
      ["SELECT name FROM airports UNION SELECT name FROM airlines ORDER BY name", true],
      ["SELECT name FROM airports ORDER BY altitude DESC", true],
      ["WITH x AS (SELECT name FROM airports ORDER BY name) SELECT name FROM x", false],
    ];
    for (const [sql, expected] of cases) {
      const a = await analyzeSql(sql);
      expect(a.ok, sql).toBe(true);
      if (a.ok) expect(a.topLevelOrderBy, sql).toBe(expected);
    }
  });

  it("counts window functions, CTEs, set operations and nested subqueries", async () => {
    const a = await analyzeSql(
      "WITH c AS (SELECT country, count(*) AS n FROM airports GROUP BY country), d AS (SELECT * FROM c WHERE n > (SELECT avg(n) FROM c WHERE n < (SELECT max(n) FROM c))) " +
        "SELECT country, rank() OVER (ORDER BY n DESC) AS r FROM d UNION ALL SELECT country, 0 FROM airlines",
    );
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.features).toMatchObject({ cteCount: 2, windowFunctions: 1, setOperations: ["UNION ALL"], maxSubqueryDepth: 2, subqueryCount: 2 });
    expect(a.features.tables).toEqual(["airlines", "airports"]);
    expect(a.complexity).toBe("highly_complex");
  });

  it("refuses statements that are not a single SELECT, and syntax errors, with a message", async () => {
    for (const sql of ["DROP TABLE x", "SELEC 1", "SELECT 1; SELECT 2", "", "INSERT INTO t VALUES (1)"]) {
      const a = await analyzeSql(sql);
      expect(a.ok, sql).toBe(false);
      if (!a.ok) expect(a.error.length, sql).toBeGreaterThan(5);
    }
    const syntax = await analyzeSql("SELEC 1");
    expect(syntax.ok === false && syntax.error).toMatch(/syntax/i);
  });

  it("parses without touching files: a query naming a file still only parses", async () => {
    const a = await analyzeSql("SELECT * FROM read_csv('/etc/passwd')");
    expect(a.ok).toBe(true);
    if (a.ok) expect(a.features.functions).toContain("read_csv");
  });
});

describe("the parse-tree fingerprint (duplicate check)", () => {
  const hash = async (sql: string) => {
    const a = await analyzeSql(sql);
    if (!a.ok) throw new Error(a.error);
    return a.astHash;
  };

  it("is equal for the same query written with other spacing, case, quoting and comments", async () => {
    const base = await hash("SELECT name FROM airports WHERE country = 'Peru' ORDER BY name");
    expect(await hash("select NAME\n  from Airports -- the list\n where country='Peru' order by name")).toBe(base);
    expect(await hash('SELECT "name" FROM "airports" WHERE "country" = \'Peru\' ORDER BY "name"')).toBe(base);
  });

  it("differs when a literal, a name or the structure differs", async () => {
    const base = await hash("SELECT name FROM airports WHERE country = 'Peru' ORDER BY name");
    expect(await hash("SELECT name FROM airports WHERE country = 'peru' ORDER BY name")).not.toBe(base);
    expect(await hash("SELECT city FROM airports WHERE country = 'Peru' ORDER BY name")).not.toBe(base);
    expect(await hash("SELECT name FROM airports WHERE country = 'Peru' ORDER BY name DESC")).not.toBe(base);
  });
});
