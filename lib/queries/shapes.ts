// The query shapes the template generator covers: a mutually exclusive, collectively exhaustive
// taxonomy of the ways of asking a relational database a question. Every shape belongs to one
// family, named after the construct that defines it; when a query uses several constructs, the
// family is the first of this precedence that applies:
//   cte > set > window > subquery > join > date > ratio > conditional > ranking > grouping >
//   aggregation > selection
// (a CTE that ranks with a window is a CTE shape, and so is a recursive one despite its UNION; a
// join that groups is a join shape; a percentage computed with CASE is a ratio). One exception is
// decided by the question, not the syntax: a COUNT(*) of the rows a predicate picks is a
// selection, because the predicate is the point. Each shape has one complexity level (OmniSQL's,
// see complexity.ts), the one analyzeSql classifies for every query of that shape.
// Shape ids are stored with each query: never rename one.
import type { Complexity } from "@/lib/queries/complexity";

export const QUERY_SHAPES = [
  "count_rows",
  "filter_equals",
  "filter_compare",
  "filter_range",
  "filter_like_prefix",
  "distinct_values",
  "aggregate",
  "group_count_top",
  "group_having",
  "multi_aggregate_group",
  "top_k",
  "join_filter",
  "join_group_count",
  "join_chain",
  "subquery_above_average",
  "in_subquery",
  "not_exists",
  "cte",
  "multi_cte",
  "window_rank",
  "case_bucket",
  "ratio",
  "set_union",
  "set_except",
  "set_intersect",
  "date_filter",
  "date_year_filter",
  "date_year_group",
  "filter_not_equals",
  "filter_in_list",
  "filter_like_contains",
  "filter_is_null",
  "filter_is_not_null",
  "filter_compound",
  "count_distinct",
  "min_max",
  "group_count",
  "group_aggregate",
  "group_aggregate_top",
  "join_group_aggregate",
  "join_path",
  "join_three",
  "join_self",
  "join_anti",
  "exists_subquery",
  "correlated_subquery",
  "scalar_subquery_select",
  "subquery_extreme",
  "derived_table",
  "cte_join",
  "recursive_cte",
  "window_running_total",
  "window_share",
  "window_dense_rank",
  "date_bucket",
  "date_range",
  "case_pivot",
  "case_label",
  "ratio_per_group",
  "ratio_of_sums",
] as const;

export type QueryShape = (typeof QUERY_SHAPES)[number];

export const SHAPE_FAMILY_NAMES = [
  "selection",
  "aggregation",
  "grouping",
  "ranking",
  "join",
  "subquery",
  "set",
  "cte",
  "window",
  "date",
  "conditional",
  "ratio",
] as const;

export type ShapeFamily = (typeof SHAPE_FAMILY_NAMES)[number];

export interface ShapeInfo {
  family: ShapeFamily;
  /** A few words for the coverage matrix. */
  label: string;
  /** What every query of the shape does, precise enough to tell it from its neighbours. */
  description: string;
  /** The level analyzeSql classifies every query of this shape at. */
  complexity: Complexity;
}

