import "server-only";
import { open, rm, stat } from "node:fs/promises";
import Database from "better-sqlite3";
import { DuckDBInstance } from "@duckdb/node-api";
import { ValidationError } from "@/lib/errors";
import { addCheck, addColumn, addForeignKey, addUnique, finishModel, newTable, qualifiedName, setPrimaryKey } from "@/lib/schema/catalog-model";
import type { ParsedSchema, SchemaModel, SchemaWarning, TableModel } from "@/lib/schema/model";

// Reads the schema of an uploaded DuckDB or SQLite database file. Only the catalog is read:
// sqlite_schema and the table/index/foreign-key PRAGMAs for SQLite, duckdb_tables()/
// duckdb_columns()/duckdb_constraints() for DuckDB. No statement ever selects from a user table,
// so no row leaves the file; the caller deletes the file afterwards (withUploadedFile).

export type DbFileKind = "duckdb" | "sqlite";

const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");
const DUCKDB_MAGIC = Buffer.from("DUCK", "latin1");
/** DuckDB: a 4 KiB main header, then two 4 KiB database headers, then fixed-size blocks. */
const DUCKDB_HEADERS_BYTES = 3 * 4096;

const NOT_A_DATABASE =
  "This is not a DuckDB or SQLite database file. Upload the .duckdb/.db file itself (not a dump, a CSV or a zip), or paste the DDL instead.";

/** Runs fn on an uploaded temp file and always deletes the file and its side files (-wal, .wal, -shm, -journal), even on error. */
export async function withUploadedFile<T>(tempPath: string, fn: (filePath: string) => Promise<T>): Promise<T> {
  try {
    return await fn(tempPath);
  } finally {
    await Promise.all([tempPath, `${tempPath}.wal`, `${tempPath}-wal`, `${tempPath}-shm`, `${tempPath}-journal`].map((p) => rm(p, { force: true })));
  }
}

export async function detectDbFileKind(filePath: string): Promise<DbFileKind> {
  const head = await readHead(filePath, 16);
  if (head.length >= 16 && head.subarray(0, 16).equals(SQLITE_MAGIC)) return "sqlite";
  if (head.length >= 12 && head.subarray(8, 12).equals(DUCKDB_MAGIC)) return "duckdb";
  if (head.length === 0) throw new ValidationError("The uploaded file is empty. Upload the database file again.");
  throw new ValidationError(NOT_A_DATABASE);
}

export async function readSchemaFromFile(filePath: string, kind: DbFileKind | "auto"): Promise<ParsedSchema> {
  const detected = await detectDbFileKind(filePath);
  if (kind !== "auto" && kind !== detected) {
    throw new ValidationError(
      `The file is a ${detected === "duckdb" ? "DuckDB" : "SQLite"} database, not a ${kind === "duckdb" ? "DuckDB" : "SQLite"} one. Choose "${detected === "duckdb" ? "DuckDB" : "SQLite"} file" (or automatic detection) and upload it again.`,
    );
  }
  return detected === "sqlite" ? readSqliteSchema(filePath) : readDuckdbSchema(filePath);
}

async function readHead(filePath: string, bytes: number, offset = 0): Promise<Buffer> {
  let handle;
  try {
    handle = await open(filePath, "r");
  } catch {
    throw new ValidationError("The uploaded file could not be found or opened. Upload it again.");
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function truncated(kind: string): ValidationError {
  return new ValidationError(
    `The ${kind} file is truncated or damaged: it is shorter than its header says. Upload the complete file again (check that the copy or download finished), or paste the DDL instead.`,
  );
}

// ---------------------------------------------------------------------------------------------
// SQLite

async function checkSqliteHeader(filePath: string): Promise<void> {
  const size = (await stat(filePath)).size;
  const header = await readHead(filePath, 100);
  if (header.length < 100) throw truncated("SQLite");
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new ValidationError("The SQLite file's header is damaged (invalid page size). Upload an intact copy of the database, or paste the DDL instead.");
  }
  if (size < pageSize) throw truncated("SQLite");
  const changeCounter = header.readUInt32BE(24);
  const pageCount = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  if (pageCount > 0 && changeCounter === validFor && size < pageCount * pageSize) throw truncated("SQLite");
}

interface SqliteMasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

interface SqliteColumnRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

interface SqliteFkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

interface SqliteIndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}

