import { beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { collectComparedConstants, collectTableAliases, type ComparedConstant } from "@/lib/queries/constants";
import { parseSqlTree } from "@/lib/queries/server/analyze";
import { collectQueryConstants } from "@/lib/queries/server/constants";
import type { SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";

async function treeOf(sql: string): Promise<unknown> {
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.node;
}

async function constantsOf(sql: string): Promise<ComparedConstant[]> {
  return collectComparedConstants(await treeOf(sql));
}

const bare = (column: string, value: ComparedConstant["value"]): ComparedConstant => ({ qualifier: null, column, value });

describe("parseSqlTree", () => {
  it("returns the statement node of one SELECT", async () => {
    const parsed = await parseSqlTree("SELECT name FROM airports");
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect((parsed.node as { type?: string }).type).toBe("SELECT_NODE");
  });

  it("refuses what analyzeSql refuses, with the same messages", async () => {
    expect(await parseSqlTree("   ")).toEqual({ ok: false, error: "The query is empty." });
    expect(await parseSqlTree("DELETE FROM airports")).toEqual({ ok: false, error: "Only SELECT (or WITH … SELECT) statements are allowed." });
    expect(await parseSqlTree("SELECT 1; SELECT 2")).toEqual({ ok: false, error: "Expected one statement, found 2." });
    const broken = await parseSqlTree("SELEC name FROM airports");
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/^Syntax error: /);
  });
});

describe("collectComparedConstants on real parse trees", () => {
  it("reads every comparison operator, with the column on either side", async () => {
    expect(
      await constantsOf("SELECT 1 FROM t WHERE a = 'x' AND 'y' = b AND c <> 1 AND d < 2 AND e <= 3 AND f > 4.5 AND g >= 5 AND h IS DISTINCT FROM 'z'"),
    ).toEqual([bare("a", "x"), bare("b", "y"), bare("c", 1), bare("d", 2), bare("e", 3), bare("f", 4.5), bare("g", 5), bare("h", "z")]);
  });

  it("reads both bounds of BETWEEN and NOT BETWEEN", async () => {
    expect(await constantsOf("SELECT 1 FROM t WHERE a BETWEEN 1 AND 10 AND b NOT BETWEEN -2.5 AND 2.5")).toEqual([
      bare("a", 1),
      bare("a", 10),
      bare("b", -2.5),
      bare("b", 2.5),
    ]);
  });

  it("reads IN and NOT IN lists, and walks into IN subqueries", async () => {
    expect(await constantsOf("SELECT 1 FROM t WHERE a IN ('a', 'b') AND b NOT IN (1, 2) AND c IN (SELECT id FROM u WHERE k = 'in')")).toEqual([
      bare("a", "a"),
      bare("a", "b"),
      bare("b", 1),
      bare("b", 2),
      bare("k", "in"),
    ]);
  });

  it("skips LIKE patterns, NULL, parameters, functions of columns and column-to-column comparisons", async () => {
    expect(
      await constantsOf(
        "SELECT 1 FROM t JOIN u ON t.id = u.id WHERE name LIKE 'abc%' AND name ILIKE '%x' AND name NOT LIKE 'y%' AND a = NULL AND b = ? AND lower(c) = 'x' AND d > current_date AND 1 = 1",
      ),
    ).toEqual([]);
  });

  it("takes casts of constants as their text or number", async () => {
    expect(
      await constantsOf(
        "SELECT 1 FROM t WHERE d >= DATE '2020-01-01' AND ts < TIMESTAMP '2020-01-01 10:00:00' AND n = '5'::INTEGER AND m <> CAST('3' AS BIGINT) AND p = CAST('1.50' AS DECIMAL(5,2)) AND b = true AND c = false AND s = 7::VARCHAR",
      ),
    ).toEqual([
      bare("d", "2020-01-01"),
      bare("ts", "2020-01-01 10:00:00"),
      bare("n", 5),
      bare("m", 3),
      bare("p", 1.5),
      bare("b", true),
      bare("c", false),
      bare("s", "7"),
    ]);
  });

  it("reads negative numbers, folded or as an operator over a constant, and decimals at their scale", async () => {
    expect(await constantsOf("SELECT 1 FROM t WHERE a = -5 AND b = - 5 AND c > -'5'::INTEGER AND d = 1.25 AND e = -1.5e3 AND f = 12345678901234")).toEqual([
      bare("a", -5),
      bare("b", -5),
      bare("c", -5),
      bare("d", 1.25),
      bare("e", -1500),
      bare("f", 12345678901234),
    ]);
  });

  it("skips integers beyond what JavaScript holds exactly", async () => {
    expect(await constantsOf("SELECT 1 FROM t WHERE a = 123456789012345678901234 AND b = 1.234567890123456789012")).toEqual([]);
  });

  it("sees through casts and collations on the column side", async () => {
    expect(await constantsOf("SELECT 1 FROM t WHERE CAST(year AS INTEGER) = 2020 AND name = 'x' COLLATE nocase")).toEqual([bare("year", 2020), bare("name", "x")]);
  });

  it("walks CTEs, subqueries, set operations, join conditions, CASE and HAVING; HAVING on an aggregate gives nothing", async () => {
    const found = await constantsOf(`
      WITH big AS (SELECT * FROM airports ap WHERE ap.altitude > 1000)
      SELECT country, count(*), sum(CASE WHEN type = 'airport' THEN 1 ELSE 0 END) FROM big
      JOIN countries c ON c.name = big.country AND c.iso_code <> 'XX'
      WHERE EXISTS (SELECT 1 FROM routes r WHERE r.stops = 0)
      GROUP BY country HAVING count(*) > 5 AND max(altitude) < 9000
      UNION ALL SELECT name, 1, 1 FROM (SELECT * FROM airlines WHERE active = 'Y') s`);
    expect(found).toEqual(
      expect.arrayContaining([
        { qualifier: "ap", column: "altitude", value: 1000 },
        bare("type", "airport"),
        { qualifier: "c", column: "iso_code", value: "XX" },
        { qualifier: "r", column: "stops", value: 0 },
        bare("active", "Y"),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it("keeps qualifiers, schema-qualified ones included", async () => {
    expect(await constantsOf("SELECT 1 FROM main.airports WHERE main.airports.country = 'France' AND airports.city = 'Paris'")).toEqual([
      { qualifier: "main.airports", column: "country", value: "France" },
      { qualifier: "airports", column: "city", value: "Paris" },
    ]);
  });
});

describe("collectTableAliases on real parse trees", () => {
  it("maps aliases and bare names to the tables as written, in every scope", async () => {
    const aliases = collectTableAliases(
      await treeOf("SELECT * FROM airlines AS A JOIN Countries c ON a.country = c.name WHERE a.airline_id IN (SELECT airline_id FROM sales.routes)"),
    );
    expect(aliases).toEqual({ a: "airlines", c: "Countries", routes: "sales.routes", "sales.routes": "sales.routes" });
  });

  it("leaves out references to CTEs", async () => {
    expect(collectTableAliases(await treeOf("WITH fr AS (SELECT * FROM airports) SELECT * FROM fr JOIN fr AS g ON fr.id = g.id"))).toEqual({ airports: "airports" });
  });

  it("leaves out an alias bound to different tables in different scopes", async () => {
    const aliases = collectTableAliases(await treeOf("SELECT * FROM airports x WHERE x.country IN (SELECT x.name FROM countries x)"));
    expect(aliases).toEqual({});
  });
});

describe("collectQueryConstants on the demo schema", () => {
  let model: SchemaModel;
  let sales: SchemaModel;

  beforeAll(async () => {
    model = (await parseDuckdbDdl(OPENFLIGHTS_DDL)).model;
    sales = (
      await parseDuckdbDdl(
        "CREATE SCHEMA sales; CREATE TABLE sales.orders (id INTEGER PRIMARY KEY, placed_on DATE, paid BOOLEAN, total DECIMAL(10,2), status VARCHAR);",
      )
    ).model;
  });

  it("resolves constants to table.column, by alias or by the only table with the column", async () => {
    const constants = await collectQueryConstants(
      [
        "SELECT count(*) FROM airports WHERE country = 'France' AND altitude > 1000",
        "SELECT a.name FROM airlines a JOIN countries c ON a.country = c.name WHERE c.iso_code IN ('FR','DE')",
        "SELECT count(*) FROM routes WHERE stops BETWEEN 1 AND 2",
        "SELECT a.name FROM airlines a WHERE a.country = 'Germany' AND a.active = 'Y'",
        // name is in both tables: ambiguous without a qualifier, so dropped.
        "SELECT 1 FROM airports JOIN countries ON airports.country = countries.name WHERE name = 'Nowhere'",
        "SELECT count(*) FROM airports WHERE country = 'France' AND altitude > '2000' AND city LIKE 'Par%'",
        "SELEC broken FROM",
        "DELETE FROM airports WHERE country = 'Spain'",
      ],
      model,
    );
    expect(constants).toEqual({
      "airports.country": ["France"],
      "airports.altitude": [1000, 2000],
      "countries.iso_code": ["FR", "DE"],
      "routes.stops": [1, 2],
      "airlines.country": ["Germany"],
      "airlines.active": ["Y"],
    });
  });

  it("resolves through CTEs and subqueries to the base table", async () => {
    const constants = await collectQueryConstants(
      ["WITH fr AS (SELECT * FROM airports WHERE country = 'France') SELECT fr.city FROM fr WHERE fr.altitude < 50", "SELECT * FROM (SELECT * FROM routes) r WHERE r.stops = 3"],
      model,
    );
    expect(constants).toEqual({ "airports.country": ["France"], "airports.altitude": [50], "routes.stops": [3] });
  });

  it("reads date casts, booleans and decimals on a schema-qualified table", async () => {
    const constants = await collectQueryConstants(
      ["SELECT id FROM sales.orders o WHERE o.placed_on >= DATE '2024-01-01' AND o.paid = true AND o.total > 99.95 AND status IN ('open', 'shipped')"],
      sales,
    );
    expect(constants).toEqual({
      "sales.orders.placed_on": ["2024-01-01"],
      "sales.orders.paid": [true],
      "sales.orders.total": [99.95],
      "sales.orders.status": ["open", "shipped"],
    });
  });

  it("reads only the first `limit` queries", async () => {
    const sqls = ["SELECT 1 FROM routes WHERE stops = 1", "SELECT 1 FROM routes WHERE stops = 2"];
    expect(await collectQueryConstants(sqls, model, 1)).toEqual({ "routes.stops": [1] });
    expect(await collectQueryConstants([], model)).toEqual({});
  });
});
