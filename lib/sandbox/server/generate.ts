import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ValidationError } from "@/lib/errors";
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { quoteIdent, quoteTable, renderSandboxDdl } from "@/lib/sandbox/ddl";
import { isSameForeignKey, planFillOrder, type DeferredForeignKey } from "@/lib/sandbox/plan";
import { createRng, type Rng } from "@/lib/sandbox/random";
import {
  createColumnGenerator, createRowState, getVocabulary, setRowCountry, toSqlText, uniqueFallback,
  type ColumnGenerator, type SqlValue, type TableContext,
} from "@/lib/sandbox/values";

// Builds a sandbox: a DuckDB file with the model's schema, filled with fake rows that satisfy
// every key, NOT NULL, CHECK and foreign key. The same model and seed always give the same rows.
// The file is built under a temporary name and renamed onto targetPath only once it is complete
// and synced, so a crash or a cancel never leaves a half-built sandbox where readers look.

export interface GenerateSandboxOptions {
  targetPath: string;
  seed: number;
  rowsPerTable?: Record<string, number>;
  /** Rows for tables not in rowsPerTable (default 200). */
  defaultRows?: number;
  onProgress?: (pct: number, message: string) => Promise<void> | void;
  isCancelled?: () => Promise<boolean> | boolean;
}

export interface GenerateSandboxResult {
  rowCounts: Record<string, number>;
  bytes: number;
  sha256: string;
}

const STAGE_TABLE = "__sandpiper_stage";
const ROW_COLUMN = "__sandpiper_row";
const MAX_ROWS_PER_TABLE = 5_000_000;

export async function generateSandboxFile(model: SchemaModel, opts: GenerateSandboxOptions): Promise<GenerateSandboxResult> {
  const targetPath = path.resolve(opts.targetPath);
  const dir = path.dirname(targetPath);
  const tempPath = `${targetPath}.partial`;
  const defaultRows = opts.defaultRows ?? 200;
  const plan = planFillOrder(model);
  checkFillable(model, plan.deferred);

  await mkdir(dir, { recursive: true });
  await removeLeftovers(dir, path.basename(tempPath));

  const report = async (pct: number, message: string) => {
    if (opts.onProgress) await opts.onProgress(Math.max(0, Math.min(100, Math.round(pct))), message);
  };
  const cancelled = async () => (opts.isCancelled ? await opts.isCancelled() : false);

  const rowTargets = new Map<string, number>();
  for (const table of model.tables) {
    const n = opts.rowsPerTable?.[table.name] ?? defaultRows;
    if (!Number.isInteger(n) || n < 0 || n > MAX_ROWS_PER_TABLE) {
      throw new ValidationError(`Rows for table ${table.name} must be a whole number between 0 and ${MAX_ROWS_PER_TABLE}; got ${n}.`);
    }
    rowTargets.set(table.name, n);
  }
  const totalRows = Math.max(1, [...rowTargets.values()].reduce((a, b) => a + b, 0));

  let completed = false;
  let instance: DuckDBInstance | null = null;
  let connection: DuckDBConnection | null = null;
  try {
    instance = await DuckDBInstance.create(tempPath, {
      enable_external_access: "false",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      threads: "1",
      lock_configuration: "true",
    });
    connection = await instance.connect();
    await report(1, "Creating tables");
    for (const statement of renderSandboxDdl(model, plan)) await connection.run(statement);

    const rowCounts: Record<string, number> = {};
    const filled = new Set<string>();
    const pendingDeferred = [...plan.deferred];
    let doneRows = 0;
    for (const table of plan.order) {
      if (await cancelled()) throw new Error("Cancelled");
      const target = rowTargets.get(table.name) ?? defaultRows;
      const count = await fillTable(connection, table, target, createRng(opts.seed).fork(`table:${table.name}`), plan.deferred, plan.dangling);
      rowCounts[table.name] = count;
      filled.add(table.name);
      // DuckDB cannot update a row that other tables already reference, so a deferred key is
      // filled as soon as both of its sides exist: for a self-reference, before any child table.
      for (const item of pendingDeferred.filter((d) => filled.has(d.table) && filled.has(d.foreignKey.refTable))) {
        pendingDeferred.splice(pendingDeferred.indexOf(item), 1);
        const rng = createRng(opts.seed).fork(`deferred:${item.table}:${item.foreignKey.columns.join(",")}`);
        try {
          await fillDeferredForeignKey(connection, model, item, rng);
        } catch (error) {
          // Only a cycle between tables can land here; its key stays NULL, which is valid.
          if (item.foreignKey.refTable === item.table) throw error;
        }
      }
      doneRows += target;
      await report(2 + (90 * doneRows) / totalRows, `Filled ${table.name} (${count} rows)`);
    }
    if (await cancelled()) throw new Error("Cancelled");

    await report(94, "Writing the sandbox file");
    await connection.run("CHECKPOINT");
    connection.closeSync();
    connection = null;
    instance.closeSync();
    instance = null;

    await fsyncPath(tempPath);
    await rename(tempPath, targetPath);
    await fsyncPath(dir).catch(() => undefined); // directories cannot be fsynced on every platform
    completed = true;

    const { size } = await stat(targetPath);
    const sha256 = await hashFile(targetPath);
    await report(100, "Sandbox ready");
    return { rowCounts, bytes: size, sha256 };
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    if (!completed) await removeLeftovers(dir, path.basename(tempPath));
  }
}

