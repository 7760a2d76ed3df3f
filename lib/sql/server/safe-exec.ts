import "server-only";
import { statSync } from "node:fs";
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from "@duckdb/node-api";
import { NotFoundError, SqlExecutionError, SqlRefusedError } from "@/lib/errors";
import type { JsonValue, QueryColumn, QueryResult } from "@/lib/sql/result";
import { toJsonValue } from "@/lib/sql/server/duckdb-values";
import { isKnownPlainQuery, rememberPlainQuery } from "@/lib/sql/server/plain-queries";

// Untrusted SQL (model output, reviewer edits, imported logs) runs only through here. The sandbox
// file is opened read-only with file access, extension loading and settings changes disabled, and
// the configuration locked, so even a statement that slips past the checks below cannot read or
// write files, attach databases, load code or lift the limits.

export const MAX_SQL_BYTES = 100 * 1024;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_ROWS = 1000;

const SANDBOX_OPTIONS: Record<string, string> = {
  access_mode: "READ_ONLY",
  enable_external_access: "false",
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
  allow_community_extensions: "false",
  allow_unsigned_extensions: "false",
  memory_limit: "256MB",
  threads: "2",
  lock_configuration: "true",
};

// Statements DuckDB parses as SELECT but that are not plain queries (DESCRIBE, SHOW, SUMMARIZE,
// PRAGMA rewrites) are refused by looking at the first keyword.
const ALLOWED_FIRST_KEYWORDS = new Set(["SELECT", "WITH", "FROM", "VALUES"]);
const ALLOWED_DESCRIPTION = "Only a single read-only query starting with SELECT or WITH can run here";

interface CachedReader {
  version: string;
  instance: Promise<DuckDBInstance>;
  active: number;
  stale: boolean;
  /** Connections that finished a query cleanly, reused by the next ones (at most MAX_IDLE). */
  idle: DuckDBConnection[];
}

const MAX_IDLE_CONNECTIONS = 4;

const readers = new Map<string, CachedReader>();

export interface ExecuteOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Default 1000. */
  maxRows?: number;
}

/**
 * Runs one SELECT/WITH query against a sandbox DuckDB file, read-only, with a timeout, a memory
 * limit and a row cap. Throws SqlRefusedError for anything that is not a single query or that tries
 * to touch files, and SqlExecutionError (kind syntax | binder | runtime | timeout | memory) when it fails.
 */
export async function executeReadOnly(dbPath: string, sql: string, opts: ExecuteOptions = {}): Promise<QueryResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  assertAcceptableSize(sql);

  const reader = await acquireReader(dbPath);
  const started = performance.now();
  let connection: DuckDBConnection | undefined;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    connection = reader.idle.pop() ?? (await (await reader.instance).connect());
    const conn = connection;
    timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutMs);
    const result = await runChecked(conn, await reader.instance, sql, maxRows);
    if (timedOut) throw timeoutError(timeoutMs);
    // Only a connection that ended a query cleanly is reused; any other is closed.
    if (!result.truncated && !reader.stale && reader.idle.length < MAX_IDLE_CONNECTIONS) {
      reader.idle.push(conn);
      connection = undefined;
    }
    return { ...result, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (timedOut) throw timeoutError(timeoutMs);
    throw mapDuckDBError(error);
  } finally {
    clearTimeout(timer);
    connection?.closeSync();
    releaseReader(reader);
  }
}

interface SerializedCheck {
  error?: boolean;
  error_message?: string;
  statements?: unknown[];
}

/** json_serialize_sql on its own connection, so it runs while the main connection prepares. */
async function serializeOnSide(instance: DuckDBInstance, sql: string): Promise<SerializedCheck> {
  const side = await instance.connect();
  try {
    const parsed = await side.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    return JSON.parse(String(parsed.getRows()[0]?.[0] ?? "{}")) as SerializedCheck;
  } catch (error) {
    return { error: true, error_message: error instanceof Error ? error.message : String(error) };
  } finally {
    side.closeSync();
  }
}

