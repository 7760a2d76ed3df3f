import { ValidationError } from "@/lib/errors";
import { addColumn, addUnique, finishModel, newTable, qualifiedName, setPrimaryKey } from "@/lib/schema/catalog-model";
import type { ParsedSchema, SchemaModel, SchemaWarning, TableModel } from "@/lib/schema/model";

// Reads a metadata-only export for teams that cannot share DDL or a database file:
//  - DuckDB's SHOW ALL TABLES / DESCRIBE listing (database, schema, name, column_names,
//    column_types, temporary), one row per table, the lists as DuckDB, Python or NumPy print them;
//  - one row per column (table_name, column_name, column_type[, null, key, default]), e.g. DESCRIBE
//    per table with the table name added, or information_schema.columns.
// As CSV (any of , ; tab |) or JSON (an array of objects, or one object per line).

export const MAX_EXPORT_BYTES = 5 * 1024 * 1024;

export type DescribeFormat = "csv" | "json" | "auto";

type Row = Record<string, unknown>;

const TABLE_KEYS = ["table_name", "table", "tbl_name", "relation"];
const COLUMN_KEYS = ["column_name", "column", "col_name", "field"];
const TYPE_KEYS = ["column_type", "data_type", "type"];
const NULL_KEYS = ["null", "nullable", "is_nullable"];
const DEFAULT_KEYS = ["default", "column_default", "default_value"];

const FK_WARNING = "Foreign keys are not part of a DESCRIBE export: they will be inferred from column names and offered as suggestions to confirm.";

export function parseDescribeExport(input: string | Uint8Array, format: DescribeFormat): ParsedSchema {
  const text = decode(input);
  const kind = format === "auto" ? (/^\s*[[{]/.test(text) ? "json" : "csv") : format;
  const rows = kind === "json" ? readJson(text) : readCsv(text);
  if (rows.length === 0) {
    throw new ValidationError("The export has no rows, so the schema has no tables. Export SHOW ALL TABLES (or DESCRIBE of each table) with at least one table.");
  }
  const keys = new Set(rows.flatMap((r) => Object.keys(r)));
  if (keys.has("column_names") && keys.has("column_types")) return fromTableListing(rows);
  const tableKey = TABLE_KEYS.find((k) => keys.has(k));
  const columnKey = COLUMN_KEYS.find((k) => keys.has(k)) ?? (tableKey && keys.has("name") ? "name" : undefined);
  const typeKey = TYPE_KEYS.find((k) => keys.has(k));
  if (columnKey && typeKey && !tableKey) {
    throw new ValidationError(
      "The export lists columns but not the table they belong to. Add a table_name column (for example export SELECT table_name, column_name, data_type FROM information_schema.columns), or export SHOW ALL TABLES.",
    );
  }
  if (!tableKey || !columnKey || !typeKey) {
    throw new ValidationError(
      `The export's columns (${[...keys].slice(0, 12).join(", ") || "none"}) are not a DESCRIBE-style listing. Expected either name, column_names, column_types (SHOW ALL TABLES) or table_name, column_name, column_type (one row per column).`,
    );
  }
  return fromColumnRows(rows, tableKey, columnKey, typeKey);
}

// --- decoding --------------------------------------------------------------------------------

function decode(input: string | Uint8Array): string {
  let text: string;
  if (typeof input === "string") {
    if (input.length > MAX_EXPORT_BYTES) throw tooLarge();
    text = input;
  } else {
    if (input.byteLength > MAX_EXPORT_BYTES) throw tooLarge();
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      throw notUtf8();
    }
  }
  if (text.includes("\uFFFD")) throw notUtf8();
  if (text.includes("\u0000")) throw new ValidationError("The export contains binary data. Upload the CSV or JSON export itself (not a database file or a spreadsheet).");
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new ValidationError("The export is empty. Export SHOW ALL TABLES (or DESCRIBE of each table) as CSV or JSON and upload that file.");
  return text;
}

function tooLarge(): ValidationError {
  return new ValidationError("The export is larger than 5 MB. Export only the table and column listing (SHOW ALL TABLES), not the data.");
}

function notUtf8(): ValidationError {
  return new ValidationError("The export is not UTF-8 text. Save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\"), or export it again from the database, which writes UTF-8.");
}

// --- JSON ------------------------------------------------------------------------------------

function normalizeKeys(row: unknown, where: string): Row {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw new ValidationError(`${where} is not an object. The JSON export must be an array of objects (one per table or per column).`);
  }
  const out: Row = {};
  for (const [k, v] of Object.entries(row as Row)) out[k.trim().toLowerCase()] = v;
  return out;
}

