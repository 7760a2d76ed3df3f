// Reads the parse tree DuckDB's json_serialize_sql returns for one SELECT statement and turns it
// into QueryFeatures plus a structural template (names and literals replaced by placeholders).
// Pure: server/analyze.ts does the parsing. The JSON format is DuckDB-internal and pinned with
// the DuckDB version; unknown node kinds are still walked so their subqueries and functions count.
import type { OrderKey, QueryFeatures } from "@/lib/queries/features";
import { createEmptyFeatures } from "@/lib/queries/features";

// The serialized tree is untyped JSON; fields are checked where they are read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ast = any;

export interface ParseTreeSummary {
  features: QueryFeatures;
  template: string;
  /** The outermost node's own modifiers hold an ORDER BY (for a set operation, its own modifiers). */
  topLevelOrderBy: boolean;
}

export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set([
  "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "mode", "string_agg", "group_concat",
  "listagg", "list", "array_agg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
  "quantile", "quantile_cont", "quantile_disc", "percentile_cont", "percentile_disc", "approx_count_distinct",
  "approx_quantile", "bool_and", "bool_or", "every", "any_value", "first", "last", "arg_max", "arg_min",
  "argmax", "argmin", "max_by", "min_by", "product", "fsum", "sumkahan", "kahan_sum", "corr", "covar_pop",
  "covar_samp", "entropy", "kurtosis", "skewness", "histogram", "bit_and", "bit_or", "bit_xor", "favg",
  "regr_slope", "regr_intercept", "regr_count", "regr_r2", "geomean", "geometric_mean", "mad",
]);

export const DATE_FUNCTIONS: ReadonlySet<string> = new Set([
  "date_part", "datepart", "extract", "date_trunc", "datetrunc", "date_diff", "datediff", "date_sub", "datesub",
  "date_add", "strftime", "strptime", "try_strptime", "year", "month", "day", "dayofmonth", "dayofweek",
  "dayofyear", "week", "weekofyear", "yearweek", "quarter", "hour", "minute", "second", "epoch", "epoch_ms",
  "make_date", "make_timestamp", "make_time", "to_timestamp", "age", "last_day", "dayname", "monthname",
  "isodow", "isoyear", "era", "decade", "century", "millennium", "julian", "current_date", "current_time",
  "current_timestamp", "now", "today", "get_current_time", "get_current_timestamp", "localtime",
  "localtimestamp", "time_bucket", "to_days", "to_months", "to_years", "to_hours", "to_minutes", "to_seconds",
  "date_format", "to_date", "generate_series", "range",
]);

/** Names DuckDB parses as bare column references but that are really functions. */
const KEYWORD_FUNCTIONS = new Set(["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"]);

const OPERATOR_NAMES: Record<string, string> = {
  "~~": "LIKE",
  "!~~": "NOT LIKE",
  "~~*": "ILIKE",
  "!~~*": "NOT ILIKE",
  "~~~": "GLOB",
  "!~~~": "NOT GLOB",
};
const LIKE_FUNCTIONS = new Set(["~~", "!~~", "~~*", "!~~*", "like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape"]);

const COMPARISONS: Record<string, string> = {
  COMPARE_EQUAL: "=",
  COMPARE_NOTEQUAL: "<>",
  COMPARE_LESSTHAN: "<",
  COMPARE_GREATERTHAN: ">",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHANOREQUALTO: ">=",
  COMPARE_DISTINCT_FROM: "IS DISTINCT FROM",
  COMPARE_NOT_DISTINCT_FROM: "IS NOT DISTINCT FROM",
};

/** Date-part style functions whose first argument is a keyword, kept in the template. */
const PART_ARGUMENT_FUNCTIONS = new Set(["date_part", "datepart", "date_trunc", "datetrunc", "date_diff", "datediff", "date_sub", "datesub", "time_bucket"]);

type Role = "top" | "top-branch" | "nested";

