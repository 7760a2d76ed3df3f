import { describe, expect, it } from "vitest";
import { createEmptyFeatures, type OrderKey, type QueryFeatures, type TopLevelShape } from "@/lib/queries/features";
import { findNondeterministicFunctions, findOrderWords, getLintHints, lintQuery, type LintCode, type LintFlag, type LintHints, type LintOptions } from "@/lib/queries/lint";
import { openFlightsModel } from "@/lib/queries/openflights.fixture";
import { summarizeParseTree } from "@/lib/queries/parse-tree";
import { parseSqlTree } from "@/lib/queries/server/analyze";
import { readTopLevelClauses, tokenizeSql } from "@/lib/queries/sql-text";

function features(top: Partial<TopLevelShape>, patch: Partial<QueryFeatures> = {}): QueryFeatures {
  const base = createEmptyFeatures();
  return { ...base, tables: ["airports"], ...patch, topLevel: { ...base.topLevel, ...top } };
}
const asc = (key: string): OrderKey => ({ key, direction: "asc", nullsExplicit: false });
const desc = (key: string): OrderKey => ({ key, direction: "desc", nullsExplicit: false });
const codes = (flags: { code: string }[]) => flags.map((f) => f.code);

const hints = getLintHints(openFlightsModel);

/** Lint real SQL the way the ground-truth job does: features and tree from DuckDB's parser. */
async function lintSql(sql: string, options: Omit<LintOptions, "tree"> = {}): Promise<LintFlag[]> {
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) throw new Error(`${parsed.error}: ${sql}`);
  return lintQuery(sql, summarizeParseTree(parsed.node).features, { hints, ...options, tree: parsed.node });
}

async function flagOf(sql: string, code: LintCode, options: Omit<LintOptions, "tree"> = {}): Promise<LintFlag | undefined> {
  return (await lintSql(sql, options)).find((f) => f.code === code);
}

/** The fix parses and linting it (same options) no longer raises the flag. */
async function expectFixClears(flag: LintFlag | undefined, options: Omit<LintOptions, "tree"> = {}): Promise<string> {
  expect(flag?.fix, `no fix for ${flag?.code}`).toBeDefined();
  const fixed = flag!.fix!.sql;
  expect((await parseSqlTree(fixed)).ok, fixed).toBe(true);
  expect(codes(await lintSql(fixed, options)), fixed).not.toContain(flag!.code);
  expect(flag!.fix!.description.length).toBeGreaterThan(10);
  return fixed;
}

