import type { QueryFeatures } from "@/lib/queries/features";
import type { QueryShape } from "@/lib/queries/shapes";

// The shape of a query that was not generated from a template (imported from a log, written by a
// model, edited in review), read from its structural features with the taxonomy's precedence:
// cte > set > window > subquery > join > date > ratio > conditional > ranking > grouping >
// aggregation > selection. It names the closest shape of the family; the coverage matrix counts it.

function has(sql: string, pattern: RegExp): boolean {
  return pattern.test(sql.replace(/'(?:[^']|'')*'/g, "''"));
}

export function classifyShape(f: QueryFeatures, sql: string): QueryShape {
  const joins = f.joinCount;
  if (f.cteCount > 0) {
    if (f.recursiveCte) return "recursive_cte";
    if (f.cteCount > 1) return "multi_cte";
    return joins > 0 ? "cte_join" : "cte";
  }
  if (f.setOperations.length > 0) {
    const op = f.setOperations[0]!.toUpperCase();
    if (op.startsWith("EXCEPT")) return "set_except";
    if (op.startsWith("INTERSECT")) return "set_intersect";
    return "set_union";
  }
  if (f.windowFunctions > 0) {
    if (has(sql, /\bdense_rank\s*\(/i)) return "window_dense_rank";
    if (has(sql, /\b(rank|row_number)\s*\(/i)) return "window_rank";
    if (has(sql, /\bsum\s*\([^)]*\)\s*over\s*\([^)]*order\s+by/i)) return "window_running_total";
    return "window_share";
  }
  if (f.subqueryCount > 0) {
    if (has(sql, /\bnot\s+exists\s*\(/i) || has(sql, /\bnot\s+in\s*\(\s*select\b/i)) return "not_exists";
    if (has(sql, /\bexists\s*\(/i)) return "exists_subquery";
    if (has(sql, /\bin\s*\(\s*select\b/i)) return "in_subquery";
    if (has(sql, /\bfrom\s*\(\s*select\b/i)) return "derived_table";
    if (has(sql, /=\s*\(\s*select\s+(max|min)\s*\(/i)) return "subquery_extreme";
    if (has(sql, /\b(avg)\s*\(/i) && has(sql, /[<>]=?\s*\(\s*select\b/i)) return "subquery_above_average";
    if (has(sql, /^\s*select\b[^]*?\(\s*select\b[^]*?\bfrom\b/i) && !has(sql, /\bwhere\b[^]*\(\s*select\b/i)) return "scalar_subquery_select";
    return "correlated_subquery";
  }
  if (joins > 0) {
    if (f.selfJoin) return "join_self";
    if (has(sql, /\bleft\s+(outer\s+)?join\b/i) && has(sql, /\bis\s+null\b/i)) return "join_anti";
    if (joins >= 3) return "join_three";
    if (joins === 2) return f.groupBy ? "join_chain" : "join_path";
    if (f.groupBy) return f.aggregates.some((a) => a !== "count") ? "join_group_aggregate" : "join_group_count";
    return "join_filter";
  }
  if (f.dateFunctions.length > 0) {
    if (f.dateFunctions.includes("date_trunc")) return "date_bucket";
    if (f.groupBy) return "date_year_group";
    return f.dateFunctions.some((d) => d === "year" || d === "extract" || d === "date_part") ? "date_year_filter" : "date_filter";
  }
  if (has(sql, /\/\s*(nullif\s*\(|count\s*\(|sum\s*\(|\d)/i) && f.aggregates.length > 0) return f.groupBy ? "ratio_per_group" : "ratio";
  if (f.caseWhen) return f.aggregates.length > 0 ? "case_pivot" : "case_label";
  if (f.topLevel.orderBy.length > 0 && f.topLevel.limit) {
    if (f.groupBy) return f.aggregates.some((a) => a !== "count") ? "group_aggregate_top" : "group_count_top";
    return "top_k";
  }
  if (f.groupBy) {
    if (f.having) return "group_having";
    if (f.aggregateCount > 1) return "multi_aggregate_group";
    return f.aggregates.some((a) => a !== "count") ? "group_aggregate" : "group_count";
  }
  if (f.aggregates.length > 0) {
    if (has(sql, /\bcount\s*\(\s*distinct\b/i)) return "count_distinct";
    if (f.aggregates.every((a) => a === "min" || a === "max")) return "min_max";
    if (f.aggregates.every((a) => a === "count") && f.whereConditionCount === 0) return "count_rows";
    if (f.aggregates.every((a) => a === "count")) return selectionShape(f, sql);
    return "aggregate";
  }
  if (f.distinct && f.whereConditionCount === 0) return "distinct_values";
  return selectionShape(f, sql);
}

function selectionShape(f: QueryFeatures, sql: string): QueryShape {
  if (f.whereConditionCount > 1) return "filter_compound";
  if (has(sql, /\bis\s+not\s+null\b/i)) return "filter_is_not_null";
  if (has(sql, /\bis\s+null\b/i)) return "filter_is_null";
  if (f.like) return /\blike\s+'%/i.test(sql) ? "filter_like_contains" : "filter_like_prefix";
  if (f.inList) return "filter_in_list";
  if (f.between) return "filter_range";
  if (has(sql, /<>|!=/)) return "filter_not_equals";
  if (has(sql, /[<>]=?/)) return "filter_compare";
  return "filter_equals";
}