function readJson(text: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Newline-delimited JSON (DuckDB's COPY … TO 'x.json' default): one object per line.
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    const parsed: unknown[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        parsed.push(JSON.parse(line));
      } catch {
        throw new ValidationError(`The JSON export is not valid JSON (${(error as Error).message}; line ${i + 1} does not parse either). Export it again, or use CSV.`);
      }
    }
    data = parsed;
  }
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    const obj = data as Row;
    const inner = ["tables", "columns", "rows", "data"].map((k) => obj[k]).find(Array.isArray);
    data = inner ?? [obj];
  }
  if (!Array.isArray(data)) throw new ValidationError("The JSON export must be an array of objects (one per table or per column).");
  return data.map((row, i) => normalizeKeys(row, `Item ${i + 1} of the JSON export`));
}

// --- CSV -------------------------------------------------------------------------------------

function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [",", 0],
    ["\t", 0],
    [";", 0],
    ["|", 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** RFC 4180 CSV: quoted fields may hold delimiters, newlines and doubled quotes. Returns rows with the line each starts on. */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let fieldStarted = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) rows.push({ fields, line: rowLine });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' && !fieldStarted) {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new ValidationError(`The CSV export has a quoted field opened on line ${startLine} that is never closed. Check the quotes on that line, or export the file again.`);
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n") line++;
        field += c;
        i++;
      }
      fieldStarted = true;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
        throw new ValidationError(`The CSV export has text after a closing quote on line ${line}. Quote the whole field and double the quotes inside it (""), or export the file again.`);
      }
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = "";
      fieldStarted = false;
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endRow();
      if (ch === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
      rowLine = line;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i++;
  }
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

function readCsv(text: string): Row[] {
  const rows = parseCsv(text);
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.fields.map((h) => h.trim().toLowerCase());
  if (names.length < 2) {
    throw new ValidationError("The CSV export has a single column. Use commas (or tabs, semicolons) between the columns, with a header line such as: database,schema,name,column_names,column_types,temporary.");
  }
  return body.map(({ fields, line }) => {
    if (fields.length !== names.length) {
      throw new ValidationError(
        `Line ${line} of the CSV export has ${fields.length} fields but the header has ${names.length}. Quote fields that contain commas (e.g. "[BIGINT, VARCHAR]"), or export the file again.`,
      );
    }
    const row: Row = {};
    names.forEach((n, i) => (row[n] = fields[i]));
    return row;
  });
}

// --- lists ("[a, b]", "['a', 'b']", "['a' 'b']") ----------------------------------------------

const OPEN_QUOTES = new Set(["'", '"', "\u2018", "\u201C"]);
const CURLY_CLOSE = new Set(["'", '"', "\u2019", "\u201D", "\u2018", "\u201C"]);

/** Items of a list as DuckDB (`[a, b]`), Python (`['a', 'b']`) or NumPy (`['a' 'b']`) print it, or a JSON array. */
export function parseListValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (value === null || value === undefined) return [];
  let s = String(value).trim();
  if ((s.startsWith("[") && s.endsWith("]")) || (s.startsWith("(") && s.endsWith(")")) || (s.startsWith("{") && s.endsWith("}"))) s = s.slice(1, -1);
  const items: string[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (/\s/.test(ch) || ch === ",") {
      i++;
      continue;
    }
    if (OPEN_QUOTES.has(ch)) {
      const straight = ch === "'" || ch === '"';
      let item = "";
      i++;
      while (i < s.length) {
        const c = s[i] as string;
        if (c === "\\" && i + 1 < s.length) {
          item += s[i + 1];
          i += 2;
        } else if (straight && c === ch && s[i + 1] === ch) {
          item += ch;
          i += 2;
        } else if (straight ? c === ch : CURLY_CLOSE.has(c)) {
          i++;
          break;
        } else {
          item += c;
          i++;
        }
      }
      items.push(item);
      continue;
    }
    // Unquoted item: up to the next top-level comma (types like DECIMAL(10,2) or STRUCT(a INT, b INT) keep theirs).
    let depth = 0;
    let item = "";
    while (i < s.length) {
      const c = s[i] as string;
      if (c === "(" || c === "[" || c === "<") depth++;
      else if (c === ")" || c === "]" || c === ">") depth--;
      else if (c === "," && depth <= 0) break;
      item += c;
      i++;
    }
    items.push(item.trim());
  }
  return items;
}

// --- building --------------------------------------------------------------------------------

function str(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value.trim() : String(value);
}

function truthy(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  const s = str(value).toLowerCase();
  if (["yes", "y", "true", "t", "1"].includes(s)) return true;
  if (["no", "n", "false", "f", "0"].includes(s)) return false;
  return undefined;
}

