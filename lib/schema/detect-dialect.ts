import type { SourceDialect } from "@/lib/schema/model";
import { stripSqlComments } from "@/lib/schema/split-sql";

// Guesses the dialect of pasted DDL from telltales each dialect has and the others lack. The
// user can always choose the dialect explicitly; this only picks the default.

const TELLTALES: Record<Exclude<SourceDialect, "duckdb">, RegExp[]> = {
  mysql: [/`/, /\bENGINE\s*=/i, /\bAUTO_INCREMENT\b/i, /\bDEFAULT\s+CHARSET\b/i, /\bUNSIGNED\b/i, /\bCOLLATE\s*=/i, /^\s*(UN)?LOCK\s+TABLES\b/im, /\b(TINY|MEDIUM|LONG)(TEXT|BLOB)\b/i, /\b(?!AS\b)\w+\s+ENUM\s*\(/i],
  postgres: [/\b(BIG|SMALL)?SERIAL\b/i, /::\s*[a-z_]/i, /\bCREATE\s+TYPE\s+\S+\s+AS\s+ENUM\b/i, /\bCOMMENT\s+ON\s+(TABLE|COLUMN)\b/i, /\bpublic\s*\.\s*\S/i, /\bTIMESTAMPTZ\b|\bWITH\s+TIME\s+ZONE\b/i, /\bBYTEA\b|\bJSONB\b/i, /\bpg_catalog\b/i, /\bCHARACTER\s+VARYING\b/i, /\bOWNER\s+TO\b/i],
  sqlite: [/\bAUTOINCREMENT\b/i, /\bWITHOUT\s+ROWID\b/i, /\)\s*STRICT\b/i, /\bPRAGMA\b/i],
};

/** DuckDB-only spellings; PostgreSQL DDL that uses them does not parse in PostgreSQL. */
const DUCKDB_ONLY: RegExp[] = [/\bDOUBLE\b(?!\s+PRECISION)/i, /\b(UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT)\b/i, /\b(STRUCT|MAP|UNION)\s*\(/i, /\bCREATE\s+OR\s+REPLACE\s+TABLE\b/i];

/** The most likely dialect of a DDL script; DuckDB when nothing points elsewhere. */
export function detectDialect(ddl: string): SourceDialect {
  // Telltales inside comments or strings do not count; a quick pass over the first 200 kB is enough.
  const text = stripSqlComments(ddl.length > 200_000 ? ddl.slice(0, 200_000) : ddl).replace(/'(?:[^'\\]|''|\\.)*'/g, "''");
  const scores = Object.fromEntries((Object.entries(TELLTALES) as Array<[SourceDialect, RegExp[]]>).map(([d, patterns]) => [d, patterns.filter((p) => p.test(text)).length])) as Record<string, number>;
  // DuckDB shares most of PostgreSQL's syntax: a DuckDB-only spelling wins over PostgreSQL's telltales.
  if (scores.mysql === 0 && scores.sqlite === 0 && DUCKDB_ONLY.some((p) => p.test(text))) return "duckdb";
  let best: SourceDialect = "duckdb";
  let bestScore = 0;
  for (const [dialect, score] of Object.entries(scores) as Array<[SourceDialect, number]>) {
    if (score > bestScore) {
      best = dialect;
      bestScore = score;
    }
  }
  return best;
}