async function runChecked(
  conn: DuckDBConnection,
  instance: DuckDBInstance,
  sql: string,
  maxRows: number,
): Promise<Omit<QueryResult, "elapsedMs">> {
  if (skipLeadingNoise(sql).replace(/[\s;]+/g, "") === "") {
    throw new SqlRefusedError(`The SQL is empty. ${ALLOWED_DESCRIPTION}.`);
  }
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0) throw new SqlRefusedError(`The SQL is empty. ${ALLOWED_DESCRIPTION}.`);
  if (extracted.count > 1) {
    throw new SqlRefusedError(
      `The SQL holds ${extracted.count} statements. ${ALLOWED_DESCRIPTION}; remove the other statements.`,
    );
  }

  const keyword = firstKeyword(sql);
  if (!ALLOWED_FIRST_KEYWORDS.has(keyword)) {
    throw new SqlRefusedError(
      `${ALLOWED_DESCRIPTION}; this statement starts with ${keyword || "something else"}. ` +
        "PRAGMA, SET, COPY, ATTACH, INSTALL, LOAD, CALL, EXPORT, DESCRIBE and statements that change data or schema are refused.",
    );
  }

  // The parser-only serializer accepts nothing but SELECT nodes: a second, independent check. It
  // runs on a side connection while this one prepares and starts the query; nothing is returned
  // before it has passed (the sandbox is read-only, so starting early changes nothing).
  const serializedCheck: Promise<SerializedCheck> = isKnownPlainQuery(sql) ? Promise.resolve({ statements: [sql] }) : serializeOnSide(instance, sql);
  const refuseUnlessPlain = async () => {
    const serialized = await serializedCheck;
    if (serialized.error || serialized.statements?.length !== 1) {
      throw new SqlRefusedError(
        `${ALLOWED_DESCRIPTION}; DuckDB does not read this as a plain query (${serialized.error_message ?? "not a SELECT"}).`,
      );
    }
    rememberPlainQuery(sql);
  };

  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await extracted.prepare(0);
  } catch (error) {
    await refuseUnlessPlain();
    throw error;
  }
  try {
    return await readPrepared(prepared, maxRows, refuseUnlessPlain);
  } finally {
    // Freed now rather than when collected: connections are reused, and a statement holds its plan.
    prepared.destroySync();
  }
}

async function readPrepared(
  prepared: DuckDBPreparedStatement,
  maxRows: number,
  refuseUnlessPlain: () => Promise<void>,
): Promise<Omit<QueryResult, "elapsedMs">> {
  if (prepared.statementType !== StatementType.SELECT) {
    await refuseUnlessPlain();
    const name = StatementType[prepared.statementType] ?? "non-query";
    throw new SqlRefusedError(`${ALLOWED_DESCRIPTION}; this is a ${name} statement.`);
  }

  let result;
  try {
    result = await prepared.stream();
  } catch (error) {
    await refuseUnlessPlain();
    throw error;
  }
  await refuseUnlessPlain();
  const columns: QueryColumn[] = [];
  for (let i = 0; i < result.columnCount; i++) {
    columns.push({ name: result.columnName(i), type: result.columnType(i).toString() });
  }
  const rows: JsonValue[][] = [];
  let truncated = false;
  // Read at most maxRows + 1 rows: the extra one only tells us the result was cut.
  while (rows.length <= maxRows) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.getRows()) {
      if (rows.length === maxRows) {
        truncated = true;
        break;
      }
      rows.push(row.map(toJsonValue));
    }
    if (truncated) break;
  }
  return { columns, rows, rowCount: rows.length, truncated };
}

function assertAcceptableSize(sql: string): void {
  const bytes = Buffer.byteLength(sql, "utf8");
  if (bytes > MAX_SQL_BYTES) {
    throw new SqlRefusedError(
      `The SQL is ${Math.ceil(bytes / 1024)} KB; the limit is ${MAX_SQL_BYTES / 1024} KB. Shorten the query.`,
    );
  }
}

