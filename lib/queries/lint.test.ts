import { describe, expect, it } from "vitest";
import { createEmptyFeatures, type OrderKey, type QueryFeatures, type TopLevelShape } from "@/lib/queries/features";
import { findNondeterministicFunctions, getLintHints, lintQuery } from "@/lib/queries/lint";
import { openFlightsModel } from "@/lib/queries/openflights.fixture";

function features(top: Partial<TopLevelShape>, patch: Partial<QueryFeatures> = {}): QueryFeatures {
  const base = createEmptyFeatures();
  return { ...base, tables: ["airports"], ...patch, topLevel: { ...base.topLevel, ...top } };
}
const asc = (key: string): OrderKey => ({ key, direction: "asc", nullsExplicit: false });
const desc = (key: string): OrderKey => ({ key, direction: "desc", nullsExplicit: false });
const codes = (flags: { code: string }[]) => flags.map((f) => f.code);

describe("lintQuery", () => {
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

  it("asks for a tiebreak when ORDER BY is on a non-unique column", () => {
    const sql = "SELECT name, altitude FROM airports ORDER BY altitude DESC LIMIT 5";
    const f = features({ limit: true, orderBy: [desc("altitude")], select: ["name", "altitude"] });
    const flags = lintQuery(sql, f, { hints: { uniqueColumns: ["airports.id"] } });
    expect(flags).toEqual([expect.objectContaining({ code: "order_by_missing_tiebreak", severity: "warning" })]);
    const withTies = lintQuery(sql, f, { hints: { uniqueColumns: ["airports.id"] }, result: { rowCount: 5, tiesAtLimit: true } });
    expect(withTies[0]).toMatchObject({ code: "order_by_missing_tiebreak", severity: "error" });
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

  it("notes ORDER BY on a nullable column without NULLS FIRST/LAST", () => {
    const f = features({ orderBy: [asc("iata")], select: ["iata"] });
    expect(codes(lintQuery("…", f, { hints: { nullableColumns: ["iata"] } }))).toEqual(["nulls_order_unspecified"]);
    const explicit = features({ orderBy: [{ key: "iata", direction: "asc", nullsExplicit: true }], select: ["iata"] });
    expect(lintQuery("…", explicit, { hints: { nullableColumns: ["iata"] } })).toEqual([]);
  });

  it("notes an empty result", () => {
    expect(codes(lintQuery("…", features({ select: ["x"] }), { result: { rowCount: 0 } }))).toEqual(["empty_result"]);
  });
});

describe("getLintHints", () => {
  it("reads single-column primary keys as unique and nullable columns from the schema", () => {
    const hints = getLintHints(openFlightsModel);
    expect(hints.uniqueColumns).toEqual(expect.arrayContaining(["airports.id", "countries.name", "planes.iata"]));
    expect(hints.nullableColumns).toContain("airports.altitude");
    expect(hints.nullableColumns).not.toContain("airports.id");
  });
});

describe("NULL ordering of filtered keys", () => {
  it("does not flag an ORDER BY key that the query filters with IS NOT NULL", async () => {
    const { analyzeSql } = await import("@/lib/queries/server/analyze");
    const hints = { nullableColumns: ["countries.dafif_code"], uniqueColumns: ["countries.name"] };
    const filtered = "SELECT dafif_code, count(*) AS n FROM countries WHERE dafif_code IS NOT NULL GROUP BY dafif_code ORDER BY n DESC, dafif_code ASC LIMIT 5";
    const unfiltered = "SELECT dafif_code, count(*) AS n FROM countries GROUP BY dafif_code ORDER BY n DESC, dafif_code ASC LIMIT 5";
    const a = await analyzeSql(filtered);
    const b = await analyzeSql(unfiltered);
    if (!a.ok || !b.ok) throw new Error("did not parse");
    expect(lintQuery(filtered, a.features, { hints }).map((f) => f.code)).not.toContain("nulls_order_unspecified");
    expect(lintQuery(unfiltered, b.features, { hints }).map((f) => f.code)).toContain("nulls_order_unspecified");
  });
});
