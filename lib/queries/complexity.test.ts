import { describe, expect, it } from "vitest";
import { classifyComplexity, listComplexTraits } from "@/lib/queries/complexity";
import { createEmptyFeatures, type QueryFeatures } from "@/lib/queries/features";

function features(patch: Partial<QueryFeatures>): QueryFeatures {
  return { ...createEmptyFeatures(), tables: ["t"], ...patch };
}

describe("classifyComplexity", () => {
  it("calls a single-table filter with a basic aggregate simple", () => {
    expect(classifyComplexity(features({ aggregates: ["count"], aggregateCount: 1, orderBy: true, limit: true, distinct: true }))).toBe("simple");
  });

  it.each<[string, Partial<QueryFeatures>]>([
    ["a join", { joinCount: 1 }],
    ["a subquery", { subqueryCount: 1, maxSubqueryDepth: 1 }],
    ["GROUP BY with an aggregate", { groupBy: true, aggregates: ["count"], aggregateCount: 1 }],
    ["HAVING", { having: true }],
    ["IN list", { inList: true }],
    ["BETWEEN", { between: true }],
    ["LIKE", { like: true }],
    ["CASE", { caseWhen: true }],
  ])("calls %s moderate", (_, patch) => {
    expect(classifyComplexity(features(patch))).toBe("moderate");
  });

  it.each<[string, Partial<QueryFeatures>]>([
    ["nested subqueries", { subqueryCount: 2, maxSubqueryDepth: 2 }],
    ["two joins", { joinCount: 2 }],
    ["a self join", { joinCount: 1, selfJoin: true }],
    ["a window function", { windowFunctions: 1 }],
    ["a CTE", { cteCount: 1 }],
    ["several aggregates with GROUP BY", { groupBy: true, aggregates: ["avg", "count"], aggregateCount: 2 }],
    ["a plain UNION", { setOperations: ["UNION"] }],
  ])("calls %s complex", (_, patch) => {
    expect(classifyComplexity(features(patch))).toBe("complex");
  });

  it.each<[string, Partial<QueryFeatures>]>([
    ["two CTEs", { cteCount: 2 }],
    ["a recursive CTE", { cteCount: 1, recursiveCte: true }],
    ["two window functions", { windowFunctions: 2 }],
    ["two set operations", { setOperations: ["UNION", "EXCEPT"] }],
    ["a set operation over joins", { setOperations: ["UNION"], joinCount: 1 }],
    ["a set operation with grouping", { setOperations: ["EXCEPT"], groupBy: true }],
    ["three complex traits", { cteCount: 1, windowFunctions: 1, joinCount: 2 }],
  ])("calls %s highly complex", (_, patch) => {
    expect(classifyComplexity(features(patch))).toBe("highly_complex");
  });

  it("aggregates without GROUP BY are not 'multiple aggregates with GROUP BY'", () => {
    expect(listComplexTraits(features({ aggregates: ["min", "max"], aggregateCount: 2 }))).toEqual([]);
  });
});