describe("lintQuery from features (no parse tree)", () => {
  it("flags LIMIT without ORDER BY as an error", () => {
    const flags = lintQuery("SELECT name FROM airports LIMIT 5", features({ limit: true, select: ["name"] }));
    expect(flags).toEqual([expect.objectContaining({ code: "limit_without_order", severity: "error" })]);
  });

  it("does not flag LIMIT on a single aggregate row", () => {
    expect(lintQuery("SELECT count(*) FROM airports LIMIT 1", features({ limit: true, singleRow: true }))).toEqual([]);
  });

  it("flags a LIMIT in a subquery that has no ORDER BY", () => {
    const flags = lintQuery("SELECT * FROM (SELECT id FROM airports LIMIT 3) s", features({ select: ["id"] }, { unorderedNestedLimits: 1 }));
    expect(codes(flags)).toContain("unordered_limit");
  });

  it("asks for a tiebreak when ORDER BY is on a non-unique column, and reports ties seen at the cut as an error", () => {
    const sql = "SELECT name, altitude FROM airports ORDER BY altitude DESC LIMIT 5";
    const f = features({ limit: true, orderBy: [desc("altitude")], select: ["name", "altitude"] });
    const flags = lintQuery(sql, f, { hints: { uniqueColumns: ["airports.id"] } });
    expect(flags).toEqual([expect.objectContaining({ code: "order_by_missing_tiebreak", severity: "warning" })]);
    const withTies = lintQuery(sql, f, { hints: { uniqueColumns: ["airports.id"] }, result: { rowCount: 5, tiesAtLimit: true } });
    expect(codes(withTies)).toEqual(["ties_at_limit"]);
    expect(withTies[0]).toMatchObject({ severity: "error" });
  });

  it("accepts a unique tiebreak, from the hint, matched by table", () => {
    const f = features({ limit: true, orderBy: [desc("altitude"), asc("id")], select: ["name", "altitude"] });
    expect(lintQuery("…", f, { hints: { uniqueColumns: ["airports.id"] } })).toEqual([]);
    expect(codes(lintQuery("…", f, { hints: { uniqueColumns: ["airlines.id"] } }))).toContain("order_by_missing_tiebreak");
  });

  it("accepts ordering by the group key of a grouped query", () => {
    const f = features({ limit: true, orderBy: [desc("n"), asc("country")], groupBy: ["country"], select: ["country", "n"] });
    expect(lintQuery("…", f)).toEqual([]);
  });

  it("accepts ordering by every output column", () => {
    const f = features({ limit: true, orderBy: [asc("city"), asc("name")], select: ["name", "city"] });
    expect(lintQuery("…", f)).toEqual([]);
  });

  it("flags nondeterministic functions but not the same words inside literals", () => {
    const flags = lintQuery("SELECT name FROM airports ORDER BY random()", features({ orderBy: [asc("random()")], select: ["name"] }));
    expect(flags.map((f) => f.code)).toEqual(["nondeterministic_function"]);
    expect(findNondeterministicFunctions("SELECT * FROM t WHERE d < current_date")).toEqual(["current_date"]);
    expect(findNondeterministicFunctions("SELECT uuid() , now()")).toEqual(["uuid()", "now()"]);
    expect(findNondeterministicFunctions("SELECT 'random()' AS \"now()\" -- now()")).toEqual([]);
    expect(findNondeterministicFunctions("SELECT * FROM t USING SAMPLE 10")).toEqual(["USING SAMPLE"]);
  });

  it("flags SELECT *", () => {
    expect(codes(lintQuery("SELECT * FROM airports", features({ select: ["*"] }, { selectStar: true })))).toEqual(["select_star"]);
  });

  it("notes ORDER BY on a nullable column without NULLS FIRST/LAST, with a NULLS LAST fix", () => {
    const f = features({ orderBy: [asc("iata")], select: ["iata"] });
    const flags = lintQuery("SELECT iata FROM airports ORDER BY iata", f, { hints: { nullableColumns: ["iata"] } });
    expect(codes(flags)).toEqual(["nulls_order_unspecified"]);
    expect(flags[0].fix?.sql).toBe("SELECT iata FROM airports ORDER BY iata NULLS LAST");
    const explicit = features({ orderBy: [{ key: "iata", direction: "asc", nullsExplicit: true }], select: ["iata"] });
    expect(lintQuery("…", explicit, { hints: { nullableColumns: ["iata"] } })).toEqual([]);
  });

  it("notes an empty result", () => {
    expect(codes(lintQuery("…", features({ select: ["x"] }), { result: { rowCount: 0 } }))).toEqual(["empty_result"]);
  });
});

describe("getLintHints", () => {
  it("reads keys, unique and nullable columns and each table's columns from the schema", () => {
    expect(hints.uniqueColumns).toEqual(expect.arrayContaining(["airports.id", "countries.name", "planes.iata"]));
    expect(hints.nullableColumns).toContain("airports.altitude");
    expect(hints.nullableColumns).not.toContain("airports.id");
    expect(hints.primaryKeys).toMatchObject({ routes: ["id"], planes: ["iata"] });
    expect(hints.tableColumns?.routes).toEqual(["id", "airline_id", "source_airport_id", "destination_airport_id", "codeshare", "stops", "equipment"]);
  });
});

describe("limit_without_order", () => {
  it("offers ORDER BY the table's key before LIMIT", async () => {
    const flag = await flagOf("SELECT name FROM airports LIMIT 3", "limit_without_order");
    expect(flag).toMatchObject({ severity: "error", fix: { sql: "SELECT name FROM airports ORDER BY id LIMIT 3" } });
    await expectFixClears(flag);
  });

  it("orders a grouped query by its group key, placed before a LIMIT written on the next line after a comment", async () => {
    const sql = "SELECT country, count(*) AS n FROM airports GROUP BY country -- busiest\nLIMIT 3;";
    const flag = await flagOf(sql, "limit_without_order");
    expect(flag?.fix?.sql).toBe("SELECT country, count(*) AS n FROM airports GROUP BY country -- busiest\nORDER BY country LIMIT 3;");
    await expectFixClears(flag);
  });

  it("is not raised with an ORDER BY or for a single aggregate row", async () => {
    expect(await flagOf("SELECT name FROM airports ORDER BY id LIMIT 3", "limit_without_order")).toBeUndefined();
    expect(await flagOf("SELECT max(altitude) FROM airports LIMIT 1", "limit_without_order")).toBeUndefined();
  });
});

describe("unordered_limit", () => {
  it("flags a subquery LIMIT without ORDER BY, not one with", async () => {
    expect(await flagOf("SELECT name FROM airports WHERE id IN (SELECT source_airport_id FROM routes LIMIT 5)", "unordered_limit")).toMatchObject({ severity: "error" });
    expect(await flagOf("SELECT name FROM airports WHERE id IN (SELECT source_airport_id FROM routes ORDER BY id LIMIT 5)", "unordered_limit")).toBeUndefined();
  });
});

