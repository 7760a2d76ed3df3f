// Quoting for identifiers and literals in SQL the studio writes itself (never for user SQL).

const KEYWORDS = new Set(
  (
    "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create default " +
    "deferrable desc describe distinct do else end except false fetch for foreign from group having in initially " +
    "intersect into lambda lateral leading limit not null offset on only or order pivot pivot_longer pivot_wider placing " +
    "primary qualify references returning select show some summarize symmetric table then to trailing true union unique " +
    "unpivot using variadic when where window with anti asof at authorization binary by collation columns concurrently " +
    "cross freeze full generated glob ilike inner is isnull join left like map natural notnull outer overlaps positional " +
    "right semi similar struct tablesample try_cast unpack verbose between bigint bit boolean char character coalesce dec " +
    "decimal exists extract float grouping grouping_id inout int integer interval national nchar none nullif numeric out " +
    "overlay position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes " +
    "xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable"
  ).split(" "),
);

/** A word DuckDB would not read as a bare identifier everywhere. */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toLowerCase());
}

/** Quote an identifier only when it needs it (not lower-case snake case, or a keyword). */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL literal; strings have single quotes doubled. */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a SQL literal.`);
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}
