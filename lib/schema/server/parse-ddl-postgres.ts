import "server-only";
import { loadModule, parse, scanSync, type ScanToken } from "libpg-query";
import { ValidationError } from "@/lib/errors";
import { parseAllowedValues } from "@/lib/schema/checks";
import { duplicateTableError, finishSchema, newColumn, newTable } from "@/lib/schema/ddl-finish";
import { validateSchemaText } from "@/lib/schema/input";
import type { ColumnModel, ParsedSchema, SchemaWarning, TableModel } from "@/lib/schema/model";
import { mapType } from "@/lib/schema/types";
import { leadingWords, splitSqlStatements } from "@/lib/schema/split-sql";
import { list, node, num, str, unwrap, type AstNode, type AstValue } from "@/lib/schema/server/ddl-ast";

// Reads PostgreSQL DDL (hand-written or pg_dump --schema-only) with PostgreSQL's own parser
// (libpg-query, compiled to WebAssembly). Nothing is executed: the syntax tree is walked and the
// model built from it. Expressions (DEFAULT, CHECK) and types are kept as the source wrote them,
// sliced out of the text by the parser's byte locations.

/** A piece of source text the parser saw, with its tokens, for slicing by byte offset. */
class Source {
  readonly bytes: Buffer;
  private tokens: ScanToken[] | null = null;
  private newlines: number[] = [];
  constructor(
    readonly text: string,
    private readonly firstLine: number,
  ) {
    this.bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 10) this.newlines.push(i);
  }
  slice(start: number, end: number): string {
    return this.bytes.subarray(start, end).toString("utf8");
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.newlines[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return this.firstLine + lo;
  }
  /** Tokens without comments. */
  allTokens(): ScanToken[] {
    if (this.tokens === null) this.tokens = scanSync(this.text).tokens.filter((t) => !/COMMENT/.test(t.tokenName));
    return this.tokens;
  }
  /** Index of the first token starting at or after a byte offset. */
  tokenAt(offset: number): number {
    const tokens = this.allTokens();
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tokens[mid] as ScanToken).start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** The offset of the first character that is not whitespace or a comment. */
  skipTrivia(offset: number): number {
    const b = this.bytes;
    let i = offset;
    for (;;) {
      while (i < b.length && (b[i] === 32 || b[i] === 9 || b[i] === 10 || b[i] === 13 || b[i] === 12)) i++;
      if (b[i] === 45 && b[i + 1] === 45) {
        while (i < b.length && b[i] !== 10) i++;
      } else if (b[i] === 47 && b[i + 1] === 42) {
        const end = b.indexOf("*/", i + 2);
        i = end === -1 ? b.length : end + 2;
      } else return i;
    }
  }
}