/** The first keyword after leading whitespace, comments and opening parentheses, upper-cased. */
export function firstKeyword(sql: string): string {
  const match = /^[A-Za-z_]+/.exec(skipLeadingNoise(sql));
  return match ? match[0].toUpperCase() : "";
}

function skipLeadingNoise(sql: string): string {
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (/\s/.test(ch) || ch === "(") {
      i++;
    } else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else {
      break;
    }
  }
  return sql.slice(i);
}

function timeoutError(timeoutMs: number): SqlExecutionError {
  const seconds = Number((timeoutMs / 1000).toFixed(1));
  return new SqlExecutionError(
    `The query ran longer than ${seconds} s and was stopped. Add filters or simplify the joins so it finishes within the limit.`,
    "timeout",
    { timeoutMs },
  );
}

const MAX_MESSAGE_CHARS = 2000;

/** Maps a DuckDB error to the studio's error classes, keeping DuckDB's own message. */
export function mapDuckDBError(error: unknown): Error {
  if (error instanceof SqlRefusedError || error instanceof SqlExecutionError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/^Failed to extract statements:\s*/, "").trim().slice(0, MAX_MESSAGE_CHARS);
  if (/^Permission Error/i.test(message)) {
    return new SqlRefusedError(
      `${message.split("\n")[0]}. Queries in the sandbox cannot read or write files, attach databases or load extensions.`,
    );
  }
  if (/^Parser Error/i.test(message)) return new SqlExecutionError(message, "syntax");
  if (/^(Binder|Catalog) Error/i.test(message)) return new SqlExecutionError(message, "binder");
  if (/^Out of Memory Error/i.test(message)) return new SqlExecutionError(message, "memory");
  return new SqlExecutionError(message, "runtime");
}

async function acquireReader(dbPath: string): Promise<CachedReader> {
  let version: string;
  try {
    // A synchronous stat: a few microseconds, where the thread-pool round trip costs a tenth of a fast query.
    const info = statSync(dbPath);
    version = `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    throw new NotFoundError(`The sandbox database file was not found (${dbPath}). Generate the sandbox again.`);
  }
  let reader = readers.get(dbPath);
  if (reader && reader.version !== version) {
    // The file was replaced: new queries go to a fresh reader, the old one closes when idle.
    reader.stale = true;
    readers.delete(dbPath);
    if (reader.active === 0) void closeReader(reader);
    reader = undefined;
  }
  if (!reader) {
    const created: CachedReader = {
      version,
      instance: DuckDBInstance.create(dbPath, SANDBOX_OPTIONS),
      active: 0,
      stale: false,
      idle: [],
    };
    created.instance.catch(() => {
      if (readers.get(dbPath) === created) readers.delete(dbPath);
    });
    readers.set(dbPath, created);
    reader = created;
  }
  reader.active++;
  try {
    await reader.instance;
  } catch (error) {
    reader.active--;
    throw new SqlExecutionError(
      `The sandbox database could not be opened: ${error instanceof Error ? error.message : String(error)}`,
      "runtime",
    );
  }
  return reader;
}

function releaseReader(reader: CachedReader): void {
  reader.active--;
  if (reader.stale && reader.active === 0) void closeReader(reader);
}

async function closeReader(reader: CachedReader): Promise<void> {
  for (const connection of reader.idle.splice(0)) connection.closeSync();
  try {
    (await reader.instance).closeSync();
  } catch {
    // An instance that failed to open has nothing to close.
  }
}

/** Closes the cached reader of one sandbox file, e.g. before the file is regenerated. */
export async function closeSandboxReader(dbPath: string): Promise<void> {
  const reader = readers.get(dbPath);
  if (!reader) return;
  readers.delete(dbPath);
  reader.stale = true;
  if (reader.active === 0) await closeReader(reader);
}

/** Closes every cached reader (tests, shutdown). */
export async function closeAllSandboxReaders(): Promise<void> {
  await Promise.all([...readers.keys()].map((path) => closeSandboxReader(path)));
}