export const SHAPE_FAMILIES: Record<QueryShape, ShapeInfo> = {
  filter_equals: {
    family: "selection",
    label: "Equality filter",
    description: "Rows of one table whose column equals a value (col = 'v').",
    complexity: "simple",
  },
  filter_not_equals: {
    family: "selection",
    label: "Inequality filter",
    description: "How many rows have a column different from a value (col <> 'v').",
    complexity: "simple",
  },
  filter_compare: {
    family: "selection",
    label: "Comparison filter",
    description: "How many rows have a number above or below a value (col < n, col > n).",
    complexity: "simple",
  },
  filter_range: {
    family: "selection",
    label: "Range filter",
    description: "Rows whose number lies between two values (BETWEEN).",
    complexity: "moderate",
  },
  filter_in_list: {
    family: "selection",
    label: "IN list",
    description: "Rows whose column is one of a few listed values (IN ('a', 'b')).",
    complexity: "moderate",
  },
  filter_like_prefix: {
    family: "selection",
    label: "Prefix match",
    description: "Rows whose text starts with a prefix (LIKE 'ab%').",
    complexity: "moderate",
  },
  filter_like_contains: {
    family: "selection",
    label: "Substring match",
    description: "Rows whose text contains a substring (LIKE '%ab%').",
    complexity: "moderate",
  },
  filter_is_null: {
    family: "selection",
    label: "Missing value",
    description: "How many rows lack a value (IS NULL).",
    complexity: "simple",
  },
  filter_is_not_null: {
    family: "selection",
    label: "Present value",
    description: "How many rows have a value (IS NOT NULL).",
    complexity: "simple",
  },
  filter_compound: {
    family: "selection",
    label: "Compound filter",
    description: "Rows picked by two predicates joined with AND or OR.",
    complexity: "simple",
  },
  distinct_values: {
    family: "selection",
    label: "Distinct values",
    description: "The distinct values of a column (SELECT DISTINCT), optionally filtered.",
    complexity: "simple",
  },
  count_rows: {
    family: "aggregation",
    label: "Row count",
    description: "COUNT(*) of a whole table.",
    complexity: "simple",
  },
  count_distinct: {
    family: "aggregation",
    label: "Distinct count",
    description: "COUNT(DISTINCT col), optionally over the rows matching a value.",
    complexity: "simple",
  },
  aggregate: {
    family: "aggregation",
    label: "Single aggregate",
    description: "One SUM, AVG, MIN or MAX of a number, optionally over the rows matching a value.",
    complexity: "simple",
  },
  min_max: {
    family: "aggregation",
    label: "Several aggregates",
    description: "MIN and MAX (and AVG) of a number in one row, optionally over the rows matching a value.",
    complexity: "simple",
  },
  group_count: {
    family: "grouping",
    label: "Count per group",
    description: "COUNT(*) per value of a column (GROUP BY), every group returned.",
    complexity: "moderate",
  },
  group_aggregate: {
    family: "grouping",
    label: "Aggregate per group",
    description: "One SUM, AVG, MIN or MAX of a number per value of a column.",
    complexity: "moderate",
  },
  group_having: {
    family: "grouping",
    label: "GROUP BY with HAVING",
    description: "Groups kept by a condition on their count or aggregate (HAVING).",
    complexity: "moderate",
  },
  multi_aggregate_group: {
    family: "grouping",
    label: "Several aggregates per group",
    description: "A count and two aggregates of a number per value of a column.",
    complexity: "complex",
  },
  top_k: {
    family: "ranking",
    label: "Top-k rows",
    description: "The k rows with the highest or lowest number, ordered to a unique key (ORDER BY … LIMIT k).",
    complexity: "simple",
  },
  group_count_top: {
    family: "ranking",
    label: "Top-k groups by count",
    description: "The k values of a column with the most (or fewest) rows.",
    complexity: "moderate",
  },
  group_aggregate_top: {
    family: "ranking",
    label: "Top-k groups by aggregate",
    description: "The k values of a column with the highest or lowest SUM/AVG/MIN/MAX of a number.",
    complexity: "moderate",
  },
  join_filter: {
    family: "join",
    label: "Join with a filter",
    description: "Rows (or their count) filtered on a column of the table a foreign key points to (1 hop).",
    complexity: "moderate",
  },
  join_group_count: {
    family: "join",
    label: "Join, count per parent",
    description: "The k referenced rows with the most referencing rows (1 hop, GROUP BY, ORDER BY … LIMIT k).",
    complexity: "moderate",
  },
  join_group_aggregate: {
    family: "join",
    label: "Join, aggregate per parent group",
    description: "An aggregate of the referencing rows per value of a column of the referenced table (1 hop).",
    complexity: "moderate",
  },
  join_chain: {
    family: "join",
    label: "Two foreign keys of one table",
    description: "Rows joined to two tables through two of their own foreign keys (a star, 2 joins).",
    complexity: "complex",
  },
  join_path: {
    family: "join",
    label: "Two-hop join",
    description: "Rows joined to a table two foreign keys away (child → parent → grandparent).",
    complexity: "complex",
  },
  join_three: {
    family: "join",
    label: "Three joins",
    description: "Rows joined along three foreign keys (a path or a tree), filtered on the joined tables.",
    complexity: "complex",
  },
  join_self: {
    family: "join",
    label: "Self join",
    description: "A table joined twice: two foreign keys to one table, or a foreign key to its own table.",
    complexity: "complex",
  },
  join_anti: {
    family: "join",
    label: "Anti-join",
    description: "Referenced rows without any referencing row (LEFT JOIN … WHERE child key IS NULL).",
    complexity: "moderate",
  },
  subquery_above_average: {
    family: "subquery",
    label: "Compared with the average",
    description: "Rows above or below the table's average of a number (scalar subquery in WHERE).",
    complexity: "moderate",
  },
  subquery_extreme: {
    family: "subquery",
    label: "Rows at the extreme",
    description: "Every row holding the maximum or minimum of a number (= (SELECT max(…))), ties included.",
    complexity: "moderate",
  },
  in_subquery: {
    family: "subquery",
    label: "IN subquery",
    description: "Referenced rows whose key is IN the foreign keys of (some) referencing rows.",
    complexity: "moderate",
  },
  exists_subquery: {
    family: "subquery",
    label: "EXISTS",
    description: "Referenced rows for which a matching referencing row EXISTS (correlated).",
    complexity: "moderate",
  },
  not_exists: {
    family: "subquery",
    label: "NOT EXISTS",
    description: "Referenced rows (or their count) for which NOT EXISTS a referencing row.",
    complexity: "moderate",
  },
  correlated_subquery: {
    family: "subquery",
    label: "Correlated subquery",
    description: "Rows compared with an aggregate over the rows of their own group (correlated WHERE subquery).",
    complexity: "moderate",
  },
  scalar_subquery_select: {
    family: "subquery",
    label: "Subquery in SELECT",
    description: "Each row with a correlated count of its referencing rows computed in the select list.",
    complexity: "moderate",
  },
  derived_table: {
    family: "subquery",
    label: "Aggregate of aggregates",
    description: "An aggregate over per-group counts computed in a FROM subquery (derived table).",
    complexity: "complex",
  },
  set_union: {
    family: "set",
    label: "UNION",
    description: "Values found in either of two queries (UNION).",
    complexity: "complex",
  },
  set_except: {
    family: "set",
    label: "EXCEPT",
    description: "Values found by one query but not another (EXCEPT).",
    complexity: "complex",
  },
  set_intersect: {
    family: "set",
    label: "INTERSECT",
    description: "Values found by both of two queries (INTERSECT).",
    complexity: "complex",
  },
  cte: {
    family: "cte",
    label: "CTE",
    description: "Per-group aggregates computed in one WITH clause, then the top k of them.",
    complexity: "complex",
  },
  cte_join: {
    family: "cte",
    label: "CTE joined back",
    description: "Per-parent aggregates computed in a WITH clause and joined back to the parent table, top k.",
    complexity: "complex",
  },
  multi_cte: {
    family: "cte",
    label: "Several CTEs",
    description: "Two chained WITH clauses (aggregate, then rank) to find the top parent per group.",
    complexity: "highly_complex",
  },
  recursive_cte: {
    family: "cte",
    label: "Recursive CTE",
    description: "A hierarchy walked through a self-referencing foreign key (WITH RECURSIVE).",
    complexity: "highly_complex",
  },
  window_rank: {
    family: "window",
    label: "Top row per group",
    description: "The row with the highest or lowest number in each group (rank() OVER (PARTITION BY …)).",
    complexity: "complex",
  },
  window_dense_rank: {
    family: "window",
    label: "Ranking rows",
    description: "Rows with their dense rank by a number, ties sharing a rank (dense_rank() OVER (ORDER BY …)).",
    complexity: "complex",
  },
  window_running_total: {
    family: "window",
    label: "Running total",
    description: "A cumulative sum of a number in a total order (sum() OVER (ORDER BY …)).",
    complexity: "complex",
  },
  window_share: {
    family: "window",
    label: "Share of total",
    description: "Each group's count or sum with its percentage of the total (sum(…) OVER ()).",
    complexity: "complex",
  },
  date_filter: {
    family: "date",
    label: "Date comparison",
    description: "How many rows fall before or after a date.",
    complexity: "simple",
  },
  date_range: {
    family: "date",
    label: "Date range",
    description: "Rows (or their count) dated between two dates (BETWEEN DATE … AND DATE …).",
    complexity: "moderate",
  },
  date_year_filter: {
    family: "date",
    label: "Year filter",
    description: "Rows dated in a given year (extract(year …) = y).",
    complexity: "simple",
  },
  date_year_group: {
    family: "date",
    label: "Count per year",
    description: "COUNT(*) per year of a date, in year order (extract(year …)).",
    complexity: "moderate",
  },
  date_bucket: {
    family: "date",
    label: "Date buckets",
    description: "A count or aggregate per month or year (date_trunc), in date order.",
    complexity: "moderate",
  },
  case_bucket: {
    family: "conditional",
    label: "CASE bands",
    description: "Rows counted per band of a number defined with CASE WHEN.",
    complexity: "moderate",
  },
  case_label: {
    family: "conditional",
    label: "CASE label per row",
    description: "Each row labelled by a CASE WHEN on a number.",
    complexity: "moderate",
  },
  case_pivot: {
    family: "conditional",
    label: "Conditional count per group",
    description: "Per group, how many rows meet a condition (sum(CASE WHEN … THEN 1 ELSE 0 END)), zero included.",
    complexity: "moderate",
  },
  ratio: {
    family: "ratio",
    label: "Percentage of rows",
    description: "The percentage of all rows that match a value.",
    complexity: "moderate",
  },
  ratio_of_sums: {
    family: "ratio",
    label: "Percentage of a total",
    description: "The percentage of the total of a number contributed by the rows matching a value.",
    complexity: "moderate",
  },
  ratio_per_group: {
    family: "ratio",
    label: "Percentage per group",
    description: "Per group, the percentage of its rows that meet a condition.",
    complexity: "complex",
  },
};

/** The shapes of a family, in QUERY_SHAPES order. */
export function listShapesOfFamily(family: ShapeFamily): QueryShape[] {
  return QUERY_SHAPES.filter((s) => SHAPE_FAMILIES[s].family === family);
}
