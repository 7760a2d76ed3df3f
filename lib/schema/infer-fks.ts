// Foreign keys a schema does not declare but its naming implies: airline_id → airlines.airline_id,
// source_airport_id → airports.airport_id, parent_id → the same table. They start as suggestions
// (origin "inferred", status "suggested") that a person confirms or drops in the glossary; only
// confirmed ones reach the sandbox and prompts (toEffectiveSchema). Pure.
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";

/** Column stems that point at the column's own table (a tree or a hierarchy). */
const SELF_REFERENCE_STEMS = new Set([
  "parent", "manager", "supervisor", "reports_to", "boss", "mentor", "referrer", "referred_by", "predecessor",
  "successor", "previous", "prev", "next", "root", "ancestor", "original", "replaced_by", "duplicate_of", "superior",
  "head",
]);

/** Key column names too generic to match on their own. */
const GENERIC_KEY_NAMES = new Set(["id", "key", "code", "name", "uuid", "no", "num", "number"]);

type Family = "integer" | "text" | "uuid" | "number" | "other";

function family(column: ColumnModel): Family {
  const t = column.type.trim().toUpperCase();
  if (column.canonicalType === "integer" || /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT[1248]|SERIAL|BIGSERIAL)\b/.test(t)) return "integer";
  if (column.canonicalType === "uuid" || t === "UUID") return "uuid";
  if (column.canonicalType === "text" || /^(VARCHAR|CHAR|BPCHAR|TEXT|STRING|CHARACTER|NVARCHAR)\b/.test(t)) return "text";
  if (column.canonicalType === "decimal" || column.canonicalType === "float" || /^(DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL)\b/.test(t)) return "number";
  return "other";
}