interface SqliteIndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
}

function quoteSqliteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sqliteError(error: unknown): ValidationError {
  const code = (error as { code?: string }).code ?? "";
  if (code === "SQLITE_NOTADB") return new ValidationError(NOT_A_DATABASE);
  if (code === "SQLITE_CORRUPT" || code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_IOERR")) {
    return new ValidationError("The SQLite file is damaged or truncated, so its schema cannot be read. Upload an intact copy (e.g. made with `sqlite3 db.sqlite .backup copy.sqlite`), or paste the DDL instead.");
  }
  return new ValidationError(`The SQLite file could not be read (${error instanceof Error ? error.message : String(error)}). Upload an intact copy, or paste the DDL instead.`);
}

export async function readSqliteSchema(filePath: string): Promise<ParsedSchema> {
  await checkSqliteHeader(filePath);
  let db: Database.Database;
  try {
    db = new Database(filePath, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw sqliteError(error);
  }
  try {
    return readSqliteCatalog(db);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw sqliteError(error);
  } finally {
    db.close();
  }
}

function readSqliteCatalog(db: Database.Database): ParsedSchema {
  // Catalog only: the schema table and PRAGMAs that read it. Nothing here touches a table's rows.
  const entries = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").all() as SqliteMasterRow[];
  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "sqlite", tables: [] };

  const virtualTables = entries.filter((e) => e.type === "table" && /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(e.sql ?? "")).map((e) => e.name);
  for (const name of virtualTables) {
    warnings.push({ message: `Virtual table ${name} is skipped: its columns depend on a SQLite extension. Add it as DDL if queries need it.` });
  }
  const views = entries.filter((e) => e.type === "view").map((e) => e.name);
  if (views.length > 0) warnings.push({ message: `Views are not part of the sandbox and were skipped: ${views.join(", ")}.` });

  const tableEntries = entries.filter(
    (e) =>
      e.type === "table" &&
      !e.name.toLowerCase().startsWith("sqlite_") &&
      !virtualTables.includes(e.name) &&
      !virtualTables.some((v) => e.name.startsWith(`${v}_`)),
  );

  const byName = new Map<string, TableModel>();
  const pkOf = new Map<string, string[]>();
  for (const entry of tableEntries) {
    const table = newTable(entry.name);
    const columns = db.prepare(`PRAGMA table_xinfo(${quoteSqliteIdent(entry.name)})`).all() as SqliteColumnRow[];
    for (const c of columns) {
      if (c.hidden === 1) continue;
      addColumn("sqlite", table, { name: c.name, originalType: c.type, nullable: c.notnull === 0 && c.pk === 0, defaultValue: c.dflt_value }, warnings);
    }
    const pk = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    if (pk.length > 0) setPrimaryKey(table, pk);
    pkOf.set(entry.name.toLowerCase(), pk);
    byName.set(entry.name.toLowerCase(), table);
    model.tables.push(table);
  }

  for (const entry of tableEntries) {
    const table = byName.get(entry.name.toLowerCase()) as TableModel;
    const quoted = quoteSqliteIdent(entry.name);

    const indexes = db.prepare(`PRAGMA index_list(${quoted})`).all() as SqliteIndexRow[];
    for (const index of [...indexes].reverse()) {
      if (index.unique !== 1 || index.origin === "pk" || index.partial === 1) continue;
      const cols = (db.prepare(`PRAGMA index_info(${quoteSqliteIdent(index.name)})`).all() as SqliteIndexColumnRow[]).sort((a, b) => a.seqno - b.seqno);
      if (cols.some((c) => c.cid < 0 || c.name === null)) continue; // expression index
      addUnique(
        table,
        cols.map((c) => c.name as string),
      );
    }

    const fkRows = db.prepare(`PRAGMA foreign_key_list(${quoted})`).all() as SqliteFkRow[];
    const groups = new Map<number, SqliteFkRow[]>();
    for (const row of fkRows) groups.set(row.id, [...(groups.get(row.id) ?? []), row]);
    for (const rows of [...groups.entries()].sort((a, b) => b[0] - a[0]).map(([, r]) => r.sort((a, b) => a.seq - b.seq))) {
      const parent = rows[0]?.table ?? "";
      const refTable = byName.get(parent.toLowerCase())?.name ?? parent;
      const parentPk = pkOf.get(parent.toLowerCase()) ?? [];
      const refColumns = rows.map((r, i) => r.to ?? parentPk[i] ?? "");
      addForeignKey(
        table,
        rows.map((r) => r.from),
        refTable,
        refColumns,
      );
    }

    for (const check of extractChecks(entry.sql ?? "")) addCheck(table, check);
  }

  return finishModel(model, warnings, {
    noTablesMessage: "The SQLite file has no tables (only views, indexes or nothing at all). Upload the database that holds the tables, or paste the DDL instead.",
  });
}

