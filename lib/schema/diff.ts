// What changed between two schema versions: tables and columns added, removed or renamed-looking,
// column types and nullability, and keys. Pure: the drift service (server/drift.ts) stores the diff
// and flags the queries and pairs that use a changed element.
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";

export interface Rename {
  from: string;
  to: string;
}

export interface ColumnChange<T> {
  column: string;
  from: T;
  to: T;
}

export interface KeyChange {
  kind: "primary_key" | "unique" | "foreign_key";
  change: "added" | "removed";
  /** Columns of the key, named as in the version where the key exists. */
  columns: string[];
  /** Human-readable key, e.g. "(airline_id) → airlines(airline_id)". */
  detail: string;
}

export interface TableDiff {
  /** Name in the new version. */
  table: string;
  /** Set when the table looks renamed: its name in the previous version. */
  previousName?: string;
  columnsAdded: string[];
  columnsRemoved: string[];
  /** Renamed-looking: a removed and an added column of the same type, in the same place or with a similar name. */
  columnsRenamed: Rename[];
  typeChanged: ColumnChange<string>[];
  /** from/to: nullable before and after. */
  nullabilityChanged: ColumnChange<boolean>[];
  keysChanged: KeyChange[];
}

export interface SchemaDiff {
  tablesAdded: string[];
  tablesRemoved: string[];
  /** Renamed-looking: a removed and an added table sharing at least 80% of their columns (name and type). */
  tablesRenamed: Rename[];
  /** Tables present in both versions (renamed ones included) that changed. */
  tables: TableDiff[];
}

const key = (name: string) => name.toLowerCase();
const normType = (type: string) => type.trim().toUpperCase().replace(/\s+/g, " ");

export const TABLE_RENAME_THRESHOLD = 0.8;

function tableSimilarity(a: TableModel, b: TableModel): number {
  const sigs = new Set(a.columns.map((c) => `${key(c.name)}|${normType(c.type)}`));
  const common = b.columns.filter((c) => sigs.has(`${key(c.name)}|${normType(c.type)}`)).length;
  const size = Math.max(a.columns.length, b.columns.length);
  return size === 0 ? 0 : common / size;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Names that read alike: one contains the other, they share a word, or they are a few edits apart. */
export function similarNames(a: string, b: string): boolean {
  const x = key(a);
  const y = key(b);
  if (x === y) return true;
  if (x.length >= 3 && y.length >= 3 && (x.includes(y) || y.includes(x))) return true;
  const words = (s: string) => s.split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && w !== "id");
  const wx = new Set(words(x));
  if (words(y).some((w) => wx.has(w))) return true;
  return 1 - levenshtein(x, y) / Math.max(x.length, y.length) >= 0.6;
}

function matchRenamedColumns(prev: TableModel, next: TableModel, removed: ColumnModel[], added: ColumnModel[]): Rename[] {
  const renames: Rename[] = [];
  const freeRemoved = new Set(removed);
  const freeAdded = new Set(added);
  const prevIndex = new Map(prev.columns.map((c, i) => [c, i]));
  const nextIndex = new Map(next.columns.map((c, i) => [c, i]));
  const take = (test: (r: ColumnModel, a: ColumnModel) => boolean) => {
    for (const r of [...freeRemoved]) {
      const a = [...freeAdded].find((candidate) => normType(candidate.type) === normType(r.type) && test(r, candidate));
      if (!a) continue;
      renames.push({ from: r.name, to: a.name });
      freeRemoved.delete(r);
      freeAdded.delete(a);
    }
  };
  take((r, a) => prevIndex.get(r) === nextIndex.get(a));
  take((r, a) => similarNames(r.name, a.name));
  return renames;
}

/** Foreign keys the schema actually uses: declared (not dropped) and confirmed. */
function effectiveForeignKeys(table: TableModel): ForeignKeyModel[] {
  return table.foreignKeys.filter((fk) => ((fk.origin ?? "declared") === "declared" ? fk.status !== "dropped" : fk.status === "confirmed"));
}

function keySets(table: TableModel, rename: (column: string) => string): Map<string, KeyChange> {
  const out = new Map<string, KeyChange>();
  const cols = (names: string[]) => names.map(rename);
  const list = (names: string[]) => `(${names.join(", ")})`;
  if (table.primaryKey.length > 0) {
    out.set(`pk:${cols(table.primaryKey).map(key).join(",")}`, { kind: "primary_key", change: "added", columns: table.primaryKey, detail: list(table.primaryKey) });
  }
  const uniques = [...table.columns.filter((c) => c.unique).map((c) => [c.name]), ...table.uniqueKeys];
  for (const u of uniques) out.set(`uq:${cols(u).map(key).join(",")}`, { kind: "unique", change: "added", columns: u, detail: list(u) });
  for (const fk of effectiveForeignKeys(table)) {
    const sig = `fk:${cols(fk.columns).map(key).join(",")}>${key(fk.refTable)}(${fk.refColumns.map(key).join(",")})`;
    out.set(sig, { kind: "foreign_key", change: "added", columns: fk.columns, detail: `${list(fk.columns)} → ${fk.refTable}${list(fk.refColumns)}` });
  }
  return out;
}

