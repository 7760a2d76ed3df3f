import "server-only";
import { createHash } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Complexity } from "@/lib/queries/complexity";
import { classifyComplexity } from "@/lib/queries/complexity";
import type { QueryFeatures } from "@/lib/queries/features";
import { summarizeParseTree } from "@/lib/queries/parse-tree";
import { rememberPlainQuery } from "@/lib/sql/server/plain-queries";

export type SqlAnalysis =
  | {
      ok: true;
      features: QueryFeatures;
      /** Structural skeleton: names and literals replaced by placeholders, keywords kept. */
      template: string;
      /** First 16 hex chars of sha256(template): equal for queries of the same structure. */
      templateHash: string;
      /** The outermost query (or set operation) has its own ORDER BY: results compare in order. */
      topLevelOrderBy: boolean;
      complexity: Complexity;
      /**
       * First 16 hex chars of sha256 of the parse tree without source positions and with names
       * lower-cased: equal for the same query written with other spacing, keyword case, quoting or
       * comments (the duplicate check), unlike templateHash it keeps literals and names.
       */
      astHash: string;
    }
  | { ok: false; error: string };

// Parsing needs no data: one in-memory instance per process, no file or network access, and its
// configuration locked so nothing passed through the parser can loosen that.
const globalForParser = globalThis as unknown as { sandpiperSqlParser?: Promise<DuckDBInstance> };

/** The shared parse-only DuckDB instance (used by query analysis and schema drift). */
export function getParserInstance(): Promise<DuckDBInstance> {
  if (!globalForParser.sandpiperSqlParser) {
    globalForParser.sandpiperSqlParser = DuckDBInstance.create(":memory:", {
      enable_external_access: "false",
      autoload_known_extensions: "false",
      autoinstall_known_extensions: "false",
      threads: "1",
      max_memory: "64MB",
      lock_configuration: "true",
    }).catch((error: unknown) => {
      globalForParser.sandpiperSqlParser = undefined;
      throw error;
    });
  }
  return globalForParser.sandpiperSqlParser;
}

export function hashTemplate(template: string): string {
  return createHash("sha256").update(template).digest("hex").slice(0, 16);
}

interface SerializedSql {
  error?: boolean;
  error_message?: string;
  error_type?: string;
  statements?: { node: unknown }[];
}

/**
 * Parse one SELECT/WITH statement with DuckDB's parser (its tables need not exist) and return the
 * serialized statement node (`statements[0].node` of json_serialize_sql).
 */
export async function parseSqlTree(sql: string): Promise<{ ok: true; node: unknown } | { ok: false; error: string }> {
  if (sql.trim() === "") return { ok: false, error: "The query is empty." };
  const instance = await getParserInstance();
  const connection = await instance.connect();
  let serialized: SerializedSql;
  try {
    const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    const raw = reader.getRows()[0]?.[0];
    serialized = JSON.parse(String(raw)) as SerializedSql;
  } catch (error) {
    return { ok: false, error: `Could not parse the query: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    connection.closeSync();
  }
  if (serialized.error) {
    const message = serialized.error_message ?? "unknown parser error";
    return {
      ok: false,
      error: /Only SELECT statements/i.test(message)
        ? "Only SELECT (or WITH … SELECT) statements are allowed."
        : `Syntax error: ${message}`,
    };
  }
  const statements = serialized.statements ?? [];
  if (statements.length !== 1) {
    return { ok: false, error: statements.length === 0 ? "The query is empty." : `Expected one statement, found ${statements.length}.` };
  }
  // The same verdict safe execution asks for: remembered, so executing it skips that parse.
  rememberPlainQuery(sql);
  return { ok: true, node: statements[0].node };
}

/** Parse one SELECT/WITH statement (parser only: its tables need not exist) and describe its structure. */
export async function analyzeSql(sql: string): Promise<SqlAnalysis> {
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) return parsed;
  const summary = summarizeParseTree(parsed.node);
  return {
    ok: true,
    features: summary.features,
    template: summary.template,
    templateHash: hashTemplate(summary.template),
    topLevelOrderBy: summary.topLevelOrderBy,
    astHash: hashParseTree(parsed.node),
    complexity: classifyComplexity(summary.features),
  };
}

const NAME_KEYS = new Set(["column_names", "table_name", "schema_name", "catalog_name", "alias", "function_name", "ctename"]);

/** A fingerprint of the statement itself: positions dropped, identifiers folded to lower case (DuckDB ignores their case). */
export function hashParseTree(node: unknown): string {
  const text = JSON.stringify(node, (key, value: unknown) => {
    if (key === "query_location") return undefined;
    if (NAME_KEYS.has(key)) {
      if (typeof value === "string") return value.toLowerCase();
      if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
    }
    return value;
  });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