/** CHECK (…) expressions of a CREATE TABLE statement, in order, as written. */
export function extractChecks(sql: string): string[] {
  const checks: string[] = [];
  let i = 0;
  const n = sql.length;
  const skipQuoted = (close: string) => {
    i++;
    while (i < n) {
      if (sql[i] === close) {
        if (sql[i + 1] === close) i += 2;
        else {
          i++;
          return;
        }
      } else i++;
    }
  };
  while (i < n) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === "`") skipQuoted(ch);
    else if (ch === "[") {
      const end = sql.indexOf("]", i);
      i = end < 0 ? n : end + 1;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (ch === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j] as string)) j++;
      const word = sql.slice(i, j);
      i = j;
      if (word.toUpperCase() !== "CHECK") continue;
      while (i < n && /\s/.test(sql[i] as string)) i++;
      if (sql[i] !== "(") continue;
      const start = i + 1;
      let depth = 0;
      while (i < n) {
        const c = sql[i] as string;
        if (c === "'" || c === '"' || c === "`") {
          skipQuoted(c);
          continue;
        }
        if (c === "(") depth++;
        else if (c === ")") {
          depth--;
          if (depth === 0) break;
        }
        i++;
      }
      checks.push(sql.slice(start, i).trim());
      i++;
    } else i++;
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------
// DuckDB

async function checkDuckdbHeader(filePath: string): Promise<void> {
  const size = (await stat(filePath)).size;
  if (size < DUCKDB_HEADERS_BYTES) throw truncated("DuckDB");
  const headers = await readHead(filePath, 2 * 4096, 4096);
  if (headers.length < 2 * 4096) throw truncated("DuckDB");
  // Each database header: checksum, iteration, meta block, free list, block count, block size (u64 each).
  const parsed = [0, 4096].map((offset) => ({
    iteration: headers.readBigUInt64LE(offset + 8),
    blockCount: headers.readBigUInt64LE(offset + 32),
    blockSize: headers.readBigUInt64LE(offset + 40),
  }));
  const active = (parsed[0] as (typeof parsed)[0]).iteration >= (parsed[1] as (typeof parsed)[0]).iteration ? parsed[0] : parsed[1];
  if (!active) return;
  const blockSize = active.blockSize > 0n && active.blockSize <= 1n << 30n ? active.blockSize : 262144n;
  if (active.blockCount < 1n << 40n && BigInt(size) < BigInt(DUCKDB_HEADERS_BYTES) + active.blockCount * blockSize) throw truncated("DuckDB");
}

function duckdbError(error: unknown): ValidationError {
  const message = error instanceof Error ? error.message : String(error);
  if (/version|serializ.*compatib|storage/i.test(message) && !/corrupt|checksum/i.test(message)) {
    return new ValidationError(
      `This DuckDB file was written by a DuckDB version the studio cannot read (${firstLine(message)}). Export it with a recent DuckDB (EXPORT DATABASE or ATTACH and COPY FROM DATABASE), or paste the DDL instead.`,
    );
  }
  if (/corrupt|checksum|could not read|not enough bytes|truncat|invalid/i.test(message)) {
    return new ValidationError("The DuckDB file is damaged or truncated, so its schema cannot be read. Upload an intact copy of the file, or paste the DDL instead.");
  }
  return new ValidationError(`The DuckDB file could not be opened (${firstLine(message)}). Upload an intact copy of the file, or paste the DDL instead.`);
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").slice(0, 200);
}

