import "server-only";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ValidationError } from "@/lib/errors";
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { quoteIdent, quoteTable, renderSandboxDdl } from "@/lib/sandbox/ddl";
import { createFaker } from "@/lib/sandbox/fake";
import { isSameForeignKey, planFillOrder, type DeferredForeignKey, type FillPlan } from "@/lib/sandbox/plan";
import { createRng, hashString, type Rng } from "@/lib/sandbox/random";
import {
  createColumnGenerator, createRowState, getVocabulary, setRowCountry, toSqlText, uniqueFallback,
  type ColumnGenerator, type ParsedType, type RowState, type SqlValue, type TableContext,
} from "@/lib/sandbox/values";
import { publishSandboxFile, removeLeftovers } from "@/lib/sandbox/server/files";

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
  /** Share of NULLs in nullable columns that are not keys (default: per column, about 4%). */
  nullRate?: number;
  /** Per-column NULL shares, keyed "table.column". */
  columnNullRates?: Record<string, number>;
  /** Constants of the project's queries, keyed "table.column": mixed into the values, slightly fuzzed (test-suite variants). */
  constants?: Record<string, SqlValue[]>;
  /**
   * A pass over the filled file before it is accepted (the LLM realism pass). It gets `share` of the
   * progress bar; it must not change keys: every foreign key is proven after it runs.
   */
  refine?: {
    share: number;
    run(connection: DuckDBConnection, progress: (fraction: number, message: string) => Promise<void>): Promise<void>;
  };
  onProgress?: (pct: number, message: string) => Promise<void> | void;
  isCancelled?: () => Promise<boolean> | boolean;
}

export interface GenerateSandboxResult {
  rowCounts: Record<string, number>;
  /** Why a table got fewer rows than asked (e.g. a countries table holds every known country once). */
  notes: string[];
  bytes: number;
  sha256: string;
}

const STAGE_TABLE = "__sandpiper_stage";
export const MAX_ROWS_PER_TABLE = 5_000_000;

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
    const notes: string[] = [];
    const refineShare = opts.refine ? Math.round(90 * Math.max(0, Math.min(0.9, opts.refine.share))) : 0;
    const fillShare = 90 - refineShare;
    const filled = new Set<string>();
    const pendingDeferred = [...plan.deferred];
    let doneRows = 0;
    for (const table of plan.order) {
      if (await cancelled()) throw new Error("Cancelled");
      const target = rowTargets.get(table.name) ?? defaultRows;
      const fillOptions: FillOptions = {
        seed: opts.seed,
        nullRate: opts.nullRate,
        columnNullRates: opts.columnNullRates,
        constants: opts.constants,
        isCancelled: cancelled,
      };
      const count = await fillTable(connection, table, target, createRng(opts.seed).fork(`table:${table.name}`), plan, fillOptions);
      rowCounts[table.name] = count;
      if (fillOptions.cappedBy) notes.push(`${table.name}: ${count.toLocaleString("en-US")} of ${target.toLocaleString("en-US")} rows, ${fillOptions.cappedBy}.`);
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
      await report(2 + (fillShare * doneRows) / totalRows, `Filled ${table.name} (${count} rows)`);
    }
    if (await cancelled()) throw new Error("Cancelled");
    if (opts.refine) {
      const start = 2 + fillShare;
      await opts.refine.run(connection, async (fraction, message) => {
        if (await cancelled()) throw new Error("Cancelled");
        await report(start + refineShare * Math.max(0, Math.min(1, fraction)), message);
      });
      if (await cancelled()) throw new Error("Cancelled");
    }
    await report(93, "Checking every foreign key");
    await verifyForeignKeys(connection, model, plan);

    await report(94, "Writing the sandbox file");
    await connection.run("CHECKPOINT");
    connection.closeSync();
    connection = null;
    instance.closeSync();
    instance = null;

    const { bytes, sha256 } = await publishSandboxFile(tempPath, targetPath);
    completed = true;
    await report(100, "Sandbox ready");
    return { rowCounts, notes, bytes, sha256 };
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    if (!completed) await removeLeftovers(dir, path.basename(tempPath));
  }
}