class ParseTreeReader {
  readonly f: QueryFeatures = createEmptyFeatures();
  private readonly tables = new Map<string, string>();
  private readonly cteNames = new Set<string>();
  private readonly aggregates = new Set<string>();
  private readonly dateFunctions = new Set<string>();
  private readonly functions = new Set<string>();
  private readonly aggregateCalls = new Set<string>();
  private subqueryDepth = 0;
  private readonly blockAggregates: number[] = [];
  private topSelectCaptured = false;
  topLevelOrderBy = false;

  read(root: Ast): ParseTreeSummary {
    const template = this.query(root, "top").replace(/\s+/g, " ").trim();
    this.f.tables = [...this.tables.values()].sort();
    this.f.aggregates = [...this.aggregates].sort();
    this.f.dateFunctions = [...this.dateFunctions].sort();
    this.f.functions = [...this.functions].sort();
    return { features: this.f, template, topLevelOrderBy: this.topLevelOrderBy };
  }

  private query(node: Ast, role: Role): string {
    if (!node || typeof node !== "object") return "";
    this.blockAggregates.push(0);
    try {
      const ctes = this.ctes(node.cte_map);
      let body: string;
      switch (node.type) {
        case "SELECT_NODE":
          body = this.selectNode(node, role);
          break;
        case "SET_OPERATION_NODE":
          body = this.setOperationNode(node, role);
          break;
        case "RECURSIVE_CTE_NODE":
          this.f.recursiveCte = true;
          body = `${this.query(node.left, "nested")} UNION${node.union_all ? " ALL" : ""} ${this.query(node.right, "nested")}`;
          break;
        case "CTE_NODE":
          body = `${this.query(node.query, "nested")} ${this.query(node.child, role)}`;
          break;
        default:
          body = this.generic(node);
      }
      return ctes ? `${ctes} ${body}` : body;
    } finally {
      this.blockAggregates.pop();
    }
  }

  private ctes(cteMap: Ast): string {
    const entries: Ast[] = Array.isArray(cteMap?.map) ? cteMap.map : [];
    if (entries.length === 0) return "";
    for (const entry of entries) if (typeof entry?.key === "string") this.cteNames.add(entry.key.toLowerCase());
    this.f.cteCount += entries.length;
    const recursive = entries.some((e) => e?.value?.query?.node?.type === "RECURSIVE_CTE_NODE");
    const bodies = entries.map((e) => `t AS (${this.query(e?.value?.query?.node, "nested")})`);
    return `WITH ${recursive ? "RECURSIVE " : ""}${bodies.join(", ")}`;
  }

  private selectNode(node: Ast, role: Role): string {
    const modifiers: Ast[] = Array.isArray(node.modifiers) ? node.modifiers : [];
    const distinctModifier = modifiers.find((m) => m?.type === "DISTINCT_MODIFIER");
    if (distinctModifier) this.f.distinct = true;
    const captureTop = (role === "top" || role === "top-branch") && !this.topSelectCaptured;

    const selectList: Ast[] = Array.isArray(node.select_list) ? node.select_list : [];
    const selectKeys: string[] = [];
    const items = selectList.map((e) => {
      const rendered = this.expr(e);
      if (captureTop && e?.class === "STAR") this.f.selectStar = true;
      selectKeys.push(keyOf(e, rendered));
      return rendered;
    });
    const blockAggs = this.blockAggregates[this.blockAggregates.length - 1] ?? 0;
    let distinct = "";
    if (distinctModifier) {
      const on: Ast[] = Array.isArray(distinctModifier.distinct_on_targets) ? distinctModifier.distinct_on_targets : [];
      distinct = on.length > 0 ? `DISTINCT ON (${on.map((e) => this.expr(e)).join(", ")}) ` : "DISTINCT ";
    }
    const parts = [`SELECT ${distinct}${items.join(", ")}`];

    if (node.from_table && node.from_table.type !== "EMPTY") {
      const baseTables: string[] = [];
      parts.push(`FROM ${this.tableRef(node.from_table, baseTables)}`);
      if (new Set(baseTables).size < baseTables.length) this.f.selfJoin = true;
    }
    if (node.where_clause) {
      parts.push(`WHERE ${this.expr(node.where_clause)}`);
      if (role !== "nested") this.f.whereConditionCount += countPredicates(node.where_clause);
    }
    const groups: Ast[] = Array.isArray(node.group_expressions) ? node.group_expressions : [];
    const groupKeys: string[] = [];
    if (groups.length > 0) {
      this.f.groupBy = true;
      parts.push(`GROUP BY ${groups.map((g) => {
        const rendered = this.expr(g);
        groupKeys.push(keyOf(g, rendered, selectKeys));
        return rendered;
      }).join(", ")}`);
    } else if (node.aggregate_handling === "FORCE_AGGREGATES") {
      this.f.groupBy = true;
      parts.push("GROUP BY ALL");
      groupKeys.push(...selectKeys);
    }
    if (node.having) {
      this.f.having = true;
      parts.push(`HAVING ${this.expr(node.having)}`);
    }
    if (node.qualify) parts.push(`QUALIFY ${this.expr(node.qualify)}`);
    parts.push(...this.modifiers(modifiers, role, selectKeys));

    if (captureTop) {
      this.topSelectCaptured = true;
      this.f.selectColumnCount = selectList.length;
      this.f.topLevel.select = selectKeys;
      if (role === "top") {
        this.f.topLevel.groupBy = groupKeys;
        this.f.topLevel.distinct = Boolean(distinctModifier);
        this.f.topLevel.singleRow = groupKeys.length === 0 && blockAggs > 0 && !node.qualify;
      }
    }
    return parts.join(" ");
  }

