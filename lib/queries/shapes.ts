// The query shapes the template generator covers. Each shape is one way of asking a database a
// question; together they span filters, aggregates, grouping, top-k, joins, subqueries, CTEs,
// windows, CASE, ratios, set operations and dates.

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
] as const;

export type QueryShape = (typeof QUERY_SHAPES)[number];
