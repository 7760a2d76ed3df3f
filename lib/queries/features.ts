// Structural features of one SELECT query, read from its parse tree (see server/analyze.ts).
// Pure data: complexity classification, linting, dedup and dataset stratification all read it.

/** One key of the outermost ORDER BY. */
export interface OrderKey {
  /** Column name (last part, lower case), select alias, or the expression's skeleton. */
  key: string;
  direction: "asc" | "desc";
  /** NULLS FIRST / NULLS LAST written explicitly. */
  nullsExplicit: boolean;
}

/** What the outermost query block returns and how it is ordered (for a set operation: its own modifiers, select list of its first branch). */
export interface TopLevelShape {
  orderBy: OrderKey[];
  limit: boolean;
  /** GROUP BY keys (same naming as OrderKey.key); empty when not grouped. */
  groupBy: string[];
  /** Output column keys: alias when given, else column name, else skeleton. */
  select: string[];
  /** Aggregates without GROUP BY and no set operation: exactly one row comes back. */
  singleRow: boolean;
  distinct: boolean;
}

export interface QueryFeatures {
  /** Base tables referenced anywhere (CTE names excluded), first spelling kept, sorted. */
  tables: string[];
  joinCount: number;
  /** Some base table appears twice in one FROM clause. */
  selfJoin: boolean;
  /** Aggregate function names used, unique and sorted (count(*) is "count"). */
  aggregates: string[];
  /** Distinct aggregate calls (the same call written twice, e.g. in SELECT and HAVING, counts once). */
  aggregateCount: number;
  groupBy: boolean;
  having: boolean;
  /** An ORDER BY clause anywhere (function-level ORDER BY inside aggregates is not counted). */
  orderBy: boolean;
  limit: boolean;
  distinct: boolean;
  /** Subquery expressions plus derived tables in FROM (CTE bodies are not counted). */
  subqueryCount: number;
  /** 0 without subqueries, 1 for a subquery in the main query, 2 for a subquery inside that, ... */
  maxSubqueryDepth: number;
  /** "UNION", "UNION ALL", "EXCEPT", "INTERSECT" ... one entry per operation. */
  setOperations: string[];
  cteCount: number;
  recursiveCte: boolean;
  /** Window function calls. */
  windowFunctions: number;
  caseWhen: boolean;
  like: boolean;
  between: boolean;
  /** IN / NOT IN over a literal list (IN over a subquery counts as a subquery). */
  inList: boolean;
  /** Date/time function names used, unique and sorted. */
  dateFunctions: string[];
  /** All function names called (operators excluded), unique, lower case, sorted. */
  functions: string[];
  /** Columns in the outermost select list (a star counts as one). */
  selectColumnCount: number;
  /** Atomic predicates in the outermost WHERE (summed over a set operation's branches). */
  whereConditionCount: number;
  /** The outermost select list has a star. */
  selectStar: boolean;
  /** LIMITs in nested blocks (subqueries, CTEs, set operation branches) whose block has no ORDER BY. */
  unorderedNestedLimits: number;
  topLevel: TopLevelShape;
}

export function createEmptyFeatures(): QueryFeatures {
  return {
    tables: [],
    joinCount: 0,
    selfJoin: false,
    aggregates: [],
    aggregateCount: 0,
    groupBy: false,
    having: false,
    orderBy: false,
    limit: false,
    distinct: false,
    subqueryCount: 0,
    maxSubqueryDepth: 0,
    setOperations: [],
    cteCount: 0,
    recursiveCte: false,
    windowFunctions: 0,
    caseWhen: false,
    like: false,
    between: false,
    inList: false,
    dateFunctions: [],
    functions: [],
    selectColumnCount: 0,
    whereConditionCount: 0,
    selectStar: false,
    unorderedNestedLimits: 0,
    topLevel: { orderBy: [], limit: false, groupBy: [], select: [], singleRow: false, distinct: false },
  };
}

/**
 * The base tables a stored QueryFeatures (JSON text, or already parsed) says the SQL reads, unique,
 * in their stored order. Unreadable or older payloads read as no tables, never as an error: callers
 * use this for reports, prompts and filters, where a missing table list only narrows what is shown.
 */
export function tablesRead(features: unknown): string[] {
  let parsed: unknown = features;
  if (typeof features === "string") {
    try {
      parsed = JSON.parse(features);
    } catch {
      return [];
    }
  }
  const tables = (parsed as { tables?: unknown } | null)?.tables;
  return Array.isArray(tables) ? [...new Set(tables.filter((t): t is string => typeof t === "string"))] : [];
}