  private setOperationNode(node: Ast, role: Role): string {
    const kind = String(node.setop_type ?? "UNION").replace(/_/g, " ");
    const all = node.setop_all === true ? " ALL" : "";
    this.f.setOperations.push(`${kind}${all}`);
    const branchRole: Role = role === "nested" ? "nested" : "top-branch";
    const children: Ast[] = Array.isArray(node.children) && node.children.length > 0 ? node.children : [node.left, node.right];
    const body = children.map((c) => this.query(c, branchRole)).join(` ${kind}${all} `);
    const modifiers: Ast[] = Array.isArray(node.modifiers) ? node.modifiers : [];
    const rest = this.modifiers(modifiers, role, this.f.topLevel.select);
    return [body, ...rest].join(" ");
  }

  private modifiers(modifiers: Ast[], role: Role, selectKeys: string[]): string[] {
    const parts: string[] = [];
    const order = modifiers.find((m) => m?.type === "ORDER_MODIFIER" && Array.isArray(m.orders) && m.orders.length > 0);
    const limit = modifiers.find((m) => m?.type === "LIMIT_MODIFIER" || m?.type === "LIMIT_PERCENT_MODIFIER");
    if (order) {
      this.f.orderBy = true;
      const keys: OrderKey[] = [];
      const rendered = (order.orders as Ast[]).map((o) => {
        const text = this.expr(o.expression);
        const direction = o.type === "DESCENDING" ? "desc" : "asc";
        const nulls = o.null_order === "NULLS_FIRST" || o.null_order === "NULLS FIRST" ? " NULLS FIRST" : o.null_order === "NULLS_LAST" || o.null_order === "NULLS LAST" ? " NULLS LAST" : "";
        keys.push({ key: keyOf(o.expression, text, selectKeys), direction, nullsExplicit: nulls !== "" });
        return `${text}${direction === "desc" ? " DESC" : ""}${nulls}`;
      });
      parts.push(`ORDER BY ${rendered.join(", ")}`);
      if (role === "top") {
        this.topLevelOrderBy = true;
        this.f.topLevel.orderBy = keys;
      }
    }
    if (limit) {
      this.f.limit = true;
      if (role === "top") this.f.topLevel.limit = true;
      else if (!order) this.f.unorderedNestedLimits += 1;
      const percent = limit.type === "LIMIT_PERCENT_MODIFIER" ? "%" : "";
      const value = limit.limit ? this.limitValue(limit.limit) : "";
      const offset = limit.offset ? ` OFFSET ${this.limitValue(limit.offset)}` : "";
      parts.push(`${value ? `LIMIT ${value}${percent}` : ""}${offset}`.trim());
    }
    return parts;
  }

  private limitValue(e: Ast): string {
    return e?.class === "CONSTANT" ? "<n>" : this.expr(e);
  }

