import "server-only";
import sqlParser from "node-sql-parser";
import { parseAllowedValues } from "@/lib/schema/checks";
import { duplicateTableError, finishSchema, newColumn, newTable, tableKey } from "@/lib/schema/ddl-finish";
import { validateSchemaText } from "@/lib/schema/input";
import type { ColumnModel, ForeignKeyModel, ParsedSchema, SchemaWarning, TableModel } from "@/lib/schema/model";
import { leadingWords, splitSqlStatements, type SqlStatementSpan } from "@/lib/schema/split-sql";
import { unquoteSqlString } from "@/lib/schema/types";
import { list, node, num, str, type AstNode, type AstValue } from "@/lib/schema/server/ddl-ast";

// Reads MySQL / MariaDB DDL (hand-written or mysqldump --no-data) with node-sql-parser, one
// statement at a time, so a statement the parser does not understand becomes a warning with its
// line and the rest still imports. Nothing is executed.

const parser = new sqlParser.Parser();

const READ = "only CREATE TABLE, ALTER TABLE … ADD CONSTRAINT/KEY and CREATE INDEX are read";

/** mysqldump boilerplate: skipped without a warning each. */
const QUIET_FIRST_WORDS = new Set(["SET", "USE", "LOCK", "UNLOCK", "START", "BEGIN", "COMMIT", "DELIMITER"]);

interface Parsed {
  ast: AstNode;
  database: "MySQL" | "MariaDB";
}

function astify(text: string): Parsed | { error: string; line?: number } {
  let first: { error: string; line?: number } | null = null;
  for (const database of ["MySQL", "MariaDB"] as const) {
    try {
      const result = parser.astify(text, { database, parseOptions: { includeLocations: true } }) as unknown as AstValue;
      const ast = Array.isArray(result) ? node(result[0]) : node(result);
      if (ast) return { ast, database };
    } catch (error) {
      const e = error as { message?: string; location?: { start?: { line?: number } } };
      first ??= { error: shortMessage(e.message ?? String(error)), line: e.location?.start?.line };
    }
  }
  return first ?? { error: "the parser returned nothing" };
}

function shortMessage(message: string): string {
  // Peggy lists every token it expected; the part after "but" is what helps.
  const found = /but (.+?) found\.?$/s.exec(message);
  return found ? `unexpected ${found[1]}` : message.length > 160 ? `${message.slice(0, 160)}…` : message;
}

function columnName(v: AstValue): string {
  const n = node(v);
  if (!n) return str(v) ?? "";
  const c = n.column;
  if (typeof c === "string") return c;
  const expr = node(node(c)?.expr);
  return str(expr?.value) ?? str(n.value) ?? "";
}

function tableName(v: AstValue): string {
  const t = node(Array.isArray(v) ? v[0] : v);
  if (!t) return "";
  const db = str(t.db);
  const name = str(t.table) ?? "";
  return db ? `${db}.${name}` : name;
}

/** The declared type rebuilt from the parse tree, e.g. "int unsigned", "decimal(10,2)", "enum('a','b')". */
function originalType(def: AstNode): string {
  const dataType = (str(def.dataType) ?? "").toLowerCase();
  let params = "";
  const expr = node(def.expr);
  if (expr && Array.isArray(expr.value)) {
    params = `(${list(expr.value)
      .map((v) => `'${str(node(v)?.value) ?? String(node(v)?.value ?? "")}'`)
      .join(",")})`;
  } else if (num(def.length) !== undefined) {
    const scale = num(def.scale);
    params = `(${num(def.length)}${scale !== undefined ? `,${scale}` : ""})`;
  }
  const suffix = list(def.suffix)
    .map((s) => str(s)?.toLowerCase())
    .filter((s): s is string => s !== undefined && s !== "");
  return [dataType + params, ...suffix].join(" ");
}

function textOf(statement: string, value: AstValue, database: string): string {
  const n = node(value);
  if (!n) return String(value);
  const loc = node(n.loc);
  const start = num(node(loc?.start)?.offset);
  const end = num(node(loc?.end)?.offset);
  if (start !== undefined && end !== undefined) return statement.slice(start, end);
  const type = str(n.type);
  if (type === "single_quote_string" || type === "string") return `'${str(n.value) ?? ""}'`;
  if (type === "double_quote_string") return `"${str(n.value) ?? ""}"`;
  if (type === "number") return String(n.value);
  if (type === "bool" || type === "boolean") return n.value ? "TRUE" : "FALSE";
  if (type === "null") return "NULL";
  try {
    return (parser as unknown as { exprToSQL: (e: unknown, o: unknown) => string }).exprToSQL(n, { database });
  } catch {
    return "";
  }
}

function columnRefs(v: AstValue, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    for (const x of v) columnRefs(x, out);
    return out;
  }
  const n = node(v);
  if (!n) return out;
  if (n.type === "column_ref") {
    out.add(columnName(n));
    return out;
  }
  for (const [k, value] of Object.entries(n)) if (k !== "loc") columnRefs(value, out);
  return out;
}