describe("ties_at_limit", () => {
  const sql = "SELECT name, altitude FROM airports ORDER BY altitude DESC LIMIT 5";

  it("is an error when the sandbox shows a tie at the cut, fixed with the table's key", async () => {
    const flags = await lintSql(sql, { result: { rowCount: 5, tiesAtLimit: true } });
    const flag = flags.find((f) => f.code === "ties_at_limit");
    expect(flag).toMatchObject({ severity: "error", fix: { sql: "SELECT name, altitude FROM airports ORDER BY altitude DESC, id LIMIT 5" } });
    expect(flag!.message).toMatch(/tied on ORDER BY altitude DESC/);
    expect(codes(flags)).not.toContain("order_by_missing_tiebreak");
    // A re-run of the fixed query shows no tie.
    const fixed = await expectFixClears(flag, { result: { rowCount: 5 } });
    expect(codes(await lintSql(fixed, { result: { rowCount: 5, tiesAtLimit: false } }))).not.toContain("order_by_missing_tiebreak");
  });

  it("is not raised without a tie, nor when the tied rows are identical in every output column", async () => {
    expect(await flagOf(sql, "ties_at_limit", { result: { rowCount: 5, tiesAtLimit: false } })).toBeUndefined();
    expect(await flagOf(sql, "ties_at_limit", { result: { rowCount: 5 } })).toBeUndefined();
    expect(await flagOf("SELECT altitude FROM airports ORDER BY altitude DESC LIMIT 5", "ties_at_limit", { result: { rowCount: 5, tiesAtLimit: true } })).toBeUndefined();
  });

  it("falls back to the remaining output columns when no key is known", async () => {
    const flag = await flagOf(sql, "ties_at_limit", { hints: {}, result: { rowCount: 5, tiesAtLimit: true } });
    expect(flag?.fix?.sql).toBe("SELECT name, altitude FROM airports ORDER BY altitude DESC, name LIMIT 5");
    expect(flag!.message).toContain("remaining output columns (name)");
  });
});