  private tableRef(ref: Ast, baseTables: string[]): string {
    if (!ref || typeof ref !== "object") return "";
    switch (ref.type) {
      case "BASE_TABLE": {
        const name = String(ref.table_name ?? "");
        const lower = name.toLowerCase();
        if (!this.cteNames.has(lower)) {
          if (!this.tables.has(lower)) this.tables.set(lower, name);
          baseTables.push(`${String(ref.schema_name ?? "").toLowerCase()}.${lower}`);
        }
        return "t";
      }
      case "JOIN": {
        this.f.joinCount += 1;
        const left = this.tableRef(ref.left, baseTables);
        const right = this.tableRef(ref.right, baseTables);
        const keyword = joinKeyword(ref);
        const using: string[] = Array.isArray(ref.using_columns) ? ref.using_columns : [];
        const condition = ref.condition ? ` ON ${this.expr(ref.condition)}` : using.length > 0 ? ` USING (${using.map(() => "col").join(", ")})` : "";
        return `${left} ${keyword} ${right}${condition}`;
      }
      case "SUBQUERY":
        return `(${this.subquery(ref.subquery?.node)})`;
      case "TABLE_FUNCTION":
        return this.expr(ref.function);
      case "EXPRESSION_LIST": {
        const rows: Ast[][] = Array.isArray(ref.values) ? ref.values : [];
        return `(VALUES ${rows.map((r) => `(${(Array.isArray(r) ? r : []).map((e) => this.expr(e)).join(", ")})`).join(", ")})`;
      }
      default:
        return this.generic(ref);
    }
  }

  private subquery(node: Ast): string {
    this.f.subqueryCount += 1;
    this.subqueryDepth += 1;
    this.f.maxSubqueryDepth = Math.max(this.f.maxSubqueryDepth, this.subqueryDepth);
    try {
      return this.query(node, "nested");
    } finally {
      this.subqueryDepth -= 1;
    }
  }

  private exprs(list: unknown): string {
    return (Array.isArray(list) ? list : []).map((e) => this.expr(e)).join(", ");
  }

  private expr(e: Ast): string {
    if (!e || typeof e !== "object") return "";
    switch (e.class) {
      case "COLUMN_REF": {
        const names: string[] = Array.isArray(e.column_names) ? e.column_names : [];
        const only = names.length === 1 ? String(names[0]).toLowerCase() : "";
        if (KEYWORD_FUNCTIONS.has(only)) {
          this.functions.add(only);
          this.dateFunctions.add(only);
          return only;
        }
        return "col";
      }
      case "CONSTANT":
        return e.value?.is_null ? "NULL" : "<v>";
      case "PARAMETER":
        return "<v>";
      case "STAR":
        return e.columns ? "COLUMNS(*)" : "*";
      case "FUNCTION":
        return this.functionCall(e);
      case "COMPARISON":
        return `${this.expr(e.left)} ${COMPARISONS[e.type] ?? e.type} ${this.expr(e.right)}`;
      case "CONJUNCTION": {
        const op = e.type === "CONJUNCTION_OR" ? "OR" : "AND";
        const children: Ast[] = Array.isArray(e.children) ? e.children : [];
        return children
          .map((c) => {
            const text = this.expr(c);
            return c?.class === "CONJUNCTION" && c.type !== e.type ? `(${text})` : text;
          })
          .join(` ${op} `);
      }
      case "OPERATOR":
        return this.operator(e);
      case "BETWEEN":
        this.f.between = true;
        return `${this.expr(e.input)} BETWEEN ${this.expr(e.lower)} AND ${this.expr(e.upper)}`;
      case "CASE": {
        this.f.caseWhen = true;
        const checks: Ast[] = Array.isArray(e.case_checks) ? e.case_checks : [];
        const whens = checks.map((c) => `WHEN ${this.expr(c.when_expr)} THEN ${this.expr(c.then_expr)}`).join(" ");
        const otherwise = e.else_expr ? ` ELSE ${this.expr(e.else_expr)}` : "";
        return `CASE ${whens}${otherwise} END`;
      }
      case "CAST": {
        if (e.child?.class === "CONSTANT") return e.child.value?.is_null ? "NULL" : "<v>";
        const type = String(e.cast_type?.id ?? "TYPE");
        return `${e.try_cast ? "TRY_CAST" : "CAST"}(${this.expr(e.child)} AS ${type})`;
      }
      case "SUBQUERY":
        return this.subqueryExpression(e);
      case "WINDOW":
        return this.windowCall(e);
      case "COLLATE":
        return `${this.expr(e.child)} COLLATE <v>`;
      case "POSITIONAL_REFERENCE":
        return "#<n>";
      default:
        return this.generic(e);
    }
  }

