import "server-only";
import pg from "pg";
import mysql from "mysql2/promise";
import { ValidationError } from "@/lib/errors";
import { addCheck, addColumn, addForeignKey, addUnique, finishModel, newTable, qualifiedName, setPrimaryKey } from "@/lib/schema/catalog-model";
import type { ParsedSchema, SchemaModel, SchemaWarning, TableModel } from "@/lib/schema/model";

// Introspects a live PostgreSQL or MySQL/MariaDB database: catalog queries only
// (pg_catalog / information_schema), inside a read-only transaction, with a connect timeout and
// a statement timeout. The password is passed to the driver once and never stored or echoed.

export interface PostgresConnection {
  host: string;
  port?: number;
  database: string;
  user: string;
  password?: string;
  /** Schemas to read; default ["public"]. */
  schemas?: string[];
  ssl?: boolean;
}

export interface MysqlConnection {
  host: string;
  port?: number;
  database: string;
  user: string;
  password?: string;
}

export interface IntrospectOptions {
  /** Connect timeout; default 5000 ms. Each catalog query also stops after 4× this. */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function unreachable(host: string, port: number, timeoutMs: number): ValidationError {
  return new ValidationError(
    `Could not reach ${host}:${port} within ${seconds(timeoutMs)}. Check the host name and port, that the database server is running, and that it accepts connections from the studio (firewall, listen address).`,
  );
}

function refused(): ValidationError {
  return new ValidationError("The database refused the user name or password. Check both and try again; the password is used once for this introspection and not stored.");
}

function networkCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isNetworkFailure(error: unknown): boolean {
  const code = networkCode(error);
  if (code && ["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE", "EADDRNOTAVAIL", "PROTOCOL_CONNECTION_LOST"].includes(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /timeout|timed out|terminated unexpectedly|ECONNREFUSED/i.test(message);
}

/** A driver message with anything that could carry the password removed. */
function safeMessage(error: unknown, password: string | undefined): string {
  let message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  if (password) message = message.split(password).join("***");
  return message.slice(0, 300);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

interface PgTableRow {
  oid: number;
  schema: string;
  name: string;
  comment: string | null;
}
interface PgColumnRow {
  attrelid: number;
  name: string;
  type: string;
  base_type: string;
  not_null: boolean;
  default_value: string | null;
  comment: string | null;
  enum_labels: string[] | null;
  generated: string;
}
interface PgConstraintRow {
  conrelid: number;
  name: string;
  type: "p" | "u" | "f" | "c" | string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  definition: string;
}
interface PgUniqueIndexRow {
  indrelid: number;
  columns: string[];
}

const PG_TABLES = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
 ORDER BY array_position($1::text[], n.nspname::text), c.oid`;

const PG_COLUMNS = `
SELECT a.attrelid::int8 AS attrelid, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END AS base_type,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_value,
       col_description(a.attrelid, a.attnum) AS comment,
       CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS enum_labels,
       a.attgenerated::text AS generated
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

const PG_CONSTRAINTS = `
SELECT con.conrelid::int8 AS conrelid, con.conname AS name, con.contype::text AS type,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
       rn.nspname AS ref_schema, rc.relname AS ref_table,
       CASE WHEN con.contype = 'f' THEN
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) END AS ref_columns,
       pg_get_constraintdef(con.oid) AS definition
  FROM pg_catalog.pg_constraint con
  LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c')
 ORDER BY con.conrelid, CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'f' THEN 2 ELSE 3 END, con.oid`;

/** Unique indexes that are not constraints (CREATE UNIQUE INDEX on plain columns, no predicate). */
const PG_UNIQUE_INDEXES = `
SELECT i.indrelid::int8 AS indrelid,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord) AS columns
  FROM pg_catalog.pg_index i
 WHERE i.indrelid = ANY($1::oid[]) AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL AND i.indexprs IS NULL
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid)
 ORDER BY i.indrelid, i.indexrelid`;

function pgError(error: unknown, conn: PostgresConnection, port: number, timeoutMs: number): ValidationError {
  const code = networkCode(error);
  if (code === "28P01" || code === "28000") return refused();
  if (code === "3D000") return new ValidationError(`The database "${conn.database}" does not exist on ${conn.host}:${port}. Check the database name.`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new ValidationError(`The host name "${conn.host}" could not be resolved. Check the host name.`);
  if (code === "57014") return new ValidationError(`Reading the catalog of ${conn.host}:${port} took too long and was stopped. Try again, or limit the schemas to read.`);
  if (code === "42501") return new ValidationError(`The user "${conn.user}" may not read the catalog (${safeMessage(error, conn.password)}). Grant it USAGE on the schemas, or use another user.`);
  if (isNetworkFailure(error)) return unreachable(conn.host, port, timeoutMs);
  return new ValidationError(`PostgreSQL introspection failed: ${safeMessage(error, conn.password)}. Check the connection settings.`);
}

/** PostgreSQL's `(col = ANY (ARRAY['a'::text, 'b'::text]))` as the portable `(col IN ('a', 'b'))`. */
export function normalizePgCheck(expression: string): string {
  const m = /^\(*\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:::[a-z ]+)?\s*=\s*ANY\s*\(\s*(?:\()?ARRAY\[(.*)\](?:\))?(?:::[a-z ]+\[\])?\s*\)\s*\)*$/is.exec(expression);
  if (!m) return expression;
  const items = (m[2] as string).split(/,(?=(?:[^']*'[^']*')*[^']*$)/).map((s) => s.trim().replace(/::[a-z ]+$/i, ""));
  if (!items.every((i) => /^'(?:[^']|'')*'$/.test(i))) return expression;
  return `(${m[1]} IN (${items.join(", ")}))`;
}

export async function introspectPostgres(conn: PostgresConnection, opts: IntrospectOptions = {}): Promise<ParsedSchema> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const port = conn.port ?? 5432;
  const schemas = conn.schemas?.length ? conn.schemas : ["public"];
  const client = new pg.Client({
    host: conn.host,
    port,
    database: conn.database,
    user: conn.user,
    password: conn.password,
    ssl: conn.ssl ? { rejectUnauthorized: false } : undefined,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs * 4,
    query_timeout: timeoutMs * 5,
    application_name: "sandpiper-introspect",
  });
  // A dropped connection after connect emits 'error' on the client; it surfaces through the pending query.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw pgError(error, conn, port, timeoutMs);
  }
  try {
    await client.query("BEGIN READ ONLY");
    const tables = (await client.query<PgTableRow>(PG_TABLES, [schemas])).rows;
    const oids = tables.map((t) => t.oid);
    const columns = (await client.query<PgColumnRow>(PG_COLUMNS, [oids])).rows;
    const constraints = (await client.query<PgConstraintRow>(PG_CONSTRAINTS, [oids])).rows;
    const uniqueIndexes = (await client.query<PgUniqueIndexRow>(PG_UNIQUE_INDEXES, [oids])).rows;
    await client.query("ROLLBACK");
    return buildPgModel(conn, schemas, tables, columns, constraints, uniqueIndexes);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw pgError(error, conn, port, timeoutMs);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function buildPgModel(
  conn: PostgresConnection,
  schemas: string[],
  tables: PgTableRow[],
  columns: PgColumnRow[],
  constraints: PgConstraintRow[],
  uniqueIndexes: PgUniqueIndexRow[],
): ParsedSchema {
  // One schema read: its tables are the sandbox's main schema. Several: "public" stays unqualified.
  const defaults = schemas.length === 1 ? schemas : ["public"];
  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "postgres", tables: [] };
  const byOid = new Map<number, TableModel>();
  const nameOf = (schema: string, table: string) => qualifiedName(schema, table, defaults);
  for (const t of tables) {
    const table = newTable(nameOf(t.schema, t.name), t.comment);
    byOid.set(Number(t.oid), table);
    model.tables.push(table);
  }
  for (const c of columns) {
    const table = byOid.get(Number(c.attrelid));
    if (!table) continue;
    const enumValues = c.enum_labels ?? undefined;
    addColumn(
      "postgres",
      table,
      {
        name: c.name,
        originalType: c.type,
        nullable: !c.not_null,
        defaultValue: c.generated ? null : c.default_value,
        description: c.comment,
        ...(enumValues ? { enumValues } : {}),
        // Domains: map the base type, keep the domain name as the original type.
        ...(c.base_type !== c.type ? { mapAs: c.base_type } : {}),
      },
      warnings,
    );
  }
  for (const k of constraints) {
    const table = byOid.get(Number(k.conrelid));
    if (!table) continue;
    switch (k.type) {
      case "p":
        setPrimaryKey(table, k.columns);
        break;
      case "u":
        addUnique(table, k.columns);
        break;
      case "f":
        addForeignKey(table, k.columns, nameOf(k.ref_schema ?? "", k.ref_table ?? ""), k.ref_columns ?? []);
        break;
      case "c": {
        // pg_get_constraintdef prints CHECK (<expr>): keep <expr>, which PostgreSQL parenthesizes like DuckDB.
        const body = k.definition.replace(/\s+NOT VALID$/i, "").replace(/^CHECK\s*\((.*)\)$/is, "$1");
        const expression = normalizePgCheck(body);
        addCheck(table, expression);
        break;
      }
      default:
        break;
    }
  }
  for (const u of uniqueIndexes) {
    const table = byOid.get(Number(u.indrelid));
    if (table && u.columns.length > 0) addUnique(table, u.columns);
  }
  return finishModel(model, warnings, {
    noTablesMessage: `The database "${conn.database}" has no tables in schema${schemas.length > 1 ? "s" : ""} ${schemas.join(", ")}. Check the database and schema names (tables in other schemas are read only when you list those schemas).`,
  });
}

// ---------------------------------------------------------------------------------------------
// MySQL / MariaDB

interface MyTableRow {
  TABLE_NAME: string;
  TABLE_COMMENT: string | null;
}
interface MyColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  COLUMN_DEFAULT: string | null;
  COLUMN_COMMENT: string | null;
  EXTRA: string | null;
}
interface MyKeyRow {
  TABLE_NAME: string;
  CONSTRAINT_NAME: string;
  CONSTRAINT_TYPE: string;
  COLUMN_NAME: string;
  REFERENCED_TABLE_SCHEMA: string | null;
  REFERENCED_TABLE_NAME: string | null;
  REFERENCED_COLUMN_NAME: string | null;
}
interface MyCheckRow {
  TABLE_NAME: string;
  CONSTRAINT_NAME: string;
  CHECK_CLAUSE: string;
}

function mysqlError(error: unknown, conn: MysqlConnection, port: number, timeoutMs: number): ValidationError {
  const code = networkCode(error);
  if (code === "ER_ACCESS_DENIED_ERROR" || code === "ER_ACCESS_DENIED_NO_PASSWORD_ERROR" || code === "ER_NOT_SUPPORTED_AUTH_MODE") return refused();
  if (code === "ER_BAD_DB_ERROR") return new ValidationError(`The database "${conn.database}" does not exist on ${conn.host}:${port}. Check the database name.`);
  if (code === "ER_DBACCESS_DENIED_ERROR") return new ValidationError(`The user "${conn.user}" may not use the database "${conn.database}". Grant it SELECT on the database, or use another user.`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new ValidationError(`The host name "${conn.host}" could not be resolved. Check the host name.`);
  if (isNetworkFailure(error)) return unreachable(conn.host, port, timeoutMs);
  return new ValidationError(`MySQL introspection failed: ${safeMessage(error, conn.password)}. Check the connection settings.`);
}

/** MariaDB quotes literal defaults and spells "no default" as the string NULL; MySQL does neither. */
function mysqlDefault(raw: string | null, mariadb: boolean, extra: string | null): string | null {
  if (raw === null) return null;
  if (mariadb) return raw === "NULL" ? null : raw;
  if (/DEFAULT_GENERATED/i.test(extra ?? "") || /^(CURRENT_TIMESTAMP|NOW\(|NULL$)/i.test(raw)) return raw === "NULL" ? null : raw;
  return /^-?\d+(\.\d+)?$/.test(raw) ? raw : `'${raw.replace(/'/g, "''")}'`;
}

export async function introspectMysql(conn: MysqlConnection, opts: IntrospectOptions = {}): Promise<ParsedSchema> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const port = conn.port ?? 3306;
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      host: conn.host,
      port,
      user: conn.user,
      password: conn.password,
      database: conn.database,
      connectTimeout: timeoutMs,
      multipleStatements: false,
      supportBigNumbers: true,
      dateStrings: true,
    });
  } catch (error) {
    throw mysqlError(error, conn, port, timeoutMs);
  }
  connection.on("error", () => undefined);
  const queryTimeout = timeoutMs * 4;
  const rows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const [result] = await connection.query({ sql, timeout: queryTimeout }, params);
    return result as T[];
  };
  try {
    const [version] = await rows<{ v: string }>("SELECT VERSION() AS v");
    const mariadb = /mariadb/i.test(version?.v ?? "");
    await rows("SET SESSION TRANSACTION READ ONLY");
    await rows("START TRANSACTION READ ONLY");
    const schema = conn.database;
    const tables = await rows<MyTableRow>(
      `SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      [schema],
    );
    const columns = await rows<MyColumnRow>(
      `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_COMMENT, EXTRA
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [schema],
    );
    const keys = await rows<MyKeyRow>(
      `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, k.COLUMN_NAME,
              k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.TABLE_CONSTRAINTS c
           ON c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        WHERE k.TABLE_SCHEMA = ? AND c.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
        ORDER BY k.TABLE_NAME, FIELD(c.CONSTRAINT_TYPE, 'PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY'), k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      [schema],
    );
    const checks = await rows<MyCheckRow>(
      `SELECT c.TABLE_NAME, c.CONSTRAINT_NAME, cc.CHECK_CLAUSE
         FROM information_schema.TABLE_CONSTRAINTS c
         JOIN information_schema.CHECK_CONSTRAINTS cc
           ON cc.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = c.CONSTRAINT_NAME
          ${mariadb ? "AND cc.TABLE_NAME = c.TABLE_NAME" : ""}
        WHERE c.TABLE_SCHEMA = ? AND c.CONSTRAINT_TYPE = 'CHECK'
        ORDER BY c.TABLE_NAME, c.CONSTRAINT_NAME`,
      [schema],
    ).catch(() => [] as MyCheckRow[]); // MySQL before 8.0.16 has no CHECK_CONSTRAINTS
    await rows("ROLLBACK");
    return buildMysqlModel(conn, mariadb, tables, columns, keys, checks);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw mysqlError(error, conn, port, timeoutMs);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

function buildMysqlModel(conn: MysqlConnection, mariadb: boolean, tables: MyTableRow[], columns: MyColumnRow[], keys: MyKeyRow[], checks: MyCheckRow[]): ParsedSchema {
  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "mysql", tables: [] };
  const byName = new Map<string, TableModel>();
  for (const t of tables) {
    const table = newTable(t.TABLE_NAME, t.TABLE_COMMENT || null);
    byName.set(t.TABLE_NAME, table);
    model.tables.push(table);
  }
  const jsonColumns = new Set<string>();
  for (const c of checks) {
    // MariaDB stores JSON as LONGTEXT with CHECK (json_valid(`col`)).
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(c.CHECK_CLAUSE.trim());
    if (m) jsonColumns.add(`${c.TABLE_NAME}\u0000${(m[1] as string).replace(/``/g, "`")}`);
  }
  for (const c of columns) {
    const table = byName.get(c.TABLE_NAME);
    if (!table) continue;
    const isJson = jsonColumns.has(`${c.TABLE_NAME}\u0000${c.COLUMN_NAME}`);
    addColumn(
      "mysql",
      table,
      {
        name: c.COLUMN_NAME,
        originalType: isJson ? "json" : c.COLUMN_TYPE,
        nullable: c.IS_NULLABLE === "YES",
        defaultValue: /GENERATED/i.test(c.EXTRA ?? "") && !/DEFAULT_GENERATED/i.test(c.EXTRA ?? "") ? null : mysqlDefault(c.COLUMN_DEFAULT, mariadb, c.EXTRA),
        description: c.COLUMN_COMMENT || null,
      },
      warnings,
    );
  }
  const groups = new Map<string, MyKeyRow[]>();
  for (const k of keys) {
    const id = `${k.TABLE_NAME}\u0000${k.CONSTRAINT_TYPE}\u0000${k.CONSTRAINT_NAME}`;
    groups.set(id, [...(groups.get(id) ?? []), k]);
  }
  for (const rows of groups.values()) {
    const first = rows[0]!;
    const table = byName.get(first.TABLE_NAME);
    if (!table) continue;
    const cols = rows.map((r) => r.COLUMN_NAME);
    if (first.CONSTRAINT_TYPE === "PRIMARY KEY") setPrimaryKey(table, cols);
    else if (first.CONSTRAINT_TYPE === "UNIQUE") addUnique(table, cols);
    else {
      const refTable = first.REFERENCED_TABLE_SCHEMA && first.REFERENCED_TABLE_SCHEMA !== conn.database ? `${first.REFERENCED_TABLE_SCHEMA}.${first.REFERENCED_TABLE_NAME}` : (first.REFERENCED_TABLE_NAME ?? "");
      addForeignKey(
        table,
        cols,
        refTable,
        rows.map((r) => r.REFERENCED_COLUMN_NAME ?? ""),
      );
    }
  }
  for (const c of checks) {
    const table = byName.get(c.TABLE_NAME);
    if (!table || jsonColumns.has(`${c.TABLE_NAME}\u0000${/^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(c.CHECK_CLAUSE.trim())?.[1] ?? ""}`)) continue;
    addCheck(table, c.CHECK_CLAUSE.replace(/`((?:[^`]|``)+)`/g, (_, name: string) => `"${name.replace(/``/g, "`").replace(/"/g, '""')}"`));
  }
  return finishModel(model, warnings, {
    noTablesMessage: `The database "${conn.database}" has no tables. Check the database name (views are not read).`,
  });
}