interface DuckTable {
  schema_name: string;
  table_name: string;
  comment: string | null;
}
interface DuckColumn {
  schema_name: string;
  table_name: string;
  column_name: string;
  comment: string | null;
  column_default: string | null;
  is_nullable: boolean;
  data_type: string;
}
interface DuckConstraint {
  schema_name: string;
  table_name: string;
  constraint_type: string;
  expression: string | null;
  constraint_column_names: string[];
  referenced_table: string | null;
  referenced_column_names: string[];
}

export async function readDuckdbSchema(filePath: string): Promise<ParsedSchema> {
  await checkDuckdbHeader(filePath);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(filePath, {
      access_mode: "READ_ONLY",
      enable_external_access: "false",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      allow_community_extensions: "false",
      memory_limit: "256MB",
      threads: "1",
      lock_configuration: "true",
    });
  } catch (error) {
    throw duckdbError(error);
  }
  try {
    const connection = await instance.connect();
    try {
      return await readDuckdbCatalog(async <T>(sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[]);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw duckdbError(error);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

// The same catalog functions parse-ddl.ts reads for pasted DDL (its reader is private to that
// module and also handles DDL line numbers); here restricted to the file's own database.
async function readDuckdbCatalog(rows: <T>(sql: string) => Promise<T[]>): Promise<ParsedSchema> {
  const inFile = "database_name = current_database() AND NOT internal";
  const tables = await rows<DuckTable>(`SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE ${inFile} AND NOT temporary ORDER BY table_oid`);
  const columns = await rows<DuckColumn>(
    `SELECT schema_name, table_name, column_name, comment, column_default, is_nullable, data_type
       FROM duckdb_columns() WHERE ${inFile} ORDER BY table_oid, column_index`,
  );
  const constraints = await rows<DuckConstraint>(
    `SELECT schema_name, table_name, constraint_type, expression, constraint_column_names, referenced_table, referenced_column_names
       FROM duckdb_constraints() WHERE database_name = current_database() ORDER BY table_oid, constraint_index`,
  );

  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "duckdb", tables: [] };
  const key = (schema: string, table: string) => `${schema}\u0000${table}`;
  const byKey = new Map<string, TableModel>();
  for (const t of tables) {
    const table = newTable(qualifiedName(t.schema_name, t.table_name, ["main"]), t.comment || null);
    byKey.set(key(t.schema_name, t.table_name), table);
    model.tables.push(table);
  }
  for (const c of columns) {
    const table = byKey.get(key(c.schema_name, c.table_name));
    if (!table) continue;
    addColumn("duckdb", table, { name: c.column_name, originalType: c.data_type, nullable: c.is_nullable, defaultValue: c.column_default, description: c.comment || null }, warnings);
  }
  for (const k of constraints) {
    const table = byKey.get(key(k.schema_name, k.table_name));
    if (!table) continue;
    const cols = k.constraint_column_names;
    switch (k.constraint_type) {
      case "PRIMARY KEY":
        setPrimaryKey(table, cols);
        break;
      case "UNIQUE":
        addUnique(table, cols);
        break;
      case "NOT NULL": {
        const column = table.columns.find((c) => c.name === cols[0]);
        if (column) column.nullable = false;
        break;
      }
      case "CHECK":
        if (k.expression) addCheck(table, k.expression);
        break;
      case "FOREIGN KEY": {
        const ref = k.referenced_table ?? "";
        const refTable = byKey.get(key(k.schema_name, ref))?.name ?? byKey.get(key("main", ref))?.name ?? ref;
        addForeignKey(table, cols, refTable, k.referenced_column_names);
        break;
      }
      default:
        break;
    }
  }
  return finishModel(model, warnings, {
    noTablesMessage: "The DuckDB file has no tables (only views, or nothing at all). Upload the database that holds the tables, or paste the DDL instead.",
  });
}