  private functionCall(e: Ast): string {
    const name = String(e.function_name ?? "").toLowerCase();
    const children: Ast[] = Array.isArray(e.children) ? e.children : [];
    if (LIKE_FUNCTIONS.has(name)) this.f.like = true;
    if (e.is_operator) {
      const op = OPERATOR_NAMES[name] ?? name;
      if (children.length === 1) return `${op}${this.expr(children[0])}`;
      return children.map((c) => this.expr(c)).join(` ${op} `);
    }
    this.functions.add(name === "count_star" ? "count" : name);
    if (DATE_FUNCTIONS.has(name)) this.dateFunctions.add(name);
    const filter = e.filter ? ` FILTER (WHERE ${this.expr(e.filter)})` : "";
    if (AGGREGATE_FUNCTIONS.has(name)) {
      this.aggregates.add(name === "count_star" ? "count" : name);
      // The same call repeated (count(*) in SELECT and in HAVING) is one aggregate.
      const signature = `${name}|${Boolean(e.distinct)}|${JSON.stringify(children, withoutLocations)}`;
      if (!this.aggregateCalls.has(signature)) {
        this.aggregateCalls.add(signature);
        this.f.aggregateCount += 1;
      }
      this.blockAggregates[this.blockAggregates.length - 1] += 1;
      const args = name === "count_star" ? "*" : this.exprs(children);
      return `agg(${e.distinct ? "DISTINCT " : ""}${args})${filter}`;
    }
    const args = children.map((c, i) =>
      i === 0 && PART_ARGUMENT_FUNCTIONS.has(name) && c?.class === "CONSTANT" && typeof c.value?.value === "string"
        ? `'${c.value.value.toLowerCase()}'`
        : this.expr(c),
    );
    return `${name}(${args.join(", ")})${filter}`;
  }

  private operator(e: Ast): string {
    const children: Ast[] = Array.isArray(e.children) ? e.children : [];
    switch (e.type) {
      case "OPERATOR_NOT":
        return `NOT ${this.expr(children[0])}`;
      case "OPERATOR_IS_NULL":
        return `${this.expr(children[0])} IS NULL`;
      case "OPERATOR_IS_NOT_NULL":
        return `${this.expr(children[0])} IS NOT NULL`;
      case "COMPARE_IN":
      case "COMPARE_NOT_IN": {
        const [subject, ...list] = children;
        const constants = list.every((c) => c?.class === "CONSTANT" || (c?.class === "CAST" && c.child?.class === "CONSTANT"));
        if (constants) this.f.inList = true;
        const items = constants ? "<list>" : list.map((c) => this.expr(c)).join(", ");
        return `${this.expr(subject)} ${e.type === "COMPARE_IN" ? "IN" : "NOT IN"} (${items})`;
      }
      default:
        return `${String(e.type ?? "op").toLowerCase().replace(/^operator_/, "")}(${children.map((c) => this.expr(c)).join(", ")})`;
    }
  }

  private subqueryExpression(e: Ast): string {
    const inner = this.subquery(e.subquery?.node);
    switch (e.subquery_type) {
      case "EXISTS":
        return `EXISTS (${inner})`;
      case "NOT_EXISTS":
        return `NOT EXISTS (${inner})`;
      case "ANY":
        return e.comparison_type === "COMPARE_EQUAL"
          ? `${this.expr(e.child)} IN (${inner})`
          : `${this.expr(e.child)} ${COMPARISONS[e.comparison_type] ?? "="} ANY (${inner})`;
      case "ALL":
        return `${this.expr(e.child)} ${COMPARISONS[e.comparison_type] ?? "="} ALL (${inner})`;
      default:
        return `(${inner})`;
    }
  }