/** Proves every foreign key with an anti-join; a single orphan means a generator bug, so the build fails. */
export async function verifyForeignKeys(connection: DuckDBConnection, model: SchemaModel, plan: FillPlan): Promise<void> {
  const tables = new Set(model.tables.map((t) => t.name));
  for (const table of model.tables) {
    for (const fk of table.foreignKeys) {
      if (!tables.has(fk.refTable) || plan.dangling.some((d) => d.table === table.name && isSameForeignKey(d.foreignKey, fk))) continue;
      const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
      const join = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i]!)} = c.${quoteIdent(c)}`).join(" AND ");
      const reader = await connection.runAndReadAll(
        `SELECT count(*) FROM ${quoteTable(table.name)} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(fk.refTable)} p WHERE ${join})`,
      );
      const orphans = Number(reader.getRows()[0]![0]);
      if (orphans > 0) {
        throw new Error(`${orphans} row(s) of ${table.name} (${fk.columns.join(", ")}) point at no row of ${fk.refTable}; the sandbox was not saved.`);
      }
    }
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

/** Rows generated one by one in JavaScript per table; a larger table repeats them with fresh keys. */
export const TEMPLATE_ROWS = 8192;
/** Parents read into JavaScript for keys that other columns depend on (a row's country). */
const ENTITY_PARENT_LIMIT = 50_000;
const TEMPLATE_TEXT = "__sandpiper_tpl_text";
const TEMPLATE = "__sandpiper_tpl";
const ROW = "__sandpiper_i";
/** Types a template keeps typed; other types (strings, enums, user types) are cast on insert. */
const TYPED_TEMPLATE_KINDS = new Set(["integer", "decimal", "float", "boolean", "date", "timestamp", "time", "uuid", "interval"]);

export interface FillOptions {
  seed: number;
  /** Share of NULLs in nullable non-key columns and nullable foreign keys (default: per column, about 4%). */
  nullRate?: number;
  /** Per-column overrides, keyed "table.column". */
  columnNullRates?: Record<string, number>;
  /** Values to mix in around the constants of the project's queries, keyed "table.column" (test-suite variants). */
  constants?: Record<string, SqlValue[]>;
  isCancelled: () => Promise<boolean>;
  /** Set by fillTable when the table got fewer rows than asked, and why. */
  cappedBy?: string;
}

/** A key to a parent drawn from the parent's keys in JavaScript: other columns of the row depend on it. */
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

/** A key drawn inside DuckDB: the parent's keys in a per-seed order, the child picks a position. */
interface SqlForeignKey {
  foreignKey: ForeignKeyModel;
  positions: number[];
  alias: string;
  count: number;
  oneToOne: boolean;
  nullable: boolean;
  salt: number;
  /** An earlier key to the same parent table: both rarely point at the same row. */
  sibling?: SqlForeignKey;
}

/**
 * A 64-bit hash of the row number in a stream chosen by the salt (DuckDB's hash is stable across
 * runs). The salt moves the input into its own range of 2^32 numbers: `hash(i, salt)` would only
 * combine two hashes, and its values for two salts are strongly correlated (r ≈ -0.6), which made
 * two foreign keys of one row draw the same few pairs.
 */
function hashSql(salt: number): string {
  return `hash(${ROW} + ${(BigInt(salt % 2_147_483_647) * 4_294_967_296n).toString()})`;
}

/** Uniform double in [0, 1) from the row number and a salt. */
function uniformSql(salt: number): string {
  return `((${hashSql(salt)} >> 11)::DOUBLE / 9007199254740992.0)`;
}

function saltOf(seed: number, table: string, purpose: string): number {
  return hashString(`${seed}:${table}:${purpose}`);
}

async function readParentKeys(connection: DuckDBConnection, fk: ForeignKeyModel, limit?: number): Promise<string[][]> {
  const cols = fk.refColumns.map(quoteIdent).join(", ");
  const notNull = fk.refColumns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  const asText = fk.refColumns.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(", ");
  // Ordered by the typed key, so "earlier" means what it means in the parent table.
  const reader = await connection.runAndReadAll(
    `SELECT ${asText} FROM (SELECT DISTINCT ${cols} FROM ${quoteTable(fk.refTable)} WHERE ${notNull}) ORDER BY ${cols}${limit ? ` LIMIT ${limit}` : ""}`,
  );
  return reader.getRowsJson() as string[][];
}

/** The parent's distinct keys numbered 0…n-1 in an order fixed by the seed; returns n. */
async function createParentKeyTable(connection: DuckDBConnection, fk: ForeignKeyModel, alias: string, salt: number): Promise<number> {
  const cols = fk.refColumns.map(quoteIdent);
  const notNull = cols.map((c) => `${c} IS NOT NULL`).join(" AND ");
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${alias} AS
     SELECT CAST(row_number() OVER (ORDER BY hash(${cols.join(", ")}, ${salt}::UBIGINT), ${cols.join(", ")}) - 1 AS BIGINT) AS rn,
            ${cols.map((c, j) => `${c} AS k${j}`).join(", ")}
     FROM (SELECT DISTINCT ${cols.join(", ")} FROM ${quoteTable(fk.refTable)} WHERE ${notNull})`,
  );
  return Number((await connection.runAndReadAll(`SELECT count(*) FROM ${alias}`)).getRows()[0]![0]);
}