function compatible(a: ColumnModel, b: ColumnModel): boolean {
  const fa = family(a);
  const fb = family(b);
  if (fa === "other" || fb === "other") return a.type.trim().toUpperCase() === b.type.trim().toUpperCase();
  // A whole-number DECIMAL key still joins with an integer one.
  if ((fa === "number" && fb === "integer") || (fa === "integer" && fb === "number")) return /^(DECIMAL|NUMERIC)\s*\(\s*\d+\s*(,\s*0\s*)?\)/.test((fa === "number" ? a : b).type.trim().toUpperCase());
  return fa === fb;
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const bare = (tableName: string) => tableName.toLowerCase().replace(/^.*\./, "");

/** "airline_id" → ["airline"]; "source_airport_id" → ["source", "airport"]; "airlineid" → ["airline"]; else null. */
function keyStem(columnName: string): string[] | null {
  const w = words(columnName);
  if (w.length >= 2 && (w[w.length - 1] === "id" || w[w.length - 1] === "key")) return w.slice(0, -1);
  if (w.length === 1 && w[0].length > 4 && w[0].endsWith("id")) return [w[0].slice(0, -2)];
  return null;
}

/** Table names a stem may refer to: the stem, its plurals, and its singular. */
function tableNamesFor(stem: string): string[] {
  const names = [stem, `${stem}s`, `${stem}es`];
  if (stem.endsWith("y")) names.push(`${stem.slice(0, -1)}ies`);
  if (stem.endsWith("s")) names.push(stem.slice(0, -1));
  return names;
}

/** The column a reference to `table` points at: its single-column primary key, else a matching unique column. */
function targetColumn(table: TableModel, preferredNames: string[]): { column: ColumnModel; unique: boolean } | null {
  if (table.primaryKey.length === 1) {
    const pk = table.columns.find((c) => c.name.toLowerCase() === table.primaryKey[0].toLowerCase());
    if (pk) return { column: pk, unique: false };
  }
  if (table.primaryKey.length > 1) return null;
  for (const name of preferredNames) {
    const c = table.columns.find((col) => col.unique && col.name.toLowerCase() === name);
    if (c) return { column: c, unique: true };
  }
  // Metadata-only sources (DESCRIBE exports) carry no keys: a table's leading column named like
  // the reference (airline_id in airlines) is taken as its key, with less confidence.
  const first = table.columns[0];
  if (table.primaryKey.length === 0 && table.uniqueKeys.length === 0 && first && preferredNames.includes(first.name.toLowerCase())) {
    return { column: first, unique: true };
  }
  return null;
}

const round = (n: number) => Math.round(n * 100) / 100;

function suggestFor(table: TableModel, column: ColumnModel, tablesByName: Map<string, TableModel>, pkOwners: Map<string, TableModel[]>): ForeignKeyModel | null {
  const name = column.name.toLowerCase();
  const own = bare(table.name);
  const suggestion = (ref: TableModel, refColumn: ColumnModel, confidence: number): ForeignKeyModel | null => {
    if (!compatible(column, refColumn)) return null;
    if (ref === table && refColumn.name.toLowerCase() === name) return null;
    return { columns: [column.name], refTable: ref.name, refColumns: [refColumn.name], origin: "inferred", confidence: round(confidence), status: "suggested" };
  };

  const stem = keyStem(column.name);
  if (stem) {
    // airline_id → airlines; source_airport_id → airports (a role prefix dropped, less certain).
    for (let start = 0; start < stem.length; start++) {
      const part = stem.slice(start).join("_");
      for (const candidate of tableNamesFor(part)) {
        const ref = tablesByName.get(candidate);
        if (!ref) continue;
        if (ref === table) break; // route_id in routes is the table's own key
        const target = targetColumn(ref, [name, "id", `${part}_id`]);
        if (!target) continue;
        const sameName = target.column.name.toLowerCase() === name || target.column.name.toLowerCase() === `${part}_id`;
        let confidence = sameName ? 0.95 : target.column.name.toLowerCase() === "id" ? 0.85 : 0.75;
        if (start > 0) confidence -= 0.1;
        if (target.unique) confidence -= 0.1;
        const s = suggestion(ref, target.column, confidence);
        if (s) return s;
      }
    }
    // parent_id, manager_id: the table's own key.
    const joined = stem.join("_");
    if (SELF_REFERENCE_STEMS.has(joined) || SELF_REFERENCE_STEMS.has(stem[stem.length - 1])) {
      const target = targetColumn(table, ["id", `${own}_id`]);
      if (target && target.column !== column) {
        const s = suggestion(table, target.column, target.unique ? 0.55 : 0.65);
        if (s) return s;
      }
    }
  }

  // The same name as another table's single-column primary key (airline_id → airlines.airline_id).
  const owners = (pkOwners.get(name) ?? []).filter((t) => t !== table);
  if (owners.length === 1 && !GENERIC_KEY_NAMES.has(name) && /(_id|id|_key|_code|_no)$/.test(name)) {
    const ref = owners[0];
    const target = targetColumn(ref, [name]);
    if (target) return suggestion(ref, target.column, 0.7);
  }
  return null;
}

/** Foreign keys the naming implies and nothing declares yet. */
export function inferForeignKeys(model: SchemaModel): ForeignKeyModel[] {
  return model.tables.flatMap((t) => inferForTable(model, t));
}

function lookups(model: SchemaModel) {
  const tablesByName = new Map<string, TableModel>();
  for (const t of model.tables) if (!tablesByName.has(bare(t.name))) tablesByName.set(bare(t.name), t);
  const pkOwners = new Map<string, TableModel[]>();
  for (const t of model.tables) {
    if (t.primaryKey.length !== 1) continue;
    const pk = t.primaryKey[0].toLowerCase();
    pkOwners.set(pk, [...(pkOwners.get(pk) ?? []), t]);
  }
  return { tablesByName, pkOwners };
}

function inferForTable(model: SchemaModel, table: TableModel, maps = lookups(model)): ForeignKeyModel[] {
  const covered = new Set(table.foreignKeys.flatMap((fk) => fk.columns.map((c) => c.toLowerCase())));
  const out: ForeignKeyModel[] = [];
  for (const column of table.columns) {
    if (covered.has(column.name.toLowerCase())) continue;
    const s = suggestFor(table, column, maps.tablesByName, maps.pkOwners);
    if (s) out.push(s);
  }
  return out;
}

/** The model with the inferred suggestions added to each table's foreign keys (idempotent). */
export function applyInferredForeignKeys(model: SchemaModel): SchemaModel {
  const maps = lookups(model);
  return {
    ...model,
    tables: model.tables.map((t) => {
      const extra = inferForTable(model, t, maps);
      return extra.length === 0 ? t : { ...t, foreignKeys: [...t.foreignKeys, ...extra] };
    }),
  };
}

/** A stable key for a foreign key: "table(col,…)>refTable(col,…)", lower case. */
export function foreignKeyId(table: string, fk: Pick<ForeignKeyModel, "columns" | "refTable" | "refColumns">): string {
  return `${table}(${fk.columns.join(",")})>${fk.refTable}(${fk.refColumns.join(",")})`.toLowerCase();
}