  private windowCall(e: Ast): string {
    this.f.windowFunctions += 1;
    const name = String(e.function_name ?? e.type ?? "window").toLowerCase();
    this.functions.add(name);
    const args = [e.children, e.offset_expr ? [e.offset_expr] : [], e.default_expr ? [e.default_expr] : []]
      .flat()
      .filter(Boolean)
      .map((c: Ast) => this.expr(c))
      .join(", ");
    const fn = AGGREGATE_FUNCTIONS.has(name) ? "agg" : name;
    const partitions: Ast[] = Array.isArray(e.partitions) ? e.partitions : [];
    const orders: Ast[] = Array.isArray(e.orders) ? e.orders : [];
    const over = [
      partitions.length > 0 ? `PARTITION BY ${partitions.map((p) => this.expr(p)).join(", ")}` : "",
      orders.length > 0 ? `ORDER BY ${orders.map((o) => `${this.expr(o.expression)}${o.type === "DESCENDING" ? " DESC" : ""}`).join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    const filter = e.filter_expr ? ` FILTER (WHERE ${this.expr(e.filter_expr)})` : "";
    return `${fn}(${args})${filter} OVER (${over})`;
  }

  /** Unknown node kinds: still visit what they contain so features are counted. */
  private generic(node: Ast): string {
    const inner: string[] = [];
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === "value" || key === "type") continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (!child || typeof child !== "object") continue;
        const c = child as Ast;
        if (typeof c.class === "string") inner.push(this.expr(c));
        else if (c.node && typeof c.node === "object") inner.push(`(${this.subquery(c.node)})`);
        else if (typeof c.type === "string" && ("select_list" in c || "setop_type" in c)) inner.push(`(${this.subquery(c)})`);
        else if (typeof c.type === "string" && ("table_name" in c || "left" in c)) inner.push(this.tableRef(c, []));
      }
    }
    const label = String(node.class ?? node.type ?? "node").toLowerCase();
    return `${label}(${inner.join(", ")})`;
  }
}

function joinKeyword(ref: Ast): string {
  switch (ref.ref_type) {
    case "CROSS":
      return "CROSS JOIN";
    case "NATURAL":
      return "NATURAL JOIN";
    case "ASOF":
      return "ASOF JOIN";
    case "POSITIONAL":
      return "POSITIONAL JOIN";
  }
  switch (ref.join_type) {
    case "LEFT":
      return "LEFT JOIN";
    case "RIGHT":
      return "RIGHT JOIN";
    case "OUTER":
      return "FULL JOIN";
    case "SEMI":
      return "SEMI JOIN";
    case "ANTI":
      return "ANTI JOIN";
    default:
      return "JOIN";
  }
}

/** How an output or ordering expression is named: alias, else column name, else its skeleton. */
function keyOf(e: Ast, rendered: string, selectKeys?: string[]): string {
  if (typeof e?.alias === "string" && e.alias !== "") return e.alias.toLowerCase();
  if (e?.class === "COLUMN_REF" && Array.isArray(e.column_names) && e.column_names.length > 0) {
    return String(e.column_names[e.column_names.length - 1]).toLowerCase();
  }
  // ORDER BY 2 / GROUP BY 1 refer to select list positions.
  if (selectKeys && e?.class === "CONSTANT" && typeof e.value?.value === "number") {
    const key = selectKeys[e.value.value - 1];
    if (key) return key;
  }
  return rendered;
}

function withoutLocations(key: string, value: unknown): unknown {
  return key === "query_location" ? undefined : value;
}

function countPredicates(e: Ast): number {
  if (e?.class === "CONJUNCTION" && Array.isArray(e.children)) {
    return (e.children as Ast[]).reduce((sum: number, c) => sum + countPredicates(c), 0);
  }
  return 1;
}

/** Summarize one serialized statement node (`statements[i].node`). */
export function summarizeParseTree(node: unknown): ParseTreeSummary {
  return new ParseTreeReader().read(node);
}
