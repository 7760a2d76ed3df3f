// Whether a model's answer holds SQL at all (pure): "no SQL" is its own error class.

const SQL_KEYWORDS = new Set([
  "SELECT", "WITH", "FROM", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE",
  "PRAGMA", "SET", "RESET", "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD", "CALL", "EXPORT", "IMPORT", "DESCRIBE", "SHOW",
  "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT", "USE", "CHECKPOINT", "VACUUM", "BEGIN", "COMMIT", "ROLLBACK", "GRANT", "ANALYZE",
]);

/**
 * Whether the answer holds SQL. extractSql falls back to the whole answer when it finds no query,
 * so prose ("I cannot answer that") is told apart here: a fenced ```sql block or an <sql> tag is
 * SQL whatever it says (a typo there is a syntax error); otherwise the text must start like a
 * statement (a statement that is not a query is refused by execution, not counted as "no SQL").
 */
export function holdsSql(answer: string, sql: string): boolean {
  if (!sql.trim()) return false;
  if (/```[ \t]*(sql|duckdb|postgresql)\b/i.test(answer) || /<sql>/i.test(answer)) return true;
  const body = sql.replace(/^(\s|\(|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/, "");
  const first = /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase() ?? "";
  // A misspelt SELECT ("SELEC", "SELCET") is a query with a syntax error, not prose.
  return SQL_KEYWORDS.has(first) || withinOneEdit(first, "SELECT");
}

/** Levenshtein distance ≤ 1, or one swap of neighbouring letters. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