interface TableState {
  table: TableModel;
  line: number;
}

/** Parses MySQL or MariaDB DDL into the studio's schema model without executing anything. */
export async function parseMysqlDdl(input: string): Promise<ParsedSchema> {
  const ddl = validateSchemaText(input);
  const warnings: SchemaWarning[] = [];
  const tables = new Map<string, TableState>();
  const ignoredIndexes: number[] = [];
  let quiet = 0;
  let firstQuiet: number | undefined;

  const findTable = (name: string, line: number, what: string): TableModel | undefined => {
    const found = tables.get(tableKey("mysql", name))?.table;
    if (!found) warnings.push({ message: `${what} at line ${line} refers to table ${name}, which is not created in this DDL: it was skipped.`, line });
    return found;
  };

  const applyCheck = (table: TableModel, expression: string, refs: string[], column?: ColumnModel) => {
    const target = column ?? (refs.length === 1 ? table.columns.find((c) => c.name.toLowerCase() === refs[0]?.toLowerCase()) : undefined);
    if (target && refs.every((r) => r.toLowerCase() === target.name.toLowerCase())) {
      target.checks.push(expression);
      const allowed = parseAllowedValues(expression.replace(/`/g, '"'), target.name);
      if (allowed) target.allowedValues = target.allowedValues ? target.allowedValues.filter((v) => allowed.includes(v)) : allowed;
    } else table.checks.push(expression);
  };

  const setPrimaryKey = (table: TableModel, keys: string[]) => {
    table.primaryKey = keys.map((k) => table.columns.find((c) => c.name.toLowerCase() === k.toLowerCase())?.name ?? k);
    for (const col of table.columns) {
      if (table.primaryKey.includes(col.name)) {
        col.primaryKey = true;
        col.nullable = false;
      }
    }
  };

  const addUnique = (table: TableModel, keys: string[]) => {
    if (keys.length === 1) {
      const col = table.columns.find((c) => c.name.toLowerCase() === keys[0]?.toLowerCase());
      if (col) col.unique = true;
    } else if (!table.uniqueKeys.some((k) => k.join("\u0000") === keys.join("\u0000"))) table.uniqueKeys.push(keys);
  };

  const foreignKey = (columns: string[], ref: AstNode): ForeignKeyModel => ({
    columns,
    refTable: tableName(ref.table),
    refColumns: list(ref.definition).map(columnName),
  });

  /** A table-level definition: key, index or constraint. Returns false when it is not one. */
  const applyDefinition = (span: SqlStatementSpan, parsed: Parsed, table: TableModel, def: AstNode, line: number): void => {
    const resource = str(def.resource);
    const type = (str(def.constraint_type) ?? "").toLowerCase();
    const keys = list(def.definition).map(columnName);
    if (resource === "index") {
      ignoredIndexes.push(line);
      return;
    }
    if (type === "primary key") setPrimaryKey(table, keys);
    else if (type.startsWith("unique")) addUnique(table, keys);
    else if (type === "foreign key") {
      const ref = node(def.reference_definition);
      if (ref) table.foreignKeys.push(foreignKey(keys, ref));
    } else if (type === "check") {
      const exprs = list(def.definition);
      for (const e of exprs) applyCheck(table, textOf(span.text, e, parsed.database), [...columnRefs(e)]);
    } else if (type === "fulltext" || type === "spatial" || type.includes("index") || type.includes("key")) {
      ignoredIndexes.push(line);
    } else {
      warnings.push({ message: `Part of the statement at line ${line} on ${table.name} was ignored (${type || resource || "unknown"}).`, line });
    }
  };

  const addColumn = (span: SqlStatementSpan, parsed: Parsed, table: TableModel, def: AstNode) => {
    const name = columnName(def.column);
    const definition = node(def.definition) ?? {};
    const column = newColumn("mysql", table.name, name, originalType(definition));
    const nullable = str(node(def.nullable)?.type);
    if (nullable === "not null") column.nullable = false;
    const dflt = node(def.default_val);
    if (dflt) column.defaultValue = textOf(span.text, dflt.value, parsed.database);
    const comment = node(node(def.comment)?.value);
    if (comment) column.description = unquoteSqlString(`'${str(comment.value) ?? ""}'`, true);
    table.columns.push(column);
    if (def.primary_key) setPrimaryKey(table, [...table.primaryKey, name]);
    if (def.unique || def.unique_or_primary === "unique") column.unique = true;
    const check = node(def.check);
    if (check) for (const e of list(check.definition)) applyCheck(table, textOf(span.text, e, parsed.database), [...columnRefs(e)], column);
    const ref = node(def.reference_definition);
    if (ref) table.foreignKeys.push(foreignKey([name], ref));
  };

  for (const span of splitSqlStatements(ddl, { mysql: true })) {
    const words = leadingWords(span.text.replace(/`/g, '"'), 6);
    const line = span.line;
    const first = words[0] ?? "";
    const isCreateTable = first === "CREATE" && (words[1] === "TABLE" || (words[1] === "TEMPORARY" && words[2] === "TABLE"));
    const isAlter = first === "ALTER" && words[1] === "TABLE";
    const isIndex = first === "CREATE" && (words.slice(1, 4).includes("INDEX"));
    if (QUIET_FIRST_WORDS.has(first) || (first === "DROP" && words.includes("IF"))) {
      quiet++;
      firstQuiet ??= line;
      continue;
    }
    if (!isCreateTable && !isAlter && !isIndex) {
      const what = words.filter((w) => /^[A-Z_]+$/.test(w)).slice(0, first === "CREATE" || first === "DROP" ? 2 : 1).join(" ") || "unrecognised statement";
      warnings.push({ message: `Statement at line ${line} (${what}) was skipped: ${READ}.`, line });
      continue;
    }
    const parsed = astify(span.text);
    if ("error" in parsed) {
      const at = parsed.line !== undefined ? span.line + parsed.line - 1 : line;
      warnings.push({ message: `Statement at line ${line} was skipped: it could not be parsed as MySQL (${parsed.error}${at !== line ? ` on line ${at}` : ""}).`, line });
      continue;
    }
    const ast = parsed.ast;
    if (isIndex) {
      const name = tableName(ast.table);
      const columns = list(ast.index_columns).map(columnName);
      if (str(ast.index_type) === "unique" && columns.length > 0 && columns.every((c) => c !== "")) {
        const table = findTable(name, line, "CREATE UNIQUE INDEX");
        if (table) addUnique(table, columns);
        warnings.push({ message: `CREATE UNIQUE INDEX at line ${line} was read as a UNIQUE constraint on ${name} (${columns.join(", ")}); the index itself is ignored.`, line });
      } else ignoredIndexes.push(line);
      continue;
    }
    if (isCreateTable) {
      if (ast.query_expr || ast.as) {
        warnings.push({ message: `Statement at line ${line} is a CREATE TABLE … AS/LIKE: it was skipped; declare the table's columns instead.`, line });
        continue;
      }
      if (node(ast.like) || ast.like) {
        warnings.push({ message: `Statement at line ${line} is a CREATE TABLE … LIKE: it was skipped; declare the table's columns instead.`, line });
        continue;
      }
      const name = tableName(ast.table);
      const key = tableKey("mysql", name);
      const previous = tables.get(key);
      if (previous) throw duplicateTableError(name, previous.line, line);
      const table = newTable(name);
      for (const option of list(ast.table_options)) {
        const o = node(option);
        if (str(o?.keyword)?.toLowerCase() === "comment") table.description = unquoteSqlString(String(str(o?.value) ?? ""), true) ?? str(o?.value) ?? null;
      }
      tables.set(key, { table, line });
      for (const raw of list(ast.create_definitions)) {
        const def = node(raw);
        if (!def) continue;
        if (str(def.resource) === "column") addColumn(span, parsed, table, def);
        else applyDefinition(span, parsed, table, def, line);
      }
      continue;
    }
    // ALTER TABLE
    const name = tableName(ast.table);
    const table = findTable(name, line, "ALTER TABLE");
    if (!table) continue;
    for (const raw of list(ast.expr)) {
      const action = node(raw);
      if (!action) continue;
      const kind = str(action.action);
      const resource = str(action.resource);
      const def = node(action.create_definitions);
      if (kind === "add" && (resource === "constraint" || resource === "index") && def) applyDefinition(span, parsed, table, def, line);
      else if (kind === "add" && resource === "column" && def) addColumn(span, parsed, table, def);
      else warnings.push({ message: `Part of ALTER TABLE ${name} at line ${line} was ignored (${[kind, resource].filter(Boolean).join(" ") || "unknown"}): only ADD CONSTRAINT, ADD KEY and ADD COLUMN are read.`, line });
    }
  }

  if (ignoredIndexes.length > 0) {
    const lines = [...new Set(ignoredIndexes)];
    warnings.push({ message: `${ignoredIndexes.length} index definition${ignoredIndexes.length === 1 ? " was" : "s were"} ignored (KEY/INDEX, line${lines.length === 1 ? "" : "s"} ${lines.join(", ")}): indexes do not change the model.`, line: lines[0] });
  }
  if (quiet >= 3 && firstQuiet !== undefined) {
    warnings.push({ message: `${quiet} SET, USE, LOCK and DROP … IF EXISTS statements were skipped (first at line ${firstQuiet}): they do not change the tables.`, line: firstQuiet });
  }
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const model = { dialect: "mysql" as const, tables: [...tables.values()].map((s) => s.table) };
  const tableLines = new Map([...tables.values()].map((s) => [s.table.name, s.line]));
  return finishSchema("mysql", model, warnings, tableLines);
}