const CONSTRAINT_WORDS = new Set(["CONSTRAINT", "NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "DEFAULT", "GENERATED", "COLLATE", "DEFERRABLE", "INITIALLY", "COMPRESSION", "STORAGE"]);

/** Text of the tokens from index `from` up to (not including) the first top-level stop. */
function tokensUntil(src: Source, from: number, stop: (t: ScanToken, depth: number, first: boolean) => boolean): { text: string; end: number } {
  const tokens = src.allTokens();
  let depth = 0;
  let i = from;
  for (; i < tokens.length; i++) {
    const t = tokens[i] as ScanToken;
    if (depth === 0 && stop(t, depth, i === from)) break;
    if (t.text === "(" || t.text === "[") depth++;
    else if (t.text === ")" || t.text === "]") {
      if (depth === 0) break;
      depth--;
    }
  }
  if (i === from) return { text: "", end: from };
  const first = tokens[from] as ScanToken;
  const last = tokens[i - 1] as ScanToken;
  return { text: src.slice(first.start, last.end), end: i };
}

function isStopWord(t: ScanToken): boolean {
  return t.text === "," || t.text === ";" || CONSTRAINT_WORDS.has(t.text.toUpperCase());
}

/** The declared type text starting at the type's location, e.g. "character varying(64)[]". */
function typeText(src: Source, location: number): string {
  return tokensUntil(src, src.tokenAt(location), (t) => isStopWord(t)).text;
}

/** The DEFAULT expression of a column constraint that starts at `location`. */
function defaultText(src: Source, location: number): string | null {
  const tokens = src.allTokens();
  let i = src.tokenAt(location);
  while (i < tokens.length && (tokens[i] as ScanToken).text.toUpperCase() !== "DEFAULT") i++;
  if (i >= tokens.length) return null;
  const text = tokensUntil(src, i + 1, (t, _d, first) => !first && (isStopWord(t) && t.text.toUpperCase() !== "NULL")).text;
  return text === "" ? null : text;
}

/** The expression inside CHECK ( … ) of a constraint that starts at `location`. */
function checkText(src: Source, location: number): string | null {
  const tokens = src.allTokens();
  let i = src.tokenAt(location);
  while (i < tokens.length && (tokens[i] as ScanToken).text.toUpperCase() !== "CHECK") i++;
  if (i + 1 >= tokens.length || (tokens[i + 1] as ScanToken).text !== "(") return null;
  const inner = tokensUntil(src, i + 2, () => false);
  return inner.text;
}

function names(v: AstValue): string[] {
  return list(v)
    .map((x) => str(node(node(x)?.String)?.sval))
    .filter((x): x is string => x !== undefined);
}

function relationName(rel: AstNode | undefined): string {
  if (!rel) return "";
  const schema = str(rel.schemaname);
  const table = str(rel.relname) ?? "";
  return schema && schema !== "public" && schema !== "pg_catalog" ? `${schema}.${table}` : table;
}

/** Column names a CHECK expression refers to. */
function columnRefs(v: AstValue, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    for (const x of v) columnRefs(x, out);
    return out;
  }
  const n = node(v);
  if (!n) return out;
  const ref = node(n.ColumnRef);
  if (ref) {
    const fields = names(ref.fields);
    const last = fields[fields.length - 1];
    if (last !== undefined) out.add(last);
    return out;
  }
  for (const value of Object.values(n)) columnRefs(value, out);
  return out;
}

interface TableState {
  table: TableModel;
  line: number;
}

interface Enum {
  labels: string[];
}

const QUIET = new Set([
  "VariableSetStmt",
  "CreateSeqStmt",
  "AlterSeqStmt",
  "AlterOwnerStmt",
  "GrantStmt",
  "GrantRoleStmt",
  "AlterDefaultPrivilegesStmt",
  "CreateExtensionStmt",
  "TransactionStmt",
  "CreateSchemaStmt",
]);

const DESCRIBED: Record<string, string> = {
  ViewStmt: "CREATE VIEW",
  CreateFunctionStmt: "CREATE FUNCTION",
  CreateTrigStmt: "CREATE TRIGGER",
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  CopyStmt: "COPY",
  DropStmt: "DROP",
  CreateTableAsStmt: "CREATE TABLE … AS",
  CreateDomainStmt: "CREATE DOMAIN",
};

function describe(kind: string, text: string): string {
  return DESCRIBED[kind] ?? (leadingWords(text, 3).filter((w) => /^[A-Z_]+$/.test(w)).join(" ") || kind);
}

interface Unit {
  src: Source;
  kind: string;
  body: AstNode;
  /** Byte range of the statement in src. */
  start: number;
  end: number;
  line: number;
}

async function parseUnits(ddl: string, warnings: SchemaWarning[]): Promise<Unit[]> {
  await loadModule();
  const units: Unit[] = [];
  const collect = (src: Source, stmts: AstValue) => {
    for (const raw of list(stmts)) {
      const s = node(raw);
      const wrapped = unwrap(s?.stmt);
      if (!s || !wrapped) continue;
      const location = num(s.stmt_location) ?? 0;
      const length = num(s.stmt_len) ?? src.bytes.length - location;
      const start = src.skipTrivia(location);
      units.push({ src, kind: wrapped[0], body: wrapped[1], start, end: location + (length === 0 ? src.bytes.length - location : length), line: src.lineAt(start) });
    }
  };
  try {
    const whole = new Source(ddl, 1);
    const result = await parse(ddl);
    collect(whole, result.stmts as unknown as AstValue);
    return units;
  } catch {
    // One statement the parser rejects: parse statement by statement so the rest still imports.
  }
  for (const span of splitSqlStatements(ddl)) {
    const src = new Source(span.text, span.line);
    try {
      const result = await parse(span.text);
      collect(src, result.stmts as unknown as AstValue);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
      const line = details?.cursorPosition !== undefined ? src.lineAt(details.cursorPosition) : span.line;
      warnings.push({ message: `Statement at line ${span.line} was skipped: PostgreSQL cannot parse it (${message}${line !== span.line ? `, line ${line}` : ""}).`, line: span.line });
    }
  }
  return units;
}

/** Parses PostgreSQL DDL into the studio's schema model without executing anything. */
export async function parsePostgresDdl(input: string): Promise<ParsedSchema> {
  const ddl = validateSchemaText(input);
  const warnings: SchemaWarning[] = [];
  const units = await parseUnits(ddl, warnings);

  const tables = new Map<string, TableState>();
  const enums = new Map<string, Enum>();
  const domains = new Map<string, string>();
  const quiet: number[] = [];
  const ignoredIndexes: number[] = [];
  const deferred: Array<() => void> = [];

  const findTable = (name: string, line: number, what: string): TableModel | undefined => {
    const found = tables.get(name)?.table;
    if (!found) warnings.push({ message: `${what} at line ${line} refers to table ${name}, which is not created in this DDL: it was skipped.`, line });
    return found;
  };

  const enumOf = (typeNames: string[]): Enum | undefined => {
    const last = typeNames[typeNames.length - 1] ?? "";
    const schema = typeNames.length > 1 ? typeNames[typeNames.length - 2] : undefined;
    return enums.get(schema && schema !== "public" ? `${schema}.${last}` : last) ?? (schema === undefined ? undefined : enums.get(last));
  };

  const applyTableConstraint = (unit: Unit, table: TableModel, c: AstNode, column?: ColumnModel) => {
    const contype = str(c.contype);
    const location = num(c.location) ?? unit.start;
    const keys = column ? [column.name] : names(c.keys);
    switch (contype) {
      case "CONSTR_PRIMARY":
        table.primaryKey = keys;
        for (const col of table.columns) {
          if (keys.includes(col.name)) {
            col.primaryKey = true;
            col.nullable = false;
          }
        }
        break;
      case "CONSTR_UNIQUE":
        if (keys.length === 1) {
          const col = table.columns.find((x) => x.name === keys[0]);
          if (col) col.unique = true;
        } else if (!table.uniqueKeys.some((k) => k.join("\u0000") === keys.join("\u0000"))) table.uniqueKeys.push(keys);
        break;
      case "CONSTR_FOREIGN": {
        const refTable = relationName(node(c.pktable));
        const fk = { columns: column ? [column.name] : names(c.fk_attrs), refTable, refColumns: names(c.pk_attrs) };
        table.foreignKeys.push(fk);
        if (fk.refColumns.length === 0) {
          // REFERENCES t without columns means t's primary key, known once every statement is read.
          deferred.push(() => {
            fk.refColumns = [...(tables.get(refTable)?.table.primaryKey ?? [])];
          });
        }
        break;
      }
      case "CONSTR_CHECK": {
        const expression = checkText(unit.src, location);
        if (expression === null) break;
        const refs = [...columnRefs(c.raw_expr)];
        const target = column ?? (refs.length === 1 ? table.columns.find((x) => x.name === refs[0]) : undefined);
        if (target && (refs.length === 0 || (refs.length === 1 && refs[0] === target.name))) {
          target.checks.push(expression);
          const allowed = parseAllowedValues(expression, target.name);
          if (allowed) target.allowedValues = target.allowedValues ? target.allowedValues.filter((v) => allowed.includes(v)) : allowed;
        } else table.checks.push(expression);
        break;
      }
      case "CONSTR_NOTNULL":
        if (column) column.nullable = false;
        else for (const col of table.columns) if (keys.includes(col.name)) col.nullable = false;
        break;
      case "CONSTR_NULL":
        if (column) column.nullable = true;
        break;
      case "CONSTR_DEFAULT":
        if (column) column.defaultValue = defaultText(unit.src, location);
        break;
      case "CONSTR_IDENTITY":
        if (column) column.nullable = false;
        break;
      case "CONSTR_EXCLUSION":
        warnings.push({ message: `An EXCLUDE constraint on ${table.name} (line ${unit.src.lineAt(location)}) was ignored: the model has no exclusion constraints.`, line: unit.src.lineAt(location) });
        break;
      default:
        break;
    }
  };

  const addColumn = (unit: Unit, table: TableModel, def: AstNode) => {
    const name = str(def.colname) ?? "";
    const typeName = node(def.typeName);
    const typeLocation = num(typeName?.location);
    const typeNames = names(typeName?.names);
    const original = typeLocation !== undefined ? typeText(unit.src, typeLocation) : typeNames.join(".");
    const isArray = list(typeName?.arrayBounds).length > 0;
    let column: ColumnModel;
    const en = enumOf(typeNames);
    const domain = domains.get(typeNames.join("."));
    if (en && !isArray) {
      column = newColumn("postgres", table.name, name, original);
      column.type = "VARCHAR";
      column.canonicalType = "enum";
      column.enumValues = [...en.labels];
      column.allowedValues = [...en.labels];
    } else if (domain !== undefined && !isArray) {
      column = newColumn("postgres", table.name, name, original);
      const mapped = mapType("postgres", domain);
      column.type = mapped.duckdbType;
      column.canonicalType = mapped.canonicalType;
    } else {
      column = newColumn("postgres", table.name, name, original);
    }
    if (/^(small|big)?serial[248]?$/i.test(original.trim())) column.nullable = false;
    table.columns.push(column);
    for (const raw of list(def.constraints)) {
      const c = node(node(raw)?.Constraint);
      if (c) applyTableConstraint(unit, table, c, column);
    }
  };

  for (const unit of units) {
    const { kind, body, line } = unit;
    const text = unit.src.slice(unit.start, unit.end);
    switch (kind) {
      case "CreateStmt": {
        const name = relationName(node(body.relation));
        if (list(body.inhRelations).length > 0 || node(body.partbound)) {
          warnings.push({ message: `Table ${name} (line ${line}) inherits from or is a partition of another table: only its own columns were read.`, line });
        }
        const previous = tables.get(name);
        if (previous) throw duplicateTableError(name, previous.line, line);
        const table = newTable(name);
        tables.set(name, { table, line });
        for (const raw of list(body.tableElts)) {
          const el = unwrap(raw);
          if (!el) continue;
          if (el[0] === "ColumnDef") addColumn(unit, table, el[1]);
          else if (el[0] === "Constraint") applyTableConstraint(unit, table, el[1]);
          else warnings.push({ message: `Part of CREATE TABLE ${name} (line ${line}) was ignored (${el[0]}).`, line });
        }
        break;
      }
      case "CreateEnumStmt": {
        const typeNames = names(body.typeName);
        const last = typeNames[typeNames.length - 1] ?? "";
        const schema = typeNames.length > 1 ? typeNames[typeNames.length - 2] : undefined;
        enums.set(schema && schema !== "public" ? `${schema}.${last}` : last, { labels: names(body.vals) });
        break;
      }
      case "CreateDomainStmt": {
        const typeName = node(body.typeName);
        const location = num(typeName?.location);
        const domainNames = names(body.domainname);
        const base = location !== undefined ? typeText(unit.src, location) : names(typeName?.names).join(".");
        domains.set(domainNames.join("."), base);
        domains.set(domainNames[domainNames.length - 1] ?? "", base);
        break;
      }
      case "CommentStmt": {
        const objtype = str(body.objtype);
        if (objtype !== "OBJECT_TABLE" && objtype !== "OBJECT_COLUMN") {
          quiet.push(line);
          break;
        }
        const parts = names(node(body.object)?.List ? node(node(body.object)?.List)?.items : []);
        const comment = str(body.comment) ?? null;
        deferred.unshift(() => {
          if (objtype === "OBJECT_TABLE") {
            const tableName = parts.length > 1 && parts[parts.length - 2] !== "public" ? parts.slice(-2).join(".") : (parts[parts.length - 1] ?? "");
            const table = findTable(tableName, line, "COMMENT ON TABLE");
            if (table) table.description = comment;
          } else {
            const col = parts[parts.length - 1] ?? "";
            const tparts = parts.slice(0, -1);
            const tableName = tparts.length > 1 && tparts[tparts.length - 2] !== "public" ? tparts.slice(-2).join(".") : (tparts[tparts.length - 1] ?? "");
            const table = findTable(tableName, line, "COMMENT ON COLUMN");
            const column = table?.columns.find((c) => c.name === col);
            if (table && !column) warnings.push({ message: `COMMENT ON COLUMN at line ${line} names column ${col}, which ${tableName} does not have: it was skipped.`, line });
            if (column) column.description = comment;
          }
        });
        break;
      }
      case "AlterTableStmt": {
        if (str(body.objtype) !== "OBJECT_TABLE") {
          quiet.push(line);
          break;
        }
        const name = relationName(node(body.relation));
        const cmds = list(body.cmds).map((x) => node(node(x)?.AlterTableCmd)).filter((x): x is AstNode => x !== undefined);
        if (cmds.every((cmd) => str(cmd.subtype) === "AT_ChangeOwner")) {
          quiet.push(line);
          break;
        }
        const table = findTable(name, line, "ALTER TABLE");
        if (!table) break;
        for (const cmd of cmds) {
          const subtype = str(cmd.subtype);
          const def = node(cmd.def);
          if (subtype === "AT_AddConstraint" && node(def?.Constraint)) applyTableConstraint(unit, table, node(def?.Constraint) as AstNode);
          else if (subtype === "AT_AddColumn" && node(def?.ColumnDef)) addColumn(unit, table, node(def?.ColumnDef) as AstNode);
          else if (subtype === "AT_SetNotNull" || subtype === "AT_DropNotNull" || subtype === "AT_ColumnDefault") {
            const column = table.columns.find((c) => c.name === str(cmd.name));
            if (!column) warnings.push({ message: `ALTER TABLE ${name} at line ${line} names column ${str(cmd.name)}, which does not exist: it was skipped.`, line });
            else if (subtype === "AT_SetNotNull") column.nullable = false;
            else if (subtype === "AT_DropNotNull") column.nullable = true;
            else column.defaultValue = def ? defaultAfterSet(unit.src, unit.start, unit.end) : null;
          } else if (subtype === "AT_ChangeOwner") {
            // ownership says nothing about the schema
          } else {
            warnings.push({ message: `Part of ALTER TABLE ${name} at line ${line} was ignored (${(subtype ?? "unknown").replace(/^AT_/, "")}): only ADD CONSTRAINT, ADD COLUMN, SET/DROP NOT NULL and SET DEFAULT are read.`, line });
          }
        }
        break;
      }
      case "IndexStmt": {
        const name = relationName(node(body.relation));
        const columns = list(body.indexParams).map((x) => str(node(node(x)?.IndexElem)?.name));
        if (body.unique === true && !node(body.whereClause) && columns.every((c): c is string => c !== undefined) && columns.length > 0) {
          const table = findTable(name, line, "CREATE UNIQUE INDEX");
          if (table) applyTableConstraint(unit, table, { contype: "CONSTR_UNIQUE", keys: columns.map((c) => ({ String: { sval: c } })) });
          warnings.push({ message: `CREATE UNIQUE INDEX at line ${line} was read as a UNIQUE constraint on ${name} (${columns.join(", ")}); the index itself is ignored.`, line });
        } else {
          ignoredIndexes.push(line);
        }
        break;
      }
      case "SelectStmt": {
        // pg_dump's SELECT pg_catalog.set_config(…) / setval(…)
        if (/^SELECT\s+pg_catalog\.(set_config|setval)\s*\(/i.test(text)) quiet.push(line);
        else warnings.push({ message: `Statement at line ${line} (SELECT) was skipped: only CREATE TABLE, CREATE TYPE … AS ENUM, COMMENT ON and ALTER TABLE … ADD CONSTRAINT are read.`, line });
        break;
      }
      default:
        if (QUIET.has(kind)) quiet.push(line);
        else warnings.push({ message: `Statement at line ${line} (${describe(kind, text)}) was skipped: only CREATE TABLE, CREATE TYPE … AS ENUM, COMMENT ON and ALTER TABLE … ADD CONSTRAINT are read.`, line });
    }
  }
  for (const run of deferred) run();

  if (ignoredIndexes.length > 0) {
    warnings.push({
      message: `${ignoredIndexes.length} CREATE INDEX statement${ignoredIndexes.length === 1 ? " was" : "s were"} ignored (line${ignoredIndexes.length === 1 ? "" : "s"} ${ignoredIndexes.join(", ")}): indexes do not change the model.`,
      line: ignoredIndexes[0],
    });
  }
  if (quiet.length > 0 && tables.size > 0 && quiet.length >= 3) {
    warnings.push({ message: `${quiet.length} settings, sequence, ownership and similar statements were skipped (first at line ${quiet[0]}): they do not change the tables.`, line: quiet[0] });
  }
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  const model = { dialect: "postgres" as const, tables: [...tables.values()].map((s) => s.table) };
  const tableLines = new Map([...tables.entries()].map(([k, v]) => [k, v.line]));
  if (model.tables.length === 0 && units.length === 0 && warnings.length > 0) {
    throw new ValidationError(`No statement could be read as PostgreSQL: ${warnings[0]?.message ?? ""} Check that the dialect is right.`);
  }
  return finishSchema("postgres", model, warnings, tableLines);
}

/** The expression after SET DEFAULT in an ALTER TABLE statement. */
function defaultAfterSet(src: Source, start: number, end: number): string | null {
  const tokens = src.allTokens();
  let i = src.tokenAt(start);
  while (i < tokens.length && (tokens[i] as ScanToken).start < end && (tokens[i] as ScanToken).text.toUpperCase() !== "DEFAULT") i++;
  if (i >= tokens.length || (tokens[i] as ScanToken).start >= end) return null;
  const text = tokensUntil(src, i + 1, (t) => t.text === "," || t.text === ";" || t.start >= end).text;
  return text === "" ? null : text;
}