function diffTable(prev: TableModel, next: TableModel, tableRenames: Map<string, string>): TableDiff {
  const nextByName = new Map(next.columns.map((c) => [key(c.name), c]));
  const prevByName = new Map(prev.columns.map((c) => [key(c.name), c]));
  const removed = prev.columns.filter((c) => !nextByName.has(key(c.name)));
  const added = next.columns.filter((c) => !prevByName.has(key(c.name)));
  const columnsRenamed = matchRenamedColumns(prev, next, removed, added);
  const renamedFrom = new Set(columnsRenamed.map((r) => key(r.from)));
  const renamedTo = new Set(columnsRenamed.map((r) => key(r.to)));

  const typeChanged: ColumnChange<string>[] = [];
  const nullabilityChanged: ColumnChange<boolean>[] = [];
  const pairs: [ColumnModel, ColumnModel][] = [
    ...prev.columns.filter((c) => nextByName.has(key(c.name))).map((c) => [c, nextByName.get(key(c.name))!] as [ColumnModel, ColumnModel]),
    ...columnsRenamed.map((r) => [prevByName.get(key(r.from))!, nextByName.get(key(r.to))!] as [ColumnModel, ColumnModel]),
  ];
  for (const [p, n] of pairs) {
    if (normType(p.type) !== normType(n.type)) typeChanged.push({ column: n.name, from: p.type, to: n.type });
    if (p.nullable !== n.nullable) nullabilityChanged.push({ column: n.name, from: p.nullable, to: n.nullable });
  }

  // Keys compare under the renames, so a renamed key column is reported once (as a rename).
  const columnRename = new Map(columnsRenamed.map((r) => [key(r.from), r.to]));
  const before = keySets(prev, (c) => columnRename.get(key(c)) ?? c);
  // Foreign keys to a renamed table compare under its new name.
  const renameRef = (sig: string) => sig.replace(/>([^()]+)\(/, (_m, t: string) => `>${key(tableRenames.get(t) ?? t)}(`);
  const beforeSigs = new Map([...before].map(([sig, k]) => [renameRef(sig), k]));
  const after = keySets(next, (c) => c);
  const keysChanged: KeyChange[] = [];
  for (const [sig, k] of beforeSigs) if (!after.has(sig)) keysChanged.push({ ...k, change: "removed" });
  for (const [sig, k] of after) if (!beforeSigs.has(sig)) keysChanged.push({ ...k, change: "added" });

  return {
    table: next.name,
    ...(key(prev.name) !== key(next.name) ? { previousName: prev.name } : {}),
    columnsAdded: added.filter((c) => !renamedTo.has(key(c.name))).map((c) => c.name),
    columnsRemoved: removed.filter((c) => !renamedFrom.has(key(c.name))).map((c) => c.name),
    columnsRenamed,
    typeChanged,
    nullabilityChanged,
    keysChanged,
  };
}

function isEmptyTableDiff(d: TableDiff): boolean {
  return !d.previousName && d.columnsAdded.length + d.columnsRemoved.length + d.columnsRenamed.length + d.typeChanged.length + d.nullabilityChanged.length + d.keysChanged.length === 0;
}

export function diffSchemas(prev: SchemaModel, next: SchemaModel): SchemaDiff {
  const prevByName = new Map(prev.tables.map((t) => [key(t.name), t]));
  const nextByName = new Map(next.tables.map((t) => [key(t.name), t]));
  const removed = prev.tables.filter((t) => !nextByName.has(key(t.name)));
  const added = next.tables.filter((t) => !prevByName.has(key(t.name)));

  // Renamed-looking tables: best matches first.
  const candidates: { from: TableModel; to: TableModel; score: number }[] = [];
  for (const r of removed) for (const a of added) {
    const score = tableSimilarity(r, a);
    if (score >= TABLE_RENAME_THRESHOLD) candidates.push({ from: r, to: a, score });
  }
  candidates.sort((x, y) => y.score - x.score);
  const usedFrom = new Set<TableModel>();
  const usedTo = new Set<TableModel>();
  const tablesRenamed: { from: TableModel; to: TableModel }[] = [];
  for (const c of candidates) {
    if (usedFrom.has(c.from) || usedTo.has(c.to)) continue;
    usedFrom.add(c.from);
    usedTo.add(c.to);
    tablesRenamed.push(c);
  }
  const tableRenames = new Map(tablesRenamed.map((r) => [key(r.from.name), r.to.name]));

  const tables: TableDiff[] = [];
  for (const p of prev.tables) {
    const n = nextByName.get(key(p.name));
    if (n) tables.push(diffTable(p, n, tableRenames));
  }
  for (const r of tablesRenamed) tables.push(diffTable(r.from, r.to, tableRenames));

  return {
    tablesAdded: added.filter((t) => !usedTo.has(t)).map((t) => t.name),
    tablesRemoved: removed.filter((t) => !usedFrom.has(t)).map((t) => t.name),
    tablesRenamed: tablesRenamed.map((r) => ({ from: r.from.name, to: r.to.name })),
    tables: tables.filter((d) => !isEmptyTableDiff(d)),
  };
}

export function isEmptyDiff(diff: SchemaDiff): boolean {
  return diff.tablesAdded.length + diff.tablesRemoved.length + diff.tablesRenamed.length + diff.tables.length === 0;
}

export interface DiffSummary {
  added: string[];
  removed: string[];
  renamed: string[];
  changed: string[];
}

const KEY_LABEL: Record<KeyChange["kind"], string> = { primary_key: "primary key", unique: "unique key", foreign_key: "foreign key" };
const nullText = (nullable: boolean) => (nullable ? "nullable" : "NOT NULL");

/** The diff's changes grouped for display, one line each. */
export function groupDiff(diff: SchemaDiff): DiffSummary {
  const out: DiffSummary = { added: [], removed: [], renamed: [], changed: [] };
  for (const t of diff.tablesAdded) out.added.push(`Table ${t} added`);
  for (const t of diff.tablesRemoved) out.removed.push(`Table ${t} removed`);
  for (const r of diff.tablesRenamed) out.renamed.push(`Table ${r.from} looks renamed to ${r.to}`);
  for (const d of diff.tables) {
    for (const c of d.columnsAdded) out.added.push(`Column ${d.table}.${c} added`);
    for (const c of d.columnsRemoved) out.removed.push(`Column ${d.previousName ?? d.table}.${c} removed`);
    for (const r of d.columnsRenamed) out.renamed.push(`Column ${d.table}.${r.from} looks renamed to ${d.table}.${r.to}`);
    for (const c of d.typeChanged) out.changed.push(`Column ${d.table}.${c.column} type ${c.from} → ${c.to}`);
    for (const c of d.nullabilityChanged) out.changed.push(`Column ${d.table}.${c.column} ${nullText(c.from)} → ${nullText(c.to)}`);
    for (const k of d.keysChanged) out.changed.push(`Table ${d.table}: ${KEY_LABEL[k.kind]} ${k.detail} ${k.change}`);
  }
  return out;
}

/** One line per change. */
export function summarizeDiff(diff: SchemaDiff): string[] {
  const g = groupDiff(diff);
  return [...g.removed, ...g.renamed, ...g.changed, ...g.added];
}

/**
 * Elements of the previous version whose meaning changed, each with what happened to it:
 * removed and renamed tables ("table"), removed, renamed and changed columns ("table.column").
 */
export function describeChangedElements(diff: SchemaDiff): { tables: Map<string, string>; columns: Map<string, string> } {
  const tables = new Map<string, string>();
  const columns = new Map<string, string>();
  const add = (map: Map<string, string>, element: string, what: string) => map.set(element, map.has(element) ? `${map.get(element)}; ${what}` : what);
  for (const t of diff.tablesRemoved) add(tables, t, "table removed");
  for (const r of diff.tablesRenamed) add(tables, r.from, `table renamed to ${r.to}`);
  for (const d of diff.tables) {
    const prevTable = d.previousName ?? d.table;
    const renamed = new Map(d.columnsRenamed.map((r) => [key(r.to), r.from]));
    const prevColumn = (name: string) => renamed.get(key(name)) ?? name;
    for (const c of d.columnsRemoved) add(columns, `${prevTable}.${c}`, "column removed");
    for (const r of d.columnsRenamed) add(columns, `${prevTable}.${r.from}`, `column renamed to ${r.to}`);
    for (const c of d.typeChanged) add(columns, `${prevTable}.${prevColumn(c.column)}`, `type ${c.from} → ${c.to}`);
    for (const c of d.nullabilityChanged) add(columns, `${prevTable}.${prevColumn(c.column)}`, `${nullText(c.from)} → ${nullText(c.to)}`);
    for (const k of d.keysChanged) {
      // Columns of an added key are named as in the new version.
      for (const c of k.columns) add(columns, `${prevTable}.${k.change === "added" ? prevColumn(c) : c}`, `${KEY_LABEL[k.kind]} ${k.detail} ${k.change}`);
    }
  }
  return { tables, columns };
}

/** Removed or renamed tables, and removed, renamed or changed columns ("table.column"), named as in the previous version. */
export function changedElements(diff: SchemaDiff): { tables: Set<string>; columns: Set<string> } {
  const d = describeChangedElements(diff);
  return { tables: new Set(d.tables.keys()), columns: new Set(d.columns.keys()) };
}