function fromTableListing(rows: Row[]): ParsedSchema {
  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "duckdb", tables: [] };
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const tableName = str(row.name ?? row.table_name ?? row.table);
    if (tableName === "") throw new ValidationError(`Row ${index + 1} of the export has no table name (the "name" column is empty).`);
    const schema = str(row.schema ?? row.schema_name) || "main";
    const name = qualifiedName(schema, tableName, ["main", ""]);
    if (seen.has(name.toLowerCase())) {
      const db = str(row.database);
      throw new ValidationError(`Table ${name} appears twice in the export${db ? ` (database ${db})` : ""}. Export one database at a time.`);
    }
    seen.add(name.toLowerCase());
    const names = parseListValue(row.column_names);
    const types = parseListValue(row.column_types);
    if (names.length !== types.length) {
      throw new ValidationError(
        `Table ${name} lists ${names.length} column names but ${types.length} column types. Check that table's row in the export (a list may have been cut or wrapped), or export it again.`,
      );
    }
    const table = newTable(name);
    names.forEach((col, i) => addTableColumn(table, col, types[i] as string, true, null, warnings));
    model.tables.push(table);
  });
  return finish(model, warnings);
}

function addTableColumn(table: TableModel, name: string, type: string, nullable: boolean, defaultValue: string | null, warnings: SchemaWarning[]) {
  if (name === "") throw new ValidationError(`Table ${table.name} has a column without a name in the export. Check that table's row, or export it again.`);
  if (table.columns.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
    throw new ValidationError(`Table ${table.name} lists the column ${name} twice. Check that table's rows in the export.`);
  }
  return addColumn("duckdb", table, { name, originalType: type, nullable, defaultValue }, warnings);
}

function fromColumnRows(rows: Row[], tableKey: string, columnKey: string, typeKey: string): ParsedSchema {
  const warnings: SchemaWarning[] = [];
  const model: SchemaModel = { dialect: "duckdb", tables: [] };
  const byName = new Map<string, TableModel>();
  const pk = new Map<TableModel, string[]>();
  const nullKey = NULL_KEYS.find((k) => rows.some((r) => k in r));
  const defaultKey = DEFAULT_KEYS.find((k) => rows.some((r) => k in r));
  rows.forEach((row, index) => {
    const tableName = str(row[tableKey]);
    if (tableName === "") throw new ValidationError(`Row ${index + 1} of the export has no table name (the "${tableKey}" column is empty).`);
    const schema = str(row.table_schema ?? row.schema ?? row.schema_name) || "main";
    const name = qualifiedName(schema, tableName, ["main", ""]);
    let table = byName.get(name);
    if (!table) {
      table = newTable(name);
      byName.set(name, table);
      model.tables.push(table);
    }
    const nullable = nullKey ? (truthy(row[nullKey]) ?? true) : true;
    const defaultRaw = defaultKey ? row[defaultKey] : null;
    const defaultValue = defaultRaw === null || defaultRaw === undefined || str(defaultRaw) === "" || str(defaultRaw).toUpperCase() === "NULL" ? null : str(defaultRaw);
    const column = addTableColumn(table, str(row[columnKey]), str(row[typeKey]), nullable, defaultValue, warnings);
    const key = str(row.key ?? row.column_key).toUpperCase();
    if (key === "PRI" || key === "PRIMARY KEY" || key === "PK") pk.set(table, [...(pk.get(table) ?? []), column.name]);
    else if (key === "UNI" || key === "UNIQUE") column.unique = true;
  });
  for (const [table, cols] of pk) setPrimaryKey(table, cols);
  for (const table of model.tables) for (const c of table.columns) if (c.unique) addUnique(table, [c.name]);
  return finish(model, warnings);
}

function finish(model: SchemaModel, warnings: SchemaWarning[]): ParsedSchema {
  const keyless = model.tables.filter((t) => t.primaryKey.length === 0).map((t) => t.name);
  const result = finishModel(model, warnings, {
    noTablesMessage: "The export lists no tables. Export SHOW ALL TABLES (or DESCRIBE of each table) with at least one table.",
    warnMissingPrimaryKey: false,
  });
  const extra: SchemaWarning[] = [{ message: FK_WARNING }];
  if (keyless.length > 0) {
    extra.push({
      message: `The export has no primary key for ${keyless.length === model.tables.length ? "any table" : keyless.join(", ")}: mark the key columns in the schema editor so the sandbox keeps them unique.`,
    });
  }
  return { model: result.model, warnings: [...extra, ...result.warnings] };
}
