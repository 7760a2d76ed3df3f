import { describe, expect, it } from "vitest";
import { classifyShape } from "@/lib/queries/classify";
import { createEmptyFeatures, type QueryFeatures } from "@/lib/queries/features";

function f(over: Partial<QueryFeatures>): QueryFeatures {
  return { ...createEmptyFeatures(), ...over, topLevel: { ...createEmptyFeatures().topLevel, ...(over.topLevel ?? {}) } };
}

describe("classifyShape", () => {
  it("follows the taxonomy's precedence", () => {
    expect(classifyShape(f({ cteCount: 1, windowFunctions: 1 }), "WITH x AS (SELECT 1) SELECT rank() OVER () FROM x")).toBe("cte");
    expect(classifyShape(f({ setOperations: ["EXCEPT"], joinCount: 1 }), "SELECT a FROM t EXCEPT SELECT a FROM u")).toBe("set_except");
    expect(classifyShape(f({ windowFunctions: 1, joinCount: 2 }), "SELECT dense_rank() OVER (ORDER BY n) FROM t")).toBe("window_dense_rank");
    expect(classifyShape(f({ subqueryCount: 1, joinCount: 1 }), "SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.t = t.id)")).toBe("not_exists");
    expect(classifyShape(f({ joinCount: 1, selfJoin: true }), "SELECT a.x FROM t a JOIN t b ON a.p = b.id")).toBe("join_self");
    expect(classifyShape(f({ joinCount: 1 }), "SELECT a.x FROM t a LEFT JOIN u b ON b.t = a.id WHERE b.id IS NULL")).toBe("join_anti");
  });

  it("names selections by their predicate", () => {
    expect(classifyShape(f({ whereConditionCount: 1 }), "SELECT a FROM t WHERE b = 'x'")).toBe("filter_equals");
    expect(classifyShape(f({ whereConditionCount: 1 }), "SELECT a FROM t WHERE b > 5")).toBe("filter_compare");
    expect(classifyShape(f({ whereConditionCount: 1, inList: true }), "SELECT a FROM t WHERE b IN ('x', 'y')")).toBe("filter_in_list");
    expect(classifyShape(f({ whereConditionCount: 1, like: true }), "SELECT a FROM t WHERE b LIKE '%x%'")).toBe("filter_like_contains");
    expect(classifyShape(f({ whereConditionCount: 1 }), "SELECT a FROM t WHERE b IS NULL")).toBe("filter_is_null");
    expect(classifyShape(f({ whereConditionCount: 2 }), "SELECT a FROM t WHERE b = 1 AND c = 2")).toBe("filter_compound");
    // A literal that looks like an operator is not one.
    expect(classifyShape(f({ whereConditionCount: 1 }), "SELECT a FROM t WHERE b = '<>'")).toBe("filter_equals");
  });

  it("names aggregates, groups and top-k", () => {
    expect(classifyShape(f({ aggregates: ["count"], aggregateCount: 1 }), "SELECT count(*) FROM t")).toBe("count_rows");
    expect(classifyShape(f({ aggregates: ["count"], aggregateCount: 1 }), "SELECT count(DISTINCT b) FROM t")).toBe("count_distinct");
    expect(classifyShape(f({ aggregates: ["max", "min"], aggregateCount: 2 }), "SELECT min(b), max(b) FROM t")).toBe("min_max");
    expect(classifyShape(f({ aggregates: ["count"], aggregateCount: 1, groupBy: true, having: true }), "SELECT b, count(*) FROM t GROUP BY b HAVING count(*) > 2")).toBe("group_having");
    expect(classifyShape(f({ topLevel: { orderBy: [{ key: "b", direction: "desc", nullsExplicit: false }], limit: true, groupBy: [], select: [], singleRow: false, distinct: false } }), "SELECT a FROM t ORDER BY b DESC LIMIT 5")).toBe("top_k");
  });
});