describe("order_by_missing_tiebreak with a parse tree", () => {
  it("adds the table's primary key to a single-table ORDER BY", async () => {
    const flag = await flagOf("SELECT name, altitude FROM airports ORDER BY altitude DESC LIMIT 5", "order_by_missing_tiebreak");
    expect(flag).toMatchObject({ severity: "warning", fix: { sql: "SELECT name, altitude FROM airports ORDER BY altitude DESC, id LIMIT 5" } });
    await expectFixClears(flag);
  });

  it("knows a key is not unique once a join repeats its rows, and qualifies the key it adds", async () => {
    // Each airline has many routes: ordering by the airline's key leaves routes tied.
    const sql = "SELECT r.id, a.name FROM routes r JOIN airlines a ON r.airline_id = a.id ORDER BY a.id LIMIT 3";
    const flag = await flagOf(sql, "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toBe("SELECT r.id, a.name FROM routes r JOIN airlines a ON r.airline_id = a.id ORDER BY a.id, r.id LIMIT 3");
    await expectFixClears(flag);
    // Without the tree, a bare "id" looks unique: the reason to pass it.
    const parsed = await parseSqlTree(sql);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(codes(lintQuery(sql, summarizeParseTree(parsed.node).features, { hints }))).not.toContain("order_by_missing_tiebreak");
  });

  it("accepts the key of the table whose rows the join does not repeat, through aliases", async () => {
    expect(await flagOf("SELECT r.id, a.name FROM routes r JOIN airlines a ON r.airline_id = a.id ORDER BY a.name, r.id LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
    expect(await flagOf("SELECT r.id AS route, a.name FROM routes AS r LEFT JOIN airlines AS a ON a.id = r.airline_id ORDER BY route LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
    // A comma join with its condition in WHERE.
    expect(await flagOf("SELECT a.name FROM routes r, airlines a WHERE r.airline_id = a.id ORDER BY a.name, r.id LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
  });

  it("does not let a WHERE condition on a table joined later bind an earlier join", async () => {
    // airlines × routes is a cross product; only the later airports join is bound.
    const flag = await flagOf("SELECT a.name, r.id FROM airlines a, routes r, airports p WHERE r.id = p.id ORDER BY a.id LIMIT 3", "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toMatch(/ORDER BY a\.id, r\.id LIMIT 3$/);
    await expectFixClears(flag);
  });

  it("adds the other table's key to a self join", async () => {
    const flag = await flagOf("SELECT r1.id, r2.id FROM routes r1 JOIN routes r2 ON r1.destination_airport_id = r2.source_airport_id ORDER BY r1.id LIMIT 3", "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toMatch(/ORDER BY r1\.id, r2\.id LIMIT 3$/);
    await expectFixClears(flag);
  });

  it("resolves select aliases and positions in ORDER BY and GROUP BY", async () => {
    expect(await flagOf("SELECT country AS c, count(*) AS n FROM airports GROUP BY country ORDER BY n DESC, c LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
    expect(await flagOf("SELECT year(founded) AS y, count(*) AS n FROM airlines GROUP BY 1 ORDER BY 2 DESC, 1", "order_by_missing_tiebreak")).toBeUndefined();
    const grouped = await flagOf("SELECT year(founded) AS y, count(*) AS n FROM airlines GROUP BY 1 ORDER BY n DESC", "order_by_missing_tiebreak");
    expect(grouped?.fix?.sql).toBe("SELECT year(founded) AS y, count(*) AS n FROM airlines GROUP BY 1 ORDER BY n DESC, y");
    await expectFixClears(grouped);
  });

  it("orders GROUP BY ALL by its group keys, by position when they have no name", async () => {
    const flag = await flagOf("SELECT lower(name), count(*) AS n FROM airlines GROUP BY ALL ORDER BY n DESC", "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toBe("SELECT lower(name), count(*) AS n FROM airlines GROUP BY ALL ORDER BY n DESC, 1");
    await expectFixClears(flag);
    const written = await flagOf("SELECT lower(name), count(*) AS n FROM airlines GROUP BY lower(name) ORDER BY n DESC", "order_by_missing_tiebreak");
    expect(written?.fix?.sql).toBe("SELECT lower(name), count(*) AS n FROM airlines GROUP BY lower(name) ORDER BY n DESC, lower(name)");
    await expectFixClears(written);
  });

  it("adds the group key of a grouped join, not the joined table's key", async () => {
    const flag = await flagOf("SELECT a.name, count(*) AS n FROM routes r JOIN airlines a ON r.airline_id = a.id GROUP BY a.name ORDER BY n DESC LIMIT 3", "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toMatch(/ORDER BY n DESC, a\.name LIMIT 3$/);
    await expectFixClears(flag);
    // Grouping by the airline's key makes the key alone unique, whatever else is grouped.
    expect(await flagOf("SELECT a.id, a.name, count(*) AS n FROM routes r JOIN airlines a ON r.airline_id = a.id GROUP BY a.id, a.name ORDER BY n DESC, a.id LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
  });

  it("follows keys through derived tables and CTEs", async () => {
    expect(await flagOf("SELECT x.name FROM (SELECT id, name FROM airports WHERE altitude > 100) AS x ORDER BY x.name, x.id LIMIT 2", "order_by_missing_tiebreak")).toBeUndefined();
    const derived = await flagOf("SELECT x.name, x.altitude FROM (SELECT id, name, altitude FROM airports WHERE altitude > 100) AS x ORDER BY x.altitude LIMIT 2", "order_by_missing_tiebreak");
    expect(derived?.fix?.sql).toBe("SELECT x.name, x.altitude FROM (SELECT id, name, altitude FROM airports WHERE altitude > 100) AS x ORDER BY x.altitude, id LIMIT 2");
    await expectFixClears(derived);
    const cte = "WITH c AS (SELECT airline_id, count(*) AS n FROM routes GROUP BY airline_id) SELECT a.name, c.n FROM c JOIN airlines a ON a.id = c.airline_id ORDER BY c.n DESC LIMIT 5";
    const flag = await flagOf(cte, "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toMatch(/ORDER BY c\.n DESC, c\.airline_id LIMIT 5$/);
    await expectFixClears(flag);
  });

  it("uses composite primary keys", async () => {
    const legs: LintHints = { primaryKeys: { legs: ["flight_id", "leg_no"] }, tableColumns: { legs: ["flight_id", "leg_no", "minutes"] } };
    expect(await flagOf("SELECT flight_id, minutes FROM legs ORDER BY flight_id, leg_no LIMIT 3", "order_by_missing_tiebreak", { hints: legs })).toBeUndefined();
    const flag = await flagOf("SELECT flight_id, minutes FROM legs ORDER BY flight_id LIMIT 3", "order_by_missing_tiebreak", { hints: legs });
    expect(flag?.fix?.sql).toBe("SELECT flight_id, minutes FROM legs ORDER BY flight_id, leg_no LIMIT 3");
    await expectFixClears(flag, { hints: legs });
  });

  it("does not count a nullable UNIQUE column as a key (several NULLs tie) unless filtered", async () => {
    const nullableUnique: LintHints = { uniqueColumns: ["countries.name", "countries.iso_code"], nullableColumns: ["countries.iso_code"], primaryKeys: { countries: ["name"] } };
    const flag = await flagOf("SELECT name, iso_code FROM countries ORDER BY iso_code LIMIT 3", "order_by_missing_tiebreak", { hints: nullableUnique });
    expect(flag?.fix?.sql).toBe("SELECT name, iso_code FROM countries ORDER BY iso_code, name LIMIT 3");
    expect(await flagOf("SELECT name, iso_code FROM countries WHERE iso_code IS NOT NULL ORDER BY iso_code LIMIT 3", "order_by_missing_tiebreak", { hints: nullableUnique })).toBeUndefined();
  });

  it("flags an ORDER BY that leaves ties even without LIMIT (results are then compared in order)", async () => {
    const flag = await flagOf("SELECT name, altitude FROM airports ORDER BY altitude", "order_by_missing_tiebreak");
    expect(flag?.message).toMatch(/compared row by row/);
    await expectFixClears(flag);
  });

  it("orders DISTINCT and set-operation results by their remaining output columns", async () => {
    const distinct = await flagOf("SELECT DISTINCT country, city FROM airports ORDER BY country LIMIT 3", "order_by_missing_tiebreak");
    expect(distinct?.fix?.sql).toBe("SELECT DISTINCT country, city FROM airports ORDER BY country, city LIMIT 3");
    expect(distinct?.message).toContain("remaining output columns (city)");
    await expectFixClears(distinct);
    const union = await flagOf("SELECT name, city FROM airports UNION ALL SELECT name, country FROM airlines ORDER BY name LIMIT 3", "order_by_missing_tiebreak");
    expect(union?.fix?.sql).toMatch(/ORDER BY name, city LIMIT 3$/);
    await expectFixClears(union);
    expect(await flagOf("SELECT name FROM airports UNION SELECT name FROM airlines ORDER BY name LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
  });

  it("accepts ORDER BY ALL, single-row results, and leaves ORDER BY random() to the nondeterminism flag", async () => {
    expect(await flagOf("SELECT country, city FROM airports ORDER BY ALL LIMIT 3", "order_by_missing_tiebreak")).toBeUndefined();
    expect(await flagOf("SELECT count(*) FROM airports ORDER BY 1 LIMIT 1", "order_by_missing_tiebreak")).toBeUndefined();
    expect(codes(await lintSql("SELECT name FROM airports ORDER BY random() LIMIT 3"))).toEqual(["nondeterministic_function"]);
  });
});

describe("question_implies_order", () => {
  const grouped = "SELECT country, count(*) AS n FROM airports GROUP BY country";

  it("flags an order word in the question when the query has no ORDER BY, with an ORDER BY on the measure", async () => {
    const question = "Which countries have the most airports?";
    const flag = await flagOf(grouped, "question_implies_order", { question });
    expect(flag).toMatchObject({ severity: "warning", fix: { sql: `${grouped} ORDER BY n DESC, country` } });
    expect(flag!.message).toContain('"most"');
    await expectFixClears(flag, { question });
  });

  it("orders ascending for lowest/fewest, by position when the measure has no alias, before a trailing semicolon", async () => {
    const question = "List the countries with the fewest airports.";
    const flag = await flagOf("SELECT country, count(*) FROM airports GROUP BY country;", "question_implies_order", { question });
    expect(flag?.fix?.sql).toBe("SELECT country, count(*) FROM airports GROUP BY country ORDER BY 2 ASC, country;");
    await expectFixClears(flag, { question });
  });

  it("flags without a fix when no single measure or direction is obvious", async () => {
    const alphabetical = await flagOf("SELECT name FROM airports", "question_implies_order", { question: "List the airports in alphabetical order." });
    expect(alphabetical).toBeDefined();
    expect(alphabetical!.fix).toBeUndefined();
    const twoMeasures = await flagOf("SELECT country, count(*) AS n, avg(altitude) AS a FROM airports GROUP BY country", "question_implies_order", { question: "Which countries have the highest airports?" });
    expect(twoMeasures?.fix).toBeUndefined();
  });

  it("is not raised without an order word, for filters like 'at least', for min/max answers, one row, or an ORDER BY", async () => {
    expect(await flagOf(grouped, "question_implies_order")).toBeUndefined();
    expect(await flagOf(grouped, "question_implies_order", { question: "How many airports does each country have?" })).toBeUndefined();
    expect(await flagOf(`${grouped} HAVING count(*) >= 5`, "question_implies_order", { question: "Which countries have at least 5 airports?" })).toBeUndefined();
    expect(await flagOf("SELECT name FROM airports WHERE altitude = (SELECT max(altitude) FROM airports)", "question_implies_order", { question: "Which airport has the highest altitude?" })).toBeUndefined();
    expect(await flagOf("SELECT max(altitude) FROM airports", "question_implies_order", { question: "What is the highest altitude?" })).toBeUndefined();
    expect(await flagOf(grouped, "question_implies_order", { question: "Top countries by airports", result: { rowCount: 1 } })).toBeUndefined();
    expect(await flagOf(`${grouped} ORDER BY n DESC, country`, "question_implies_order", { question: "Top countries by airports" })).toBeUndefined();
  });

  it("reads order words and their direction from the question", () => {
    expect(findOrderWords("Show the top 5 airlines")).toMatchObject({ words: ["top"], direction: "desc", superlativeOnly: false });
    expect(findOrderWords("Which is the oldest airline?")).toMatchObject({ direction: "asc", superlativeOnly: true });
    expect(findOrderWords("List routes sorted by stops")).toMatchObject({ words: ["sorted"], direction: undefined });
    expect(findOrderWords("Airlines ranked from highest to lowest fleet")?.direction).toBe("desc");
    expect(findOrderWords("Show airports in order of altitude")?.words).toContain("in order");
    expect(findOrderWords("What is the latest founding date?")?.words).toEqual(["latest"]);
    expect(findOrderWords("What is the first name of the pilot?")).toBeUndefined();
    expect(findOrderWords("Airlines with at least 3 routes and at most 9")).toBeUndefined();
    expect(findOrderWords("Routes flown by 'Top Air'")).toBeUndefined();
    expect(findOrderWords("How many airports are there?")).toBeUndefined();
  });
});

describe("nulls_order_unspecified with a parse tree", () => {
  it("follows a select alias to a nullable column, and fixes with NULLS LAST", async () => {
    const flag = await flagOf("SELECT name, altitude AS alt FROM airports ORDER BY alt DESC, id", "nulls_order_unspecified");
    expect(flag).toMatchObject({ severity: "info", fix: { sql: "SELECT name, altitude AS alt FROM airports ORDER BY alt DESC NULLS LAST, id" } });
    await expectFixClears(flag);
  });

  it("treats a NOT NULL column from the outer side of a LEFT JOIN as nullable", async () => {
    const flag = await flagOf("SELECT a.name, r.id FROM airlines a LEFT JOIN routes r ON r.airline_id = a.id ORDER BY r.id, a.id", "nulls_order_unspecified");
    expect(flag?.message).toContain("r.id");
    expect(flag?.fix?.sql).toBe("SELECT a.name, r.id FROM airlines a LEFT JOIN routes r ON r.airline_id = a.id ORDER BY r.id NULLS LAST, a.id");
    await expectFixClears(flag);
  });

  it("is not raised for NOT NULL keys, counts, explicit NULLS FIRST, or keys filtered with IS NOT NULL", async () => {
    expect(await flagOf("SELECT name FROM airlines ORDER BY name, id", "nulls_order_unspecified")).toBeUndefined();
    expect(await flagOf("SELECT country, count(*) AS n FROM airports WHERE country IS NOT NULL GROUP BY country ORDER BY n DESC, country", "nulls_order_unspecified")).toBeUndefined();
    expect(await flagOf("SELECT name, altitude FROM airports ORDER BY altitude NULLS FIRST, id", "nulls_order_unspecified")).toBeUndefined();
    expect(await flagOf("SELECT name, altitude FROM airports WHERE altitude IS NOT NULL ORDER BY altitude, id", "nulls_order_unspecified")).toBeUndefined();
  });

  it("does not flag an ORDER BY key that the query filters with IS NOT NULL (features only)", async () => {
    const { analyzeSql } = await import("@/lib/queries/server/analyze");
    const dafif = { nullableColumns: ["countries.dafif_code"], uniqueColumns: ["countries.name"] };
    const filtered = "SELECT dafif_code, count(*) AS n FROM countries WHERE dafif_code IS NOT NULL GROUP BY dafif_code ORDER BY n DESC, dafif_code ASC LIMIT 5";
    const unfiltered = "SELECT dafif_code, count(*) AS n FROM countries GROUP BY dafif_code ORDER BY n DESC, dafif_code ASC LIMIT 5";
    const a = await analyzeSql(filtered);
    const b = await analyzeSql(unfiltered);
    if (!a.ok || !b.ok) throw new Error("did not parse");
    expect(lintQuery(filtered, a.features, { hints: dafif }).map((f) => f.code)).not.toContain("nulls_order_unspecified");
    expect(lintQuery(unfiltered, b.features, { hints: dafif }).map((f) => f.code)).toContain("nulls_order_unspecified");
  });
});

describe("nondeterministic_function", () => {
  it("flags volatile functions and sampling as errors", async () => {
    for (const [sql, label] of [
      ["SELECT name, random() AS r FROM airports", "random()"],
      ["SELECT gen_random_uuid() AS id", "gen_random_uuid()"],
      ["SELECT count(*) FROM airlines WHERE founded > current_date - INTERVAL 10 YEAR", "current_date"],
      ["SELECT now() AS t", "now()"],
      ["SELECT name FROM airports USING SAMPLE 10", "USING SAMPLE"],
      ["SELECT name FROM airports TABLESAMPLE 10%", "TABLESAMPLE"],
    ] as const) {
      const flag = await flagOf(sql, "nondeterministic_function");
      expect(flag, sql).toMatchObject({ severity: "error" });
      expect(flag!.message, sql).toContain(label);
      expect(flag!.fix, sql).toBeUndefined();
    }
  });

  it("warns about aggregates that return an arbitrary row, unless ordered inside the call", async () => {
    for (const sql of ["SELECT country, any_value(name) FROM airports GROUP BY country", "SELECT country, arbitrary(name) FROM airports GROUP BY country", "SELECT country, first(name) FROM airports GROUP BY country"]) {
      const flag = await flagOf(sql, "nondeterministic_function");
      expect(flag, sql).toMatchObject({ severity: "warning" });
      expect(flag!.message).toMatch(/min\(\)\/max\(\)/);
    }
    expect(await flagOf("SELECT country, first(name ORDER BY id) FROM airports GROUP BY country", "nondeterministic_function")).toBeUndefined();
    expect(await flagOf("SELECT country, min(name) FROM airports GROUP BY country", "nondeterministic_function")).toBeUndefined();
  });

  it("flags lists built without ORDER BY and orders them by their own values", async () => {
    const sql = "SELECT country, string_agg(name, ', ') AS names, list(DISTINCT city) AS cities, array_agg(iata) FROM airports GROUP BY country";
    const flag = await flagOf(sql, "nondeterministic_function");
    expect(flag).toMatchObject({ severity: "error" });
    expect(flag!.message).toContain("string_agg() without ORDER BY");
    expect(flag!.fix?.sql).toBe("SELECT country, string_agg(name, ', ' ORDER BY name) AS names, list(DISTINCT city ORDER BY city) AS cities, array_agg(iata ORDER BY iata) FROM airports GROUP BY country");
    await expectFixClears(flag);
    const windowed = await flagOf("SELECT list(name) OVER (PARTITION BY country) FROM airports", "nondeterministic_function");
    await expectFixClears(windowed);
  });

  it("does not flag ordered lists, and offers no fix when another cause remains", async () => {
    expect(await flagOf("SELECT string_agg(name, ', ' ORDER BY name) FROM airports", "nondeterministic_function")).toBeUndefined();
    expect(await flagOf("SELECT list(name) OVER (PARTITION BY country ORDER BY id) FROM airports", "nondeterministic_function")).toBeUndefined();
    expect(findNondeterministicFunctions("SELECT listagg(name, ',') WITHIN GROUP (ORDER BY name) FROM airports")).toEqual([]);
    const mixed = await flagOf("SELECT string_agg(name, ','), now() FROM airports", "nondeterministic_function");
    expect(mixed?.fix).toBeUndefined();
  });

  it("flags row_number()/lag() over a window without ORDER BY, not with one", async () => {
    expect(findNondeterministicFunctions("SELECT row_number() OVER () AS n, lag(name) OVER (PARTITION BY country) FROM airports")).toEqual([
      "row_number() OVER without ORDER BY",
      "lag() OVER without ORDER BY",
    ]);
    expect(findNondeterministicFunctions("SELECT row_number() OVER (PARTITION BY country ORDER BY id), rank() OVER () FROM airports")).toEqual([]);
  });

  it("ignores the same names in strings, quoted identifiers, comments and column names", () => {
    expect(findNondeterministicFunctions("SELECT 'now()' AS \"random()\", list_value(1) /* string_agg(x) */ FROM t -- first(x)")).toEqual([]);
    expect(findNondeterministicFunctions("SELECT first, list, now FROM t")).toEqual([]);
  });
});

describe("select_star", () => {
  it("flags SELECT *, not named columns", async () => {
    expect(await flagOf("SELECT * FROM airports WHERE id = 1", "select_star")).toMatchObject({ severity: "warning" });
    expect(await flagOf("SELECT id, name FROM airports WHERE id = 1", "select_star")).toBeUndefined();
  });
});

describe("result flags", () => {
  const plain = features({ select: ["x"] });

  it("empty_result: no rows, not some", () => {
    expect(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 0 } })).toEqual([expect.objectContaining({ code: "empty_result", severity: "info" })]);
    expect(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 3 } })).toEqual([]);
  });

  it("single_null: one row of NULLs, not a real value or several rows", () => {
    const lone = lintQuery("SELECT max(x) FROM t", plain, { result: { rowCount: 1, firstRow: [null] } });
    expect(lone).toEqual([expect.objectContaining({ code: "single_null", severity: "warning" })]);
    expect(lone[0].message).toMatch(/only value is NULL/);
    expect(codes(lintQuery("SELECT min(x), max(x) FROM t", plain, { result: { rowCount: 1, firstRow: [null, null] } }))).toEqual(["single_null"]);
    expect(lintQuery("SELECT count(x) FROM t", plain, { result: { rowCount: 1, firstRow: [0] } })).toEqual([]);
    expect(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 2, firstRow: [null] } })).toEqual([]);
  });

  it("huge_result: over 1,000 rows by default, or over the configured size", () => {
    expect(codes(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 1001 } }))).toEqual(["huge_result"]);
    expect(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 1000 } })).toEqual([]);
    expect(codes(lintQuery("SELECT x FROM t", plain, { result: { rowCount: 60 }, hugeResultRows: 50 }))).toEqual(["huge_result"]);
    const cut = lintQuery("SELECT x FROM t", plain, { result: { rowCount: 1000, truncated: true } });
    expect(cut[0]).toMatchObject({ code: "huge_result", severity: "warning" });
    expect(cut[0].message).toContain("more than 1,000 rows");
  });

  it("float_result: computed floating-point columns, not stored ones or decimals", async () => {
    const avg = await flagOf("SELECT country, avg(altitude) AS mean_altitude FROM airports GROUP BY country", "float_result", {
      result: { rowCount: 4, columnTypes: ["VARCHAR", "DOUBLE"], columnNames: ["country", "mean_altitude"] },
    });
    expect(avg).toMatchObject({ severity: "info" });
    expect(avg!.message).toContain("mean_altitude");
    expect(await flagOf("SELECT name, latitude FROM airports WHERE id < 3", "float_result", { result: { rowCount: 2, columnTypes: ["VARCHAR", "DOUBLE"] } })).toBeUndefined();
    expect(await flagOf("SELECT sum(altitude) FROM airports", "float_result", { result: { rowCount: 1, columnTypes: ["HUGEINT"] } })).toBeUndefined();
    expect(await flagOf("SELECT avg(altitude)::DECIMAL(10,2) FROM airports", "float_result", { result: { rowCount: 1, columnTypes: ["DECIMAL(10,2)"] } })).toBeUndefined();
    expect(codes(lintQuery("SELECT avg(x) FROM t", plain, { result: { rowCount: 1, columnTypes: ["DOUBLE"], firstRow: [1.5] } }))).toEqual(["float_result"]);
  });
});

describe("sql-text", () => {
  it("reads the outermost clauses and ignores keywords inside strings, comments and parentheses", () => {
    const sql = "WITH t AS (SELECT 1 AS a ORDER BY a LIMIT 1) SELECT a, 'x, LIMIT 3' AS s, (SELECT max(a) FROM t) FROM t -- ORDER BY 9\nGROUP BY a, s ORDER BY a DESC NULLS LAST, s LIMIT 4 OFFSET 2";
    const clauses = readTopLevelClauses(sql)!;
    const text = (s: { start: number; end: number }) => sql.slice(s.start, s.end);
    expect(clauses.selectItems.map(text)).toEqual(["a", "'x, LIMIT 3' AS s", "(SELECT max(a) FROM t)"]);
    expect(clauses.groupByItems.map(text)).toEqual(["a", "s"]);
    expect(clauses.orderBy!.items.map(text)).toEqual(["a DESC NULLS LAST", "s"]);
    expect(clauses.limit?.value?.n).toBe(4);
    expect(clauses.offset?.value?.n).toBe(2);
    expect(sql.slice(clauses.orderInsertAt)).toBe("LIMIT 4 OFFSET 2");
  });

  it("finds the ORDER BY after the last branch of a set operation, and IS DISTINCT FROM is not FROM", () => {
    const sql = "SELECT a IS DISTINCT FROM b AS d, c FROM t UNION ALL SELECT x, y FROM u ORDER BY 1";
    const clauses = readTopLevelClauses(sql)!;
    expect(clauses.setOperation).toBe(true);
    expect(clauses.selectItems.map((s) => sql.slice(s.start, s.end))).toEqual(["a IS DISTINCT FROM b AS d", "c"]);
    expect(clauses.orderBy!.items.map((s) => sql.slice(s.start, s.end))).toEqual(["1"]);
    expect(readTopLevelClauses("(SELECT 1)")).toBeUndefined();
  });

  it("tokenizes quoted names, dollar strings and numbers as single tokens", () => {
    const tokens = tokenizeSql(`SELECT "order by" , $$ LIMIT $$, 1.5e3, x::INT`);
    expect(tokens.map((t) => t.kind)).toEqual(["word", "quoted", "comma", "string", "comma", "number", "comma", "word", "op", "word"]);
  });
});