/**
 * SQL for a value of a unique column past the template rows: a sequence that does not repeat
 * within the type's room, or NULL when there is none (the row is then dropped if NOT NULL).
 */
function uniqueFallbackSql(column: ColumnModel, parsed: ParsedType, template: string, salt: number): string {
  const type = column.type;
  switch (parsed.kind) {
    case "integer":
      return (parsed.max ?? 0) > 2_000_000_000 ? `CAST(1000000000 + ${ROW} AS ${type})` : `TRY_CAST(${ROW} + 1 AS ${type})`;
    case "decimal":
    case "float":
      return `TRY_CAST(100000 + ${ROW} AS ${type})`;
    case "date":
      return `CAST(DATE '1970-01-01' + CAST(${ROW} AS INTEGER) AS ${type})`;
    case "timestamp":
      return `CAST(TIMESTAMP '2000-01-01' + to_seconds(${ROW}) AS ${type})`;
    case "uuid": {
      const h = `md5(CAST(${salt} AS VARCHAR) || ':' || CAST(${ROW} AS VARCHAR))`;
      return `CAST(substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-4' || substr(${h}, 14, 3) || '-a' || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12) AS UUID)`;
    }
    case "string": {
      const length = parsed.length;
      if (length !== undefined && length <= 6) {
        // An affine permutation of the code space: distinct for every row below 26^length, and
        // not alphabetical, so codes look drawn rather than counted.
        const room = Math.pow(26, length);
        const x = `((${ROW} * 7919 + ${salt % room}) % ${room})`;
        const chars = Array.from({ length }, (_, k) => `chr(CAST(65 + (${x} // ${Math.pow(26, length - 1 - k)}) % 26 AS INTEGER))`);
        return `CASE WHEN ${ROW} < ${room} THEN ${chars.join(" || ")} END`;
      }
      const suffix = `CAST(${ROW} + 1 AS VARCHAR)`;
      if (column.semanticType === "email") {
        const v = `regexp_replace(CAST(${template} AS VARCHAR), '@', '.' || ${suffix} || '@')`;
        return length === undefined ? v : `CASE WHEN length(${v}) <= ${length} THEN ${v} END`;
      }
      const v = `CAST(${template} AS VARCHAR) || ' ' || ${suffix}`;
      return length === undefined ? v : `right(${v}, ${length})`;
    }
    default:
      return "NULL";
  }
}

async function fillTable(
  connection: DuckDBConnection,
  table: TableModel,
  target: number,
  rng: Rng,
  plan: Pick<FillPlan, "deferred" | "dangling">,
  options: FillOptions,
): Promise<number> {
  const temps: string[] = [];
  try {
    return await fillTableWith(connection, table, target, rng, plan, options, temps);
  } finally {
    for (const name of temps) await connection.run(`DROP TABLE IF EXISTS ${name}`);
  }
}

