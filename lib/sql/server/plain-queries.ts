import "server-only";

// SQL texts DuckDB's parser has already read as one plain SELECT (json_serialize_sql accepted
// them), remembered per process so a query analysed when it was stored, then executed on the
// sandbox and on each test-suite variant, is parsed for that check once, not six times. The
// check is a pure function of the text, so remembering it changes no outcome. Bounded: the
// oldest entries leave first.

const MAX_ENTRIES = 50_000;
const known = new Set<string>();

export function rememberPlainQuery(sql: string): void {
  if (known.has(sql)) return;
  if (known.size >= MAX_ENTRIES) {
    const oldest = known.values().next().value;
    if (oldest !== undefined) known.delete(oldest);
  }
  known.add(sql);
}

export function isKnownPlainQuery(sql: string): boolean {
  return known.has(sql);
}
