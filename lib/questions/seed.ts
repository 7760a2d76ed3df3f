// What a question writer needs to phrase one generated query: its shape plus named slots, with
// every table and column already turned into words ("source_airport_id" → "source airport").
import type { QueryShape } from "@/lib/queries/shapes";

export type SlotValue = string | number | boolean;
export type AggregateName = "avg" | "min" | "max" | "sum";
export type ComparisonOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** One predicate, in words: `column` already names the path to it ("airline's country"). */
export interface QuestionCondition {
  column: string;
  op: ComparisonOp;
  value: SlotValue;
}

export interface QuestionBucket {
  label: string;
  /** Upper bound (exclusive); absent for the last bucket. */
  below?: number;
}

export interface QuestionSeed {
  kind: QueryShape;
  /** The rows the question is about, plural ("routes"). */
  entity: string;
  /** The measured, compared or listed column ("altitude"). */
  column?: string;
  /** The column shown to identify each row ("name"). */
  label?: string;
  /** The column rows are filtered or grouped on ("country"). */
  groupColumn?: string;
  /** Filter value exactly as written in the SQL (strings unquoted). */
  value?: SlotValue;
  low?: number;
  high?: number;
  prefix?: string;
  agg?: AggregateName;
  k?: number;
  threshold?: number;
  direction?: "asc" | "desc";
  /** A related table, plural ("airlines"). */
  parent?: string;
  /** The role the related row plays for the entity ("source airport"), from the foreign key name. */
  via?: string;
  /** A second related table (plural) and its role, for two-join questions. */
  other?: string;
  otherVia?: string;
  otherLabel?: string;
  year?: number;
  date?: string;
  buckets?: QuestionBucket[];
  /** Values of an IN list, in SQL order. */
  values?: SlotValue[];
  /** Text a LIKE '%…%' looks for. */
  substring?: string;
  /** Further predicates on the rows, in SQL order, joined with `connector` (default "and"). */
  conditions?: QuestionCondition[];
  connector?: "and" | "or";
  /** Several aggregates of `column`, in SQL order. */
  aggs?: AggregateName[];
  /** The aggregated number when `column` names a date ("total amount"). */
  measure?: string;
  /** Date bucket of date_trunc. */
  unit?: "month" | "year";
  /** Last day of a date range (`date` is the first). */
  endDate?: string;
  /** Self join on one column: both sides equal or different. */
  compare?: "same" | "different";
  /** What a running total or a listing is ordered by, in words ("id", "ordered at"). */
  orderColumn?: string;
  /** Every literal in the SQL the question must state verbatim so it can be answered. */
  literals: string[];
}
