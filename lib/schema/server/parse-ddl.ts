import "server-only";
import { DuckDBInstance, StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { ValidationError } from "@/lib/errors";
import { parseAllowedValues } from "@/lib/schema/checks";
import { duplicateTableError, finishSchema, newColumn } from "@/lib/schema/ddl-finish";
import { MAX_SCHEMA_TEXT_BYTES, validateSchemaText } from "@/lib/schema/input";
import type { ColumnModel, ForeignKeyModel, ParsedSchema, SchemaModel, SchemaWarning, TableModel } from "@/lib/schema/model";
import { leadingWords, splitSqlStatements, stripSqlComments, type SqlStatementSpan } from "@/lib/schema/split-sql";

// Turns pasted DuckDB DDL into a SchemaModel. The DDL is untrusted: it runs only in a fresh
// in-memory DuckDB with file, network and extension access disabled and the configuration
// locked, and only statements on an allow-list ever run; everything else is skipped with a
// warning naming its line, never executed. DuckDB itself then decides what the DDL means, so the
// model matches what DuckDB would build.

export const MAX_DDL_BYTES = MAX_SCHEMA_TEXT_BYTES;

const ACCEPTED = "CREATE TABLE, CREATE SCHEMA, CREATE TYPE, CREATE SEQUENCE, COMMENT ON and ALTER TABLE";

export async function parseDuckdbDdl(input: string): Promise<ParsedSchema> {
  const ddl = validateSchemaText(input);
  const spans = splitSqlStatements(ddl);
  if (spans.length === 0) {
    throw new ValidationError("The DDL contains only comments: paste at least one CREATE TABLE statement.");
  }
  const warnings: SchemaWarning[] = [];
  const runnable: Array<{ span: SqlStatementSpan; number: number }> = [];
  const ignoredIndexes: number[] = [];
  for (const [i, span] of spans.entries()) {
    const kind = statementKind(span);
    if (kind === "INDEX") ignoredIndexes.push(span.line);
    else if (kind === "CTAS") {
      warnings.push({ message: `Statement ${i + 1} (line ${span.line}) is a CREATE TABLE … AS query: it was skipped; declare the table's columns instead (CREATE TABLE name (column TYPE, …)).`, line: span.line });
    } else if (kind === null) {
      warnings.push({ message: `Statement ${i + 1} (line ${span.line}) is ${describeStatement(span)}: it was skipped without running it (only ${ACCEPTED} statements are read).`, line: span.line });
    } else runnable.push({ span, number: i + 1 });
  }
  if (ignoredIndexes.length > 0) {
    warnings.push({
      message: `${ignoredIndexes.length} CREATE INDEX statement${ignoredIndexes.length === 1 ? " was" : "s were"} ignored (line${ignoredIndexes.length === 1 ? "" : "s"} ${ignoredIndexes.join(", ")}): indexes do not change the model.`,
      line: ignoredIndexes[0],
    });
  }
  if (!runnable.some(({ span }) => statementKind(span) === "TABLE")) {
    throw new ValidationError("The schema has no tables: paste at least one CREATE TABLE statement.");
  }

  const instance = await DuckDBInstance.create(":memory:", {
    enable_external_access: "false",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    allow_community_extensions: "false",
    memory_limit: "256MB",
    threads: "1",
    lock_configuration: "true",
  });
  const connection = await instance.connect();
  try {
    const created = new Map<string, number>();
    for (const { span, number } of runnable) {
      const name = statementKind(span) === "TABLE" ? createdTableName(span) : null;
      if (name !== null && created.has(name) && !/^CREATE\s+OR\s+REPLACE\b/i.test(stripSqlComments(span.text)) && !/\bIF\s+NOT\s+EXISTS\b/i.test(leadingWords(span.text, 6).join(" "))) {
        throw duplicateTableError(name, created.get(name), span.line);
      }
      const warning = await runStatement(connection, span, number);
      if (warning) warnings.push(warning);
      else if (name !== null && !created.has(name)) created.set(name, span.line);
    }
    const read = await readCatalog(connection, spans);
    warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return finishSchema("duckdb", read.model, [...warnings, ...read.warnings], read.tableLines);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

type StatementKind = "TABLE" | "SCHEMA" | "TYPE" | "SEQUENCE" | "COMMENT" | "ALTER" | "INDEX" | "CTAS" | null;

function statementKind(span: SqlStatementSpan): StatementKind {
  const w = leadingWords(span.text, 40);
  if (w[0] === "COMMENT" && w[1] === "ON") return "COMMENT";
  if (w[0] === "ALTER" && w[1] === "TABLE") return "ALTER";
  if (w[0] !== "CREATE") return null;
  let i = 1;
  if (w[i] === "OR" && w[i + 1] === "REPLACE") i += 2;
  if (w[i] === "TEMP" || w[i] === "TEMPORARY" || w[i] === "PERSISTENT") i++;
  if (w[i] === "UNIQUE" && w[i + 1] === "INDEX") return "INDEX";
  const object = w[i];
  if (object === "INDEX") return "INDEX";
  if (object === "SCHEMA" || object === "TYPE" || object === "SEQUENCE") return object;
  if (object !== "TABLE") return null;
  i++;
  if (w[i] === "IF" && w[i + 1] === "NOT" && w[i + 2] === "EXISTS") i += 3;
  // name, optionally qualified: a . b . c
  i++;
  while (w[i] === "." && w[i + 1] !== undefined) i += 2;
  return w[i] === "(" ? "TABLE" : "CTAS";
}

function describeStatement(span: SqlStatementSpan): string {
  const w = leadingWords(span.text, 6).filter((x) => /^[A-Z_]+$/.test(x));
  let words = w.slice(0, 1);
  if (w[0] === "CREATE") {
    const rest = w.slice(1).filter((x) => !["OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE", "PERSISTENT"].includes(x));
    words = ["CREATE", rest[0] ?? ""];
  } else if (w[0] === "ALTER" || w[0] === "DROP") words = w.slice(0, 2);
  const label = words.join(" ").trim() || "unrecognised statement";
  return `${/^[AEIOU]/.test(label) ? "an" : "a"} ${label}`;
}

function cleanDuckdbMessage(message: string): string {
  return message
    .replace(/^Failed to (extract statements|prepare statement|execute prepared statement):\s*/i, "")
    .split(/\n\s*\nLINE \d+:/)[0]!
    // Suggestions that point at DuckDB's own catalog only confuse someone pasting a schema.
    .replace(/\n?Did you mean "(duckdb_|pg_|sqlite_|information_schema)[^"]*"\??/g, "")
    .trim();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one allowed statement; returns a warning instead when DuckDB refuses it. */
async function runStatement(connection: DuckDBConnection, span: SqlStatementSpan, number: number): Promise<SchemaWarning | null> {
  const where = `Statement ${number} (line ${span.line})`;
  const skipped = (why: string): SchemaWarning => ({ message: `${where} was skipped: ${why}`, line: span.line });
  try {
    const extracted = await connection.extractStatements(span.text);
    if (extracted.count !== 1) return skipped("it could not be told apart from the next one; end each statement with a semicolon.");
    const prepared = await extracted.prepare(0);
    const type = prepared.statementType;
    // COMMENT ON and ALTER TABLE are ALTERs to DuckDB; everything else accepted is a CREATE.
    const kind = statementKind(span);
    const expected = kind === "COMMENT" || kind === "ALTER" ? StatementType.ALTER : StatementType.CREATE;
    if (type !== expected) {
      prepared.destroySync();
      return skipped(`it is ${describeStatement(span)}; only ${ACCEPTED} statements are read.`);
    }
    await prepared.run();
    prepared.destroySync();
    return null;
  } catch (error) {
    const message = cleanDuckdbMessage(errorMessage(error));
    return skipped(/[.!?]$/.test(message) ? message : `${message}.`);
  }
}

interface CatalogTable {
  schema_name: string;
  table_name: string;
  comment: string | null;
}
interface CatalogColumn {
  schema_name: string;
  table_name: string;
  column_name: string;
  comment: string | null;
  column_default: string | null;
  is_nullable: boolean;
  data_type: string;
}
interface CatalogConstraint {
  schema_name: string;
  table_name: string;
  constraint_type: string;
  expression: string | null;
  constraint_column_names: string[];
  referenced_table: string | null;
  referenced_column_names: string[];
}

async function readRows<T>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as unknown as T[];
}

function modelTableName(schema: string, table: string): string {
  return schema === "main" ? table : `${schema}.${table}`;
}

/** Declared VARCHAR(n)/CHAR(n) lengths by lower-cased column name; DuckDB drops them from the catalog. */
function declaredLengths(statement: string): Map<string, number> {
  const lengths = new Map<string, number>();
  const text = stripSqlComments(statement);
  const re = /[(,]\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+(?:VARCHAR|CHARACTER\s+VARYING|CHARACTER|CHAR|BPCHAR|NVARCHAR|STRING|TEXT)\s*\(\s*(\d+)\s*\)/gi;
  for (const m of text.matchAll(re)) {
    const raw = m[1] as string;
    const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
    lengths.set(name.toLowerCase(), Number(m[2]));
  }
  return lengths;
}

/** The table a CREATE TABLE statement creates, as a model name. */
function createdTableName(span: SqlStatementSpan): string | null {
  const unquote = (x: string) => (x.startsWith('"') ? x.slice(1, -1).replace(/""/g, '"') : x);
  // [catalog.][schema.]table, with the case the statement used
  const original = stripSqlComments(span.text).match(/TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))*)/i);
  if (!original) return null;
  const names = (original[1] as string).split(/\s*\.\s*/).map(unquote);
  const table = names[names.length - 1] as string;
  const schema = names.length >= 2 ? (names[names.length - 2] as string) : "main";
  return modelTableName(schema, table).toLowerCase();
}

async function readCatalog(connection: DuckDBConnection, spans: SqlStatementSpan[]): Promise<{ model: SchemaModel; warnings: SchemaWarning[]; tableLines: Map<string, number> }> {
  const tables = await readRows<CatalogTable>(
    connection,
    `SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE NOT internal ORDER BY table_oid`,
  );
  const columns = await readRows<CatalogColumn>(
    connection,
    `SELECT schema_name, table_name, column_name, comment, column_default, is_nullable, data_type
       FROM duckdb_columns() WHERE NOT internal ORDER BY table_oid, column_index`,
  );
  const constraints = await readRows<CatalogConstraint>(
    connection,
    `SELECT schema_name, table_name, constraint_type, expression, constraint_column_names, referenced_table, referenced_column_names
       FROM duckdb_constraints() ORDER BY table_oid, constraint_index`,
  );

  // Line and declared lengths per table, from the last CREATE TABLE that named it.
  const lineOf = new Map<string, number>();
  const lengthsOf = new Map<string, Map<string, number>>();
  for (const span of spans) {
    if (statementKind(span) !== "TABLE") continue;
    const name = createdTableName(span);
    if (name === null) continue;
    lineOf.set(name, span.line);
    lengthsOf.set(name, declaredLengths(span.text));
  }

  const warnings: SchemaWarning[] = [];

  const byKey = new Map<string, TableModel>();
  const key = (schema: string, table: string) => `${schema}\u0000${table}`;
  const model: SchemaModel = { dialect: "duckdb", tables: [] };
  for (const t of tables) {
    const table: TableModel = {
      name: modelTableName(t.schema_name, t.table_name),
      columns: [],
      primaryKey: [],
      uniqueKeys: [],
      foreignKeys: [],
      checks: [],
      description: t.comment ?? null,
    };
    byKey.set(key(t.schema_name, t.table_name), table);
    model.tables.push(table);
  }

  for (const c of columns) {
    const table = byKey.get(key(c.schema_name, c.table_name));
    if (!table) continue;
    const length = lengthsOf.get(table.name.toLowerCase())?.get(c.column_name.toLowerCase());
    const type = c.data_type === "VARCHAR" && length !== undefined ? `VARCHAR(${length})` : c.data_type;
    const column: ColumnModel = newColumn("duckdb", table.name, c.column_name, type, {
      nullable: c.is_nullable,
      defaultValue: c.column_default ?? null,
      description: c.comment ?? null,
    });
    table.columns.push(column);
  }

  for (const k of constraints) {
    const table = byKey.get(key(k.schema_name, k.table_name));
    if (!table) continue;
    const cols = k.constraint_column_names;
    const column = cols.length === 1 ? table.columns.find((c) => c.name === cols[0]) : undefined;
    switch (k.constraint_type) {
      case "PRIMARY KEY":
        table.primaryKey = [...cols];
        for (const c of table.columns) if (cols.includes(c.name)) c.primaryKey = true;
        break;
      case "UNIQUE":
        if (column) column.unique = true;
        else table.uniqueKeys.push([...cols]);
        break;
      case "NOT NULL":
        if (column) column.nullable = false;
        break;
      case "CHECK": {
        const expression = k.expression ?? "";
        if (column) {
          column.checks.push(expression);
          const allowed = parseAllowedValues(expression, column.name);
          if (allowed) column.allowedValues = column.allowedValues ? column.allowedValues.filter((v) => allowed.includes(v)) : allowed;
        } else table.checks.push(expression);
        break;
      }
      case "FOREIGN KEY": {
        const fk: ForeignKeyModel = {
          columns: [...cols],
          refTable: resolveRefTable(byKey, k.schema_name, k.referenced_table ?? ""),
          refColumns: [...k.referenced_column_names],
        };
        table.foreignKeys.push(fk);
        break;
      }
      default:
        break;
    }
  }

  const tableLines = new Map(model.tables.map((t) => [t.name, lineOf.get(t.name.toLowerCase())]).filter((e): e is [string, number] => e[1] !== undefined));
  return { model, warnings, tableLines };
}

function resolveRefTable(byKey: Map<string, TableModel>, schema: string, refTable: string): string {
  const sameSchema = byKey.get(`${schema}\u0000${refTable}`);
  if (sameSchema) return sameSchema.name;
  const main = byKey.get(`main\u0000${refTable}`);
  if (main) return main.name;
  return refTable;
}