function checkFillable(model: SchemaModel, deferred: DeferredForeignKey[]): void {
  for (const { table, foreignKey } of deferred) {
    const t = model.tables.find((x) => x.name === table);
    const notNull = foreignKey.columns.filter((c) => t?.columns.find((x) => x.name === c)?.nullable === false);
    if (notNull.length > 0) {
      throw new ValidationError(
        `Table ${table} references ${foreignKey.refTable} through NOT NULL column(s) ${notNull.join(", ")} in a cycle: no row could be inserted first. Make one of the columns nullable.`,
      );
    }
  }
}

async function removeLeftovers(dir: string, tempName: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e === tempName || e.startsWith(`${tempName}.`)).map((e) => rm(path.join(dir, e), { force: true })));
}

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function hashFile(p: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

interface ForeignKeySource {
  foreignKey: ForeignKeyModel;
  /** Column positions in the table, in foreignKey.columns order. */
  positions: number[];
  /** Parent key tuples as text, in a per-seed shuffled order (the head is the "popular" parents). */
  parents: string[][];
  /** Draw parents without replacement (the key is also unique in the child). */
  oneToOne: boolean;
  cursor: number;
}

async function readParentKeys(connection: DuckDBConnection, fk: ForeignKeyModel): Promise<string[][]> {
  const cols = fk.refColumns.map(quoteIdent).join(", ");
  const notNull = fk.refColumns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  const asText = fk.refColumns.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(", ");
  // Ordered by the typed key, so "earlier" means what it means in the parent table.
  const reader = await connection.runAndReadAll(
    `SELECT ${asText} FROM (SELECT DISTINCT ${cols} FROM ${quoteTable(fk.refTable)} WHERE ${notNull}) ORDER BY ${cols}`,
  );
  return reader.getRowsJson() as string[][];
}

async function fillTable(
  connection: DuckDBConnection,
  table: TableModel,
  target: number,
  rng: Rng,
  deferred: DeferredForeignKey[],
  dangling: DeferredForeignKey[],
): Promise<number> {
  const columns = table.columns;
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const context: TableContext = {};
  const generators: ColumnGenerator[] = columns.map((c) => createColumnGenerator(table, c, context));
  const isLater = (fk: ForeignKeyModel) =>
    [...deferred, ...dangling].some((d) => d.table === table.name && isSameForeignKey(d.foreignKey, fk));

  // Foreign keys filled now; columns of deferred or dangling keys start NULL.
  const sources: ForeignKeySource[] = [];
  const fkColumns = new Set<number>();
  const nullColumns = new Set<number>();
  for (const fk of table.foreignKeys) {
    const positions = fk.columns.map((c) => index.get(c) ?? -1);
    if (positions.some((p) => p < 0) || positions.some((p) => fkColumns.has(p))) continue;
    if (isLater(fk)) {
      for (const p of positions) if (columns[p]!.nullable) nullColumns.add(p);
      continue;
    }
    const parents = rng.shuffle(await readParentKeys(connection, fk));
    const keyCols = new Set(fk.columns);
    const oneToOne =
      (table.primaryKey.length > 0 && table.primaryKey.every((c) => keyCols.has(c)) && table.primaryKey.length === fk.columns.length) ||
      (fk.columns.length === 1 && columns[positions[0]!]!.unique) ||
      table.uniqueKeys.some((k) => k.length === fk.columns.length && k.every((c) => keyCols.has(c)));
    sources.push({ foreignKey: fk, positions, parents, oneToOne, cursor: 0 });
    for (const p of positions) fkColumns.add(p);
  }
  for (const source of sources) {
    const required = source.positions.some((p) => !columns[p]!.nullable);
    if (source.parents.length === 0 && required) return 0; // no parent rows: no child row can exist
    if (source.oneToOne && required) target = Math.min(target, source.parents.length);
  }

  const pkSequential =
    table.primaryKey.length === 1 &&
    generators[index.get(table.primaryKey[0]!)!]!.parsed.kind === "integer" &&
    !fkColumns.has(index.get(table.primaryKey[0]!)!);
  const pkPos = pkSequential ? index.get(table.primaryKey[0]!)! : -1;

  // Single-column uniqueness (PK or UNIQUE), and multi-column keys checked per row.
  const uniquePositions = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c, i }) => i !== pkPos && !fkColumns.has(i) && (c.unique || (table.primaryKey.length === 1 && c.primaryKey)))
    .map(({ i }) => i);
  const seen = new Map<number, Set<string>>(uniquePositions.map((i) => [i, new Set<string>()]));
  const vocabularies = new Map<number, { items: readonly string[]; cursor: number }>();
  for (const i of uniquePositions) {
    const vocab = getVocabulary(table, columns[i]!);
    if (vocab && vocab.length > 1) vocabularies.set(i, { items: rng.shuffle(Array.from(new Set(vocab))), cursor: 0 });
  }
  const fallbackCounters = new Map<number, number>();
  const compositeKeys = [...(table.primaryKey.length > 1 ? [table.primaryKey] : []), ...table.uniqueKeys]
    .map((k) => k.map((c) => index.get(c)!))
    .filter((k) => k.every((p) => p !== undefined));
  const compositeSeen = compositeKeys.map(() => new Set<string>());

  const stageColumns = columns.map((_, i) => `c${i}`);
  const hasChecks = table.checks.length > 0 || columns.some((c) => c.checks.length > 0);

  // Generation order inside a row: keys first (they fix the row's place and identity), then the rest.
  const orderInRow = [
    ...[...fkColumns],
    ...(pkPos >= 0 ? [pkPos] : []),
    ...uniquePositions,
    ...columns.map((_, i) => i).filter((i) => !fkColumns.has(i) && i !== pkPos && !uniquePositions.includes(i)),
  ];

  // Rows go through a staging table and are inserted in batches; CHECK expressions the
  // generators do not understand are enforced by filtering, and the next batch makes up for
  // the rows filtered out (sized from the share that passed).
  let inserted = 0;
  let nextRow = 0;
  let batch = hasChecks ? target + Math.ceil(target * 0.25) + 5 : target;
  for (let round = 0; round < 8 && inserted < target && batch > 0; round++) {
    const from = nextRow;
    nextRow += batch;
    const staged = await stageRows(from, nextRow);
    const added = staged === 0 ? 0 : await insertStaged(target - inserted);
    inserted += added;
    if (added === 0) break; // nothing passed a whole batch: more of the same will not either
    const passRate = Math.max(added / Math.max(batch, 1), 0.05);
    batch = Math.ceil((target - inserted) / passRate * 1.2) + 5;
  }

  async function stageRows(from: number, to: number): Promise<number> {
    await connection.run(`DROP TABLE IF EXISTS ${STAGE_TABLE}`);
    await connection.run(`CREATE TABLE ${STAGE_TABLE} (${ROW_COLUMN} INTEGER, ${stageColumns.map((c) => `${c} VARCHAR`).join(", ")})`);
    const appender = await connection.createAppender(STAGE_TABLE);
    let staged = 0;
    try {
      for (let rowIndex = from; rowIndex < to; rowIndex++) {
        let values: SqlValue[] | null = null;
        for (let attempt = 0; attempt < 20 && values === null; attempt++) {
          values = generateRow(rowIndex);
          if (values === null) continue;
          const keys = compositeKeys.map((k) => (k.some((p) => values![p] === null) ? null : JSON.stringify(k.map((p) => values![p]))));
          if (keys.some((key, j) => key !== null && compositeSeen[j]!.has(key))) {
            values = null;
            continue;
          }
          keys.forEach((key, j) => key !== null && compositeSeen[j]!.add(key));
        }
        if (values === null) continue;
        appender.appendInteger(rowIndex);
        values.forEach((v, i) => {
          const text = toSqlText(v, generators[i]!.parsed);
          if (text === null) appender.appendNull();
          else appender.appendVarchar(text);
        });
        appender.endRow();
        staged++;
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return staged;
  }

  async function insertStaged(limit: number): Promise<number> {
    const casts = columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(", ");
    const checks = [...columns.flatMap((c) => c.checks), ...table.checks].map((e) => `(${e}) IS NOT FALSE`);
    const where = checks.length > 0 ? `WHERE ${checks.join(" AND ")}` : "";
    const names = columns.map((c) => quoteIdent(c.name)).join(", ");
    const reader = await connection.runAndReadAll(
      `INSERT INTO ${quoteTable(table.name)} (${names})
       SELECT ${names} FROM (SELECT ${ROW_COLUMN}, ${casts} FROM ${STAGE_TABLE}) AS staged
       ${where} ORDER BY ${ROW_COLUMN} LIMIT ${limit}`,
    );
    await connection.run(`DROP TABLE ${STAGE_TABLE}`);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  function generateRow(rowIndex: number): SqlValue[] | null {
    const row = createRowState();
    const values: SqlValue[] = columns.map(() => null);
    const done = new Set<number>();
    const drawn: { refTable: string; key: string }[] = [];
    for (const source of sources) {
      const nullable = source.positions.every((p) => columns[p]!.nullable);
      let tuple: string[] | null = null;
      if (source.parents.length > 0 && !(nullable && rng.chance(0.03))) {
        if (source.oneToOne) tuple = source.cursor < source.parents.length ? source.parents[source.cursor++]! : null;
        else {
          tuple = rng.pickSkewed(source.parents, 2.2);
          // Two keys to the same table (source and destination airport) rarely point at one row.
          for (let k = 0; k < 5 && drawn.some((d) => d.refTable === source.foreignKey.refTable && d.key === tuple!.join("\u0000")); k++) {
            tuple = rng.pickSkewed(source.parents, 2.2);
          }
        }
        if (tuple) drawn.push({ refTable: source.foreignKey.refTable, key: tuple.join("\u0000") });
      }
      if (tuple === null && !nullable) return null;
      source.positions.forEach((p, j) => {
        const v = tuple ? tuple[j]! : null;
        values[p] = v;
        done.add(p);
        if (v !== null && columns[p]!.semanticType === "country") setRowCountry(row, v, rng);
        if (v !== null) row.values.set(columns[p]!.name, v);
      });
    }
    for (const i of orderInRow) {
      if (done.has(i)) continue;
      done.add(i);
      const column = columns[i]!;
      const gen = generators[i]!;
      if (i === pkPos) {
        values[i] = rowIndex + 1;
        continue;
      }
      if (nullColumns.has(i)) continue;
      const seenSet = seen.get(i);
      if (seenSet) {
        const v = nextUnique(i, column, gen, row, rowIndex, seenSet);
        if (v === null && !column.nullable) return null;
        values[i] = v;
        if (v !== null && column.semanticType === "country") setRowCountry(row, String(v), rng);
        continue;
      }
      if (column.nullable && !column.primaryKey && rng.chance(gen.nullRate)) continue;
      values[i] = gen.next(rng, row, rowIndex);
      if (values[i] === null && !column.nullable) return null;
    }
    return values;
  }

  function nextUnique(i: number, column: ColumnModel, gen: ColumnGenerator, row: ReturnType<typeof createRowState>, rowIndex: number, seenSet: Set<string>): SqlValue {
    const vocab = vocabularies.get(i);
    const take = (v: SqlValue): SqlValue => {
      seenSet.add(String(v));
      row.values.set(column.name, v);
      return v;
    };
    while (vocab && vocab.cursor < vocab.items.length) {
      const v = toFitted(vocab.items[vocab.cursor++]!, gen);
      if (v !== null && !seenSet.has(String(v))) return take(v);
    }
    for (let k = 0; k < 12; k++) {
      const v = gen.next(rng, row, rowIndex);
      if (v !== null && !seenSet.has(String(v))) return take(v);
    }
    const base = gen.next(rng, row, rowIndex);
    let counter = fallbackCounters.get(i) ?? 0;
    for (let k = 0; k < 10_000; k++, counter++) {
      const v = uniqueFallback(base, gen.parsed, counter);
      if (v === null) break;
      if (!seenSet.has(String(v))) {
        fallbackCounters.set(i, counter + 1);
        return take(v);
      }
    }
    fallbackCounters.set(i, counter);
    return null;
  }

  function toFitted(value: string, gen: ColumnGenerator): SqlValue {
    // Vocabulary entries that do not fit the declared length are skipped, never truncated into duplicates.
    if (gen.parsed.kind === "string" && gen.parsed.length !== undefined && value.length > gen.parsed.length) return null;
    return value;
  }

  return inserted;
}

/** Points a self-referencing or cyclic key at existing rows once both sides are filled. */
async function fillDeferredForeignKey(connection: DuckDBConnection, model: SchemaModel, item: DeferredForeignKey, rng: Rng): Promise<void> {
  const table = model.tables.find((t) => t.name === item.table);
  if (!table) return;
  if (item.foreignKey.refTable === table.name) await fillSelfReference(connection, table, item.foreignKey, rng);
  else await fillCycleKey(connection, table, item.foreignKey, rng);
}

/**
 * A self-reference (employees.manager_id → employees.employee_id) is a hierarchy: each row
 * points at an earlier row. DuckDB checks a foreign key against rows that existed before the
 * statement and cannot update rows of a table with a self-reference reliably, so the rows are
 * re-inserted level by level: roots first, then the rows whose parent is already in.
 */
async function fillSelfReference(connection: DuckDBConnection, table: TableModel, fk: ForeignKeyModel, rng: Rng): Promise<void> {
  const q = quoteTable(table.name);
  const refText = fk.refColumns.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(", ");
  const rows = (await connection.runAndReadAll(`SELECT rowid, ${refText} FROM ${q} ORDER BY rowid`)).getRowsJson() as string[][];
  if (rows.length === 0) return;
  const depth: number[] = [];
  const parentOf: (number | null)[] = [];
  rows.forEach((row, position) => {
    const usable = row.slice(1).every((v) => v !== null);
    if (position === 0 || !usable || rng.chance(0.15)) {
      parentOf.push(null);
      depth.push(0);
      return;
    }
    // Skewed towards early rows: a few people manage many, as in a real organisation.
    let parent = Math.floor(Math.pow(rng.next(), 2.2) * position);
    while (parent > 0 && rows[parent]!.slice(1).some((v) => v === null)) parent--;
    if (rows[parent]!.slice(1).some((v) => v === null)) {
      parentOf.push(null);
      depth.push(0);
      return;
    }
    parentOf.push(parent);
    depth.push(depth[parent]! + 1);
  });

  const types = fk.columns.map((c) => table.columns.find((x) => x.name === c)!.type);
  await connection.run(`DROP TABLE IF EXISTS ${STAGE_TABLE}`);
  await connection.run(`CREATE TABLE ${STAGE_TABLE} (rid BIGINT, depth INTEGER, ${fk.columns.map((_, i) => `c${i} VARCHAR`).join(", ")})`);
  const appender = await connection.createAppender(STAGE_TABLE);
  try {
    rows.forEach((row, position) => {
      appender.appendBigInt(BigInt(row[0]!));
      appender.appendInteger(depth[position]!);
      const parent = parentOf[position];
      for (let j = 0; j < fk.columns.length; j++) {
        if (parent === null || parent === undefined) appender.appendNull();
        else appender.appendVarchar(rows[parent]![j + 1]!);
      }
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }

  const copy = "__sandpiper_copy";
  const fkSet = new Set(fk.columns);
  const select = table.columns
    .map((c) => (fkSet.has(c.name) ? `CAST(s.c${fk.columns.indexOf(c.name)} AS ${types[fk.columns.indexOf(c.name)]}) AS ${quoteIdent(c.name)}` : `t.${quoteIdent(c.name)}`))
    .join(", ");
  await connection.run(`DROP TABLE IF EXISTS ${copy}`);
  await connection.run(`CREATE TABLE ${copy} AS SELECT ${select}, s.depth AS __depth, s.rid AS __rid FROM ${q} t JOIN ${STAGE_TABLE} s ON t.rowid = s.rid`);
  await connection.run(`DELETE FROM ${q}`);
  const names = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  const maxDepth = Math.max(...depth);
  for (let d = 0; d <= maxDepth; d++) {
    await connection.run(`INSERT INTO ${q} (${names}) SELECT ${names} FROM ${copy} WHERE __depth = ${d} ORDER BY __rid`);
  }
  await connection.run(`DROP TABLE ${copy}`);
  await connection.run(`DROP TABLE ${STAGE_TABLE}`);
}

/** A key in a cycle between tables: set by an update once the other table is filled. */
async function fillCycleKey(connection: DuckDBConnection, table: TableModel, fk: ForeignKeyModel, rng: Rng): Promise<void> {
  const parents = await readParentKeys(connection, fk);
  if (parents.length === 0) return;
  const rowids = (await connection.runAndReadAll(`SELECT rowid FROM ${quoteTable(table.name)} ORDER BY rowid`)).getRowsJson().map((r) => String(r[0]));
  const types = fk.columns.map((c) => table.columns.find((x) => x.name === c)!.type);
  await connection.run(`DROP TABLE IF EXISTS ${STAGE_TABLE}`);
  await connection.run(`CREATE TABLE ${STAGE_TABLE} (rid BIGINT, ${fk.columns.map((_, i) => `c${i} VARCHAR`).join(", ")})`);
  const appender = await connection.createAppender(STAGE_TABLE);
  try {
    for (const rid of rowids) {
      if (rng.chance(0.15)) continue;
      appender.appendBigInt(BigInt(rid));
      for (const v of rng.pickSkewed(parents, 2.2)) appender.appendVarchar(v);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const sets = fk.columns.map((c, i) => `${quoteIdent(c)} = CAST(s.c${i} AS ${types[i]})`).join(", ");
  try {
    await connection.run(`UPDATE ${quoteTable(table.name)} SET ${sets} FROM ${STAGE_TABLE} AS s WHERE ${quoteTable(table.name)}.rowid = s.rid`);
  } finally {
    await connection.run(`DROP TABLE ${STAGE_TABLE}`);
  }
}