async function fillTableWith(
  connection: DuckDBConnection,
  table: TableModel,
  target: number,
  rng: Rng,
  plan: Pick<FillPlan, "deferred" | "dangling">,
  options: FillOptions,
  temps: string[],
): Promise<number> {
  if (target === 0) return 0;
  const columns = table.columns;
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const context: TableContext = { faker: createFaker(rng.int(1, 2_147_483_647)) };
  const generators: ColumnGenerator[] = columns.map((c) =>
    createColumnGenerator(table, c, context, {
      nullRate: options.columnNullRates?.[`${table.name}.${c.name}`] ?? options.nullRate,
      constants: options.constants?.[`${table.name}.${c.name}`],
    }),
  );
  const fkNullRate = options.nullRate ?? 0.03;
  const isLater = (fk: ForeignKeyModel) =>
    [...plan.deferred, ...plan.dangling].some((d) => d.table === table.name && isSameForeignKey(d.foreignKey, fk));

  // Foreign keys filled now; columns of deferred or dangling keys start NULL.
  const sources: ForeignKeySource[] = [];
  const sqlKeys: SqlForeignKey[] = [];
  const fkColumns = new Set<number>();
  const sqlColumns = new Set<number>();
  const nullColumns = new Set<number>();
  for (const fk of table.foreignKeys) {
    const positions = fk.columns.map((c) => index.get(c) ?? -1);
    if (positions.some((p) => p < 0) || positions.some((p) => fkColumns.has(p))) continue;
    if (isLater(fk)) {
      for (const p of positions) if (columns[p]!.nullable) nullColumns.add(p);
      continue;
    }
    const keyCols = new Set(fk.columns);
    const oneToOne =
      (table.primaryKey.length > 0 && table.primaryKey.every((c) => keyCols.has(c)) && table.primaryKey.length === fk.columns.length) ||
      (fk.columns.length === 1 && columns[positions[0]!]!.unique) ||
      table.uniqueKeys.some((k) => k.length === fk.columns.length && k.every((c) => keyCols.has(c)));
    const nullable = positions.every((p) => columns[p]!.nullable);
    // A country (or city) key decides other columns of the row, so it is drawn with them.
    const entity = !oneToOne && fk.columns.length === 1 && ["country", "city"].includes(columns[positions[0]!]!.semanticType ?? "");
    if (entity) {
      const parents = await readParentKeys(connection, fk, ENTITY_PARENT_LIMIT + 1);
      if (parents.length <= ENTITY_PARENT_LIMIT) {
        sources.push({ foreignKey: fk, positions, parents: rng.shuffle(parents), oneToOne, cursor: 0 });
        for (const p of positions) fkColumns.add(p);
        continue;
      }
    }
    const alias = `__sandpiper_fk${sqlKeys.length}`;
    temps.push(alias);
    const salt = saltOf(options.seed, table.name, `fk:${fk.columns.join(",")}`);
    const count = await createParentKeyTable(connection, fk, alias, salt);
    const sibling = oneToOne ? undefined : sqlKeys.find((k) => k.foreignKey.refTable === fk.refTable && !k.oneToOne);
    sqlKeys.push({ foreignKey: fk, positions, alias, count, oneToOne, nullable, salt, sibling });
    for (const p of positions) {
      fkColumns.add(p);
      sqlColumns.add(p);
    }
  }
  for (const source of sources) {
    const required = source.positions.some((p) => !columns[p]!.nullable);
    if (source.parents.length === 0 && required) return 0; // no parent rows: no child row can exist
    if (source.oneToOne && required) target = Math.min(target, source.parents.length);
  }
  for (const key of sqlKeys) {
    if (key.count === 0 && !key.nullable) return 0;
    if (key.oneToOne && !key.nullable) target = Math.min(target, key.count);
  }
  if (target === 0) return 0;

  const pkSequential =
    table.primaryKey.length === 1 &&
    generators[index.get(table.primaryKey[0]!)!]!.parsed.kind === "integer" &&
    !fkColumns.has(index.get(table.primaryKey[0]!)!);
  const pkPos = pkSequential ? index.get(table.primaryKey[0]!)! : -1;

  // Single-column uniqueness (PK or UNIQUE), and multi-column keys checked per template row.
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
  // A unique column of real countries (or cities) cannot hold more rows than the gazetteer knows
  // places: the table stops there instead of inventing "France 2".
  for (const i of uniquePositions) {
    const semantic = columns[i]!.semanticType;
    const vocab = vocabularies.get(i);
    if ((semantic === "country" || semantic === "city") && vocab && target > vocab.items.length) {
      target = vocab.items.length;
      options.cappedBy = `one row per ${semantic} the built-in gazetteer knows`;
    }
  }
  const fallbackCounters = new Map<number, number>();
  const allKeys = [
    ...(table.primaryKey.length > 0 ? [table.primaryKey] : []),
    ...columns.filter((c) => c.unique && !(table.primaryKey.length === 1 && table.primaryKey[0] === c.name)).map((c) => [c.name]),
    ...table.uniqueKeys,
  ]
    .map((k) => k.map((c) => index.get(c)!))
    .filter((k) => k.length > 0 && k.every((p) => p !== undefined));
  const compositeKeys = allKeys.filter((k) => k.length > 1 && k.every((p) => !sqlColumns.has(p)));
  const compositeSeen = compositeKeys.map(() => new Set<string>());

  // Generation order inside a row: keys first (they fix the row's place and identity), then the rest.
  const orderInRow = [
    ...[...fkColumns],
    ...(pkPos >= 0 ? [pkPos] : []),
    ...uniquePositions,
    ...columns.map((_, i) => i).filter((i) => !fkColumns.has(i) && i !== pkPos && !uniquePositions.includes(i)),
  ];
  const templateColumns = columns.map((_, i) => i).filter((i) => i !== pkPos && !sqlColumns.has(i));

  // 1. Template rows, one by one in JavaScript: every value that depends on other values of its
  //    row (a city and its country, a person's name and email) is decided here.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMPLATE_TEXT} (t BIGINT${templateColumns.map((i) => `, c${i} VARCHAR`).join("")})`,
  );
  temps.push(TEMPLATE_TEXT, TEMPLATE);
  const templateTarget = Math.min(target, TEMPLATE_ROWS);
  let templates = 0;
  const appender = await connection.createAppender(TEMPLATE_TEXT, "main", "temp");
  try {
    for (let rowIndex = 0; rowIndex < templateTarget; rowIndex++) {
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
      appender.appendBigInt(BigInt(templates++));
      for (const i of templateColumns) {
        const text = toSqlText(values[i]!, generators[i]!.parsed);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  if (templates === 0) return 0;
  const typed = (i: number) => TYPED_TEMPLATE_KINDS.has(generators[i]!.parsed.kind);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMPLATE} AS SELECT t${templateColumns
      .map((i) => `, ${typed(i) ? `CAST(c${i} AS ${columns[i]!.type})` : `c${i}`} AS c${i}`)
      .join("")} FROM ${TEMPLATE_TEXT}`,
  );
  await connection.run(`DROP TABLE ${TEMPLATE_TEXT}`);

  // 2. Rows in bulk inside DuckDB: row i takes template i (then a template drawn by hash), keys
  //    are drawn from the parents' keys, sequential keys and unique columns are made fresh. CHECKs
  //    filter the rows and the next round makes up for the rows filtered out.
  const templateSalt = saltOf(options.seed, table.name, "template");
  const rnSql = (key: SqlForeignKey): string => {
    if (key.oneToOne) return ROW;
    const draw = (k: SqlForeignKey) => `CAST(floor(pow(${uniformSql(k.salt)}, 2.2) * ${k.count}) AS BIGINT)`;
    let rn = draw(key);
    if (key.sibling && key.count > 1) rn = `(CASE WHEN ${rn} = ${draw(key.sibling)} THEN (${rn} + 1) % ${key.count} ELSE ${rn} END)`;
    if (key.nullable) rn = `(CASE WHEN ${uniformSql(key.salt ^ 0x5bd1e995)} < ${fkNullRate} THEN NULL ELSE ${rn} END)`;
    return rn;
  };
  const keyCovered = (k: number[]) =>
    (k.length === 1 && k[0] === pkPos) ||
    sqlKeys.some((s) => s.oneToOne && s.positions.length === k.length && k.every((p) => s.positions.includes(p)));
  const names = columns.map((c) => quoteIdent(c.name));
  const checks = [...columns.flatMap((c) => c.checks), ...table.checks].map((e) => `(${e}) IS NOT FALSE`);
  const notNull = columns.flatMap((c, i) => (c.nullable ? [] : [`${names[i]} IS NOT NULL`]));
  const q = quoteTable(table.name);

  async function insertRange(from: number, to: number, limit: number, topUp: boolean): Promise<number> {
    const select = columns.map((column, i) => {
      let expr: string;
      if (i === pkPos) expr = `CAST(${ROW} + 1 AS ${column.type})`;
      else if (sqlColumns.has(i)) {
        const key = sqlKeys.find((k) => k.positions.includes(i))!;
        expr = `${key.alias}.k${key.positions.indexOf(i)}`;
      } else {
        const value = typed(i) ? `tp.c${i}` : `CAST(tp.c${i} AS ${column.type})`;
        expr = uniquePositions.includes(i) && to > templates
          ? `CASE WHEN ${ROW} < ${templates} THEN ${value} ELSE ${uniqueFallbackSql(column, generators[i]!.parsed, value, templateSalt)} END`
          : value;
      }
      return `${expr} AS ${names[i]}`;
    });
    const pick = `CASE WHEN ${ROW} < ${templates} THEN ${ROW} ELSE CAST(${hashSql(templateSalt)} % ${templates} AS BIGINT) END`;
    const joins = [
      `JOIN ${TEMPLATE} tp ON tp.t = ${pick}`,
      ...sqlKeys.map((k) => `LEFT JOIN ${k.alias} ON ${k.alias}.rn = ${rnSql(k)}`),
    ];
    const keys = allKeys.filter((k) => !keyCovered(k));
    const where = [...checks, ...notNull];
    if (topUp) {
      for (const k of keys) {
        where.push(`NOT EXISTS (SELECT 1 FROM ${q} e WHERE ${k.map((p) => `e.${names[p]} = x.${names[p]}`).join(" AND ")})`);
      }
    }
    const qualify = keys
      .filter((k) => to > templates || k.some((p) => sqlColumns.has(p)))
      .map((k) => `(row_number() OVER (PARTITION BY ${k.map((p) => `x.${names[p]}`).join(", ")} ORDER BY x.${ROW}) = 1${k.map((p) => ` OR x.${names[p]} IS NULL`).join("")})`);
    const sql = `INSERT INTO ${q} (${names.join(", ")})
      SELECT ${names.map((n) => `x.${n}`).join(", ")} FROM (
        SELECT ${ROW}, ${select.join(", ")} FROM range(${from}, ${to}) AS r(${ROW}) ${joins.join(" ")}
      ) AS x
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ${qualify.length > 0 ? `QUALIFY ${qualify.join(" AND ")}` : ""}
      ORDER BY x.${ROW} LIMIT ${limit}`;
    const reader = await connection.runAndReadAll(sql);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  let inserted = 0;
  let nextRow = 0;
  let batch = target;
  for (let round = 0; round < 8 && inserted < target && batch > 0; round++) {
    if (round > 0 && (await options.isCancelled())) throw new Error("Cancelled");
    const from = nextRow;
    nextRow += batch;
    const added = await insertRange(from, nextRow, target - inserted, round > 0);
    inserted += added;
    if (added === 0) break; // nothing passed a whole batch: more of the same will not either
    const passRate = Math.max(added / Math.max(batch, 1), 0.05);
    batch = Math.ceil(((target - inserted) / passRate) * 1.2) + 5;
  }
  return inserted;

  function generateRow(rowIndex: number): SqlValue[] | null {
    const row = createRowState();
    const values: SqlValue[] = columns.map(() => null);
    const done = new Set<number>(sqlColumns);
    const drawn: { refTable: string; key: string }[] = [];
    for (const source of sources) {
      const nullable = source.positions.every((p) => columns[p]!.nullable);
      let tuple: string[] | null = null;
      if (source.parents.length > 0 && !(nullable && rng.chance(fkNullRate))) {
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

  function nextUnique(i: number, column: ColumnModel, gen: ColumnGenerator, row: RowState, rowIndex: number, seenSet: Set<string>): SqlValue {
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
