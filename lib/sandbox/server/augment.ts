import "server-only";
import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { collectComparedConstants, collectTableAliases, resolveConstants, type ComparedConstant } from "@/lib/queries/constants";
import { analyzeSql, parseSqlTree } from "@/lib/queries/server/analyze";
import { parseNumericBounds, type NumericBounds } from "@/lib/schema/checks";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";
import { planFillOrder } from "@/lib/sandbox/plan";
import { createRng } from "@/lib/sandbox/random";
import { verifyForeignKeys } from "@/lib/sandbox/server/generate";
import { parseColumnType, type ParsedType } from "@/lib/sandbox/values";
import { sqlLiteral } from "@/lib/sql/quote";
import { DEFAULT_TIMEOUT_MS, firstKeyword, MAX_SQL_BYTES } from "@/lib/sql/server/safe-exec";
import { publishSandboxFile, removeLeftovers } from "@/lib/sandbox/server/files";

// Query-aware augmentation: a query whose ground truth is empty is a weak label (any query that
// returns nothing "matches" it), so for each such query a few witness rows are added to a copy of
// the sandbox until the query returns something. A witness row is a copy of an existing row of the
// table (so NOT NULL and CHECK columns keep valid values) with fresh keys, the query's constants on
// the columns it filters, and foreign keys pointing at the other new rows it joins with. Each query
// is tried in its own transaction and kept only when the query then returns rows; every key, NOT
// NULL and CHECK is enforced by DuckDB on insert, declared lengths and foreign keys by this code,
// and every foreign key is proven again before the copy is accepted. The query's SQL only ever runs
// wrapped in SELECT count(*) FROM (…), after the same acceptance checks as any untrusted SQL.

export interface AugmentTarget {
  id: string;
  sql: string;
}

export interface AugmentOptions {
  /** Stop once empty / totalQueries is at most this share (default 0.1). */
  maxEmptyShare?: number;
  /** The project's query count: the denominator of the empty share. */
  totalQueries: number;
  /** New rows one query may add, implied parent rows included (default 5). */
  maxRowsPerQuery?: number;
  /** New rows in all (default 2,000). */
  maxRowsTotal?: number;
  seed: number;
  onProgress?: (done: number, total: number, message: string) => Promise<void> | void;
  isCancelled?: () => Promise<boolean> | boolean;
}

export interface AugmentReport {
  /** Targets that return nothing (or cannot run) on the source sandbox. */
  emptyBefore: number;
  emptyAfter: number;
  /** Query ids that return rows on the new sandbox and returned none on the source. */
  fixed: string[];
  stillEmpty: { id: string; reason: string }[];
  /** New rows per table. */
  rowsAdded: Record<string, number>;
  /** Targets that already returned rows on the source: left out of every other figure. */
  alreadyNonEmpty: string[];
}

export const DEFAULT_MAX_EMPTY_SHARE = 0.1;
export const DEFAULT_MAX_ROWS_PER_QUERY = 5;
export const DEFAULT_MAX_ROWS_TOTAL = 2_000;
/** Witness candidates tried per query before it is given up. */
const MAX_ATTEMPTS = 6;
/** Implied parent rows (a parent of a parent …) one witness row may pull in. */
const MAX_PARENT_DEPTH = 4;
const COUNT_ALIAS = "__sandpiper_q";

/**
 * Copies `sourcePath` to `targetPath` (via a `.partial` temp file renamed at the end, like
 * generateSandboxFile), inserts witness rows into the copy for the empty queries, proves every FK,
 * checkpoints, and returns the report. The source file is never modified.
 */
export async function augmentSandbox(
  sourcePath: string,
  targetPath: string,
  model: SchemaModel,
  empty: AugmentTarget[],
  opts: AugmentOptions,
): Promise<AugmentReport & { bytes: number; sha256: string }> {
  const source = path.resolve(sourcePath);
  const target = path.resolve(targetPath);
  const maxEmptyShare = opts.maxEmptyShare ?? DEFAULT_MAX_EMPTY_SHARE;
  const maxRowsPerQuery = opts.maxRowsPerQuery ?? DEFAULT_MAX_ROWS_PER_QUERY;
  const maxRowsTotal = opts.maxRowsTotal ?? DEFAULT_MAX_ROWS_TOTAL;
  if (source === target) throw new ValidationError("The augmented sandbox must be written to another file than its source.");
  if (!Number.isInteger(opts.totalQueries) || opts.totalQueries < empty.length || opts.totalQueries < 1) {
    throw new ValidationError(`totalQueries must be a whole number of at least ${Math.max(1, empty.length)} (the empty queries are among them); got ${opts.totalQueries}.`);
  }
  if (!(maxEmptyShare >= 0 && maxEmptyShare <= 1)) throw new ValidationError(`maxEmptyShare must be between 0 and 1; got ${maxEmptyShare}.`);
  if (!Number.isInteger(maxRowsPerQuery) || maxRowsPerQuery < 1) throw new ValidationError(`maxRowsPerQuery must be a whole number of at least 1; got ${maxRowsPerQuery}.`);
  if (!Number.isInteger(maxRowsTotal) || maxRowsTotal < 0) throw new ValidationError(`maxRowsTotal must be a whole number of at least 0; got ${maxRowsTotal}.`);
  if (!existsSync(source)) throw new NotFoundError(`The sandbox file ${path.basename(source)} does not exist; generate the sandbox first.`);

  const dir = path.dirname(target);
  const tempPath = `${target}.partial`;
  await mkdir(dir, { recursive: true });
  await removeLeftovers(dir, path.basename(tempPath));

  const progress = async (done: number, message: string) => {
    if (opts.onProgress) await opts.onProgress(done, empty.length, message);
  };
  const assertNotCancelled = async () => {
    if (opts.isCancelled && (await opts.isCancelled())) throw new Error("Cancelled");
  };

  let completed = false;
  let instance: DuckDBInstance | null = null;
  let connection: DuckDBConnection | null = null;
  try {
    // A closed DuckDB file is complete on its own; a leftover write-ahead log is copied with it so
    // the copy replays what the source would.
    await copyFile(source, tempPath);
    if (existsSync(`${source}.wal`)) await copyFile(`${source}.wal`, `${tempPath}.wal`);
    instance = await DuckDBInstance.create(tempPath, {
      enable_external_access: "false",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      threads: "1",
      lock_configuration: "true",
    });
    connection = await instance.connect();
    const conn = connection;

    const report: AugmentReport = { emptyBefore: 0, emptyAfter: 0, fixed: [], stillEmpty: [], rowsAdded: {}, alreadyNonEmpty: [] };
    const tried: { target: AugmentTarget; accepted: AcceptedQuery | null; refusal?: string }[] = [];

    await progress(0, "Checking which queries return nothing");
    for (const t of empty) {
      await assertNotCancelled();
      const accepted = await acceptQuery(t.sql);
      if (!accepted.ok) {
        tried.push({ target: t, accepted: null, refusal: accepted.reason });
        continue;
      }
      const counted = await countRows(conn, accepted.query.sql);
      if (counted.ok && counted.rows > 0) report.alreadyNonEmpty.push(t.id);
      else tried.push({ target: t, accepted: counted.ok ? accepted.query : null, refusal: counted.ok ? undefined : `the query fails on the sandbox: ${counted.error}` });
    }
    report.emptyBefore = tried.length;

    const writer = new WitnessWriter(conn, model, opts.seed);
    let added = 0;
    let stop: string | null = null;
    for (let i = 0; i < tried.length; i++) {
      const { target: t, accepted, refusal } = tried[i]!;
      await assertNotCancelled();
      const emptyNow = report.emptyBefore - report.fixed.length;
      if (stop === null && emptyNow / opts.totalQueries <= maxEmptyShare) {
        stop = `not tried: ${emptyNow} of ${opts.totalQueries} queries empty is within the ${formatShare(maxEmptyShare)} allowed`;
      }
      if (stop === null && added >= maxRowsTotal) stop = `not tried: the budget of ${maxRowsTotal.toLocaleString("en-US")} new rows is spent`;
      if (stop !== null) {
        report.stillEmpty.push({ id: t.id, reason: refusal ?? stop });
        continue;
      }
      await progress(i, `Query ${t.id}`);
      if (!accepted) {
        report.stillEmpty.push({ id: t.id, reason: refusal ?? "the query was refused" });
        continue;
      }
      // Rows added for an earlier query may already make this one return something.
      const now = await countRows(conn, accepted.sql);
      if (now.ok && now.rows > 0) {
        report.fixed.push(t.id);
        continue;
      }
      const limit = Math.min(maxRowsPerQuery, maxRowsTotal - added);
      const outcome = await writer.witness(t.id, accepted, limit, maxRowsPerQuery);
      if (outcome.ok) {
        report.fixed.push(t.id);
        added += outcome.rows;
        for (const [table, n] of Object.entries(outcome.rowsAdded)) report.rowsAdded[table] = (report.rowsAdded[table] ?? 0) + n;
        continue;
      }
      report.stillEmpty.push({ id: t.id, reason: outcome.reason });
      if (outcome.budgetSpent) stop = `not tried: the budget of ${maxRowsTotal.toLocaleString("en-US")} new rows is spent`;
    }

    // Rows added for a later query can empty an earlier one again (an anti-join over a table that
    // grew): the report only counts queries that return rows on the final file.
    await progress(tried.length, "Checking the queries again on the new sandbox");
    const byId = new Map(tried.map((x) => [x.target.id, x]));
    const stillFixed: string[] = [];
    for (const id of report.fixed) {
      const sql = byId.get(id)!.accepted!.sql;
      const again = await countRows(conn, sql);
      if (again.ok && again.rows > 0) stillFixed.push(id);
      else report.stillEmpty.push({ id, reason: "rows added for a later query emptied it again" });
    }
    report.fixed = stillFixed;
    report.emptyAfter = report.emptyBefore - report.fixed.length;

    await assertNotCancelled();
    await progress(tried.length, "Checking every foreign key");
    await verifyForeignKeys(conn, model, planFillOrder(model));
    await progress(tried.length, "Writing the sandbox file");
    await conn.run("CHECKPOINT");
    connection.closeSync();
    connection = null;
    instance.closeSync();
    instance = null;

    const { bytes, sha256 } = await publishSandboxFile(tempPath, target);
    completed = true;
    await progress(empty.length, "Sandbox augmented");
    return { ...report, bytes, sha256 };
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    if (!completed) await removeLeftovers(dir, path.basename(tempPath));
  }
}

// ---------------------------------------------------------------------------------------------
// Running a query: only counted, only after the checks any untrusted SQL goes through.

interface AcceptedQuery {
  sql: string;
  node: unknown;
  tables: string[];
}

/** The same acceptance as untrusted SQL: one SELECT/WITH statement analyzeSql accepts, within the size limit. */
async function acceptQuery(sql: string): Promise<{ ok: true; query: AcceptedQuery } | { ok: false; reason: string }> {
  if (Buffer.byteLength(sql, "utf8") > MAX_SQL_BYTES) return { ok: false, reason: `refused: the SQL is longer than ${MAX_SQL_BYTES / 1024} KB` };
  const keyword = firstKeyword(sql);
  if (!["SELECT", "WITH", "FROM", "VALUES"].includes(keyword)) {
    return { ok: false, reason: `refused: only a single SELECT or WITH query can run, this starts with ${keyword || "something else"}` };
  }
  const analysis = await analyzeSql(sql);
  if (!analysis.ok) return { ok: false, reason: `refused: ${analysis.error}` };
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) return { ok: false, reason: `refused: ${parsed.error}` };
  // A trailing semicolon would end the statement inside the count wrapper.
  const body = sql.replace(/[\s;]+$/, "");
  return { ok: true, query: { sql: body, node: parsed.node, tables: analysis.features.tables } };
}

type CountResult = { ok: true; rows: number } | { ok: false; error: string };

/** SELECT count(*) FROM (<sql>) on the copy, with the time limit untrusted SQL gets. */
async function countRows(connection: DuckDBConnection, sql: string): Promise<CountResult> {
  // The closing parenthesis sits on its own line so a trailing line comment cannot swallow it.
  const wrapped = `SELECT count(*) FROM (\n${sql}\n) AS ${COUNT_ALIAS}`;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, DEFAULT_TIMEOUT_MS);
  try {
    const extracted = await connection.extractStatements(wrapped);
    if (extracted.count !== 1) return { ok: false, error: "it is not a single query" };
    const prepared = await extracted.prepare(0);
    if (prepared.statementType !== StatementType.SELECT) return { ok: false, error: "it is not a query" };
    const reader = await prepared.runAndReadAll();
    return { ok: true, rows: Number(reader.getRows()[0]?.[0] ?? 0) };
  } catch (error) {
    if (timedOut) return { ok: false, error: `it ran longer than ${DEFAULT_TIMEOUT_MS / 1000} s` };
    return { ok: false, error: firstLine(error) };
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a query: which table references it reads, and what it asks of their columns.

type Scalar = string | number | boolean;

interface Bound {
  value: Scalar;
  inclusive: boolean;
}

interface LikePattern {
  pattern: string;
  escape: string | null;
  caseInsensitive: boolean;
}

/** What a query's conditions ask of one column (or of a set of columns it equates). */
interface Facts {
  eq: Scalar[];
  inLists: Scalar[][];
  lower: Bound[];
  upper: Bound[];
  ne: Scalar[];
  like: LikePattern[];
  isNull: boolean;
  notNull: boolean;
  /** Constants from places the reading does not follow exactly (other OR branches, CTE columns): hints only. */
  loose: Scalar[];
}

/** One table reference of the query (an alias): each gets its own witness row. */
interface Instance {
  id: number;
  table: TableModel;
  /** Lower-case name the query qualifies its columns with. */
  alias: string;
  /** Written without an alias, so the table's own name qualifies it. */
  bare: boolean;
  /** The nullable side of an outer join. */
  optional: boolean;
  /** Gets no row: inside an anti-join, or the nullable side of a LEFT JOIN … WHERE key IS NULL. */
  negative: boolean;
}

/** A CTE or derived table in FROM whose output columns pass table columns through (SELECT *, SELECT a.x AS y). */
interface View {
  alias: string;
  /** Output column name (lower case) → the slot it passes through. */
  columns: Map<string, string>;
}

interface Scope {
  instances: Instance[];
  views: View[];
  parent: Scope | null;
  /** Holds something whose columns are not all known (a computed column, a table function): unqualified columns may belong to it. */
  opaque: boolean;
}

type QueryResult = { scope: Scope; selectList: unknown[] } | null;

interface Slot {
  instance: Instance;
  column: ColumnModel;
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function childrenOf(node: Node): unknown[] {
  return Array.isArray(node.children) ? node.children : [];
}

function emptyFacts(): Facts {
  return { eq: [], inLists: [], lower: [], upper: [], ne: [], like: [], isNull: false, notNull: false, loose: [] };
}

const SLOT_SEPARATOR = "\u0000";

function slotKey(instance: Instance, column: ColumnModel): string {
  return `${instance.id}${SLOT_SEPARATOR}${column.name}`;
}

/** A column reference, seen through casts and collations. */
function columnRefOf(e: unknown): string[] | null {
  if (!isNode(e)) return null;
  if (e.class === "CAST" || e.class === "COLLATE") return columnRefOf(e.child);
  if (e.class !== "COLUMN_REF" || !Array.isArray(e.column_names) || e.column_names.length === 0) return null;
  return e.column_names.map(String);
}

/** A constant expression's value (literals, casts of literals, negations), read the way collectComparedConstants reads it. */
function constantOf(e: unknown): Scalar | null {
  if (!isNode(e) || !["CONSTANT", "CAST", "COLLATE", "FUNCTION"].includes(String(e.class))) return null;
  const text = JSON.stringify(e);
  if (text.includes('"COLUMN_REF"') || text.includes('"SUBQUERY"')) return null;
  const found = collectComparedConstants({ class: "COMPARISON", type: "COMPARE_EQUAL", left: { class: "COLUMN_REF", column_names: ["__value"] }, right: e });
  const first = found[0];
  return first && first.column === "__value" && first.qualifier === null ? first.value : null;
}

const FLIPPED: Record<string, string> = {
  COMPARE_LESSTHAN: "COMPARE_GREATERTHAN",
  COMPARE_GREATERTHAN: "COMPARE_LESSTHAN",
  COMPARE_LESSTHANOREQUALTO: "COMPARE_GREATERTHANOREQUALTO",
  COMPARE_GREATERTHANOREQUALTO: "COMPARE_LESSTHANOREQUALTO",
};

const COMPARISON_SIGNS: Record<string, string> = {
  COMPARE_NOTEQUAL: "<>",
  COMPARE_LESSTHAN: "<",
  COMPARE_GREATERTHAN: ">",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHANOREQUALTO: ">=",
  COMPARE_DISTINCT_FROM: "IS DISTINCT FROM",
};

/** Functions that are LIKE in disguise: (column, pattern built from the argument). */
const LIKE_FUNCTIONS = new Map<string, (arg: string) => string>([
  ["starts_with", (a) => `${escapeLike(a)}%`],
  ["prefix", (a) => `${escapeLike(a)}%`],
  ["ends_with", (a) => `%${escapeLike(a)}`],
  ["suffix", (a) => `%${escapeLike(a)}`],
  ["contains", (a) => `%${escapeLike(a)}%`],
]);

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

class QueryReader {
  readonly instances: Instance[] = [];
  readonly slots = new Map<string, Slot>();
  readonly facts = new Map<string, Facts>();
  readonly equalities: [string, string][] = [];
  /** Constants compared with columns no table reference owns (CTE or derived-table columns). */
  readonly unresolved: ComparedConstant[] = [];
  antiJoin = false;
  /** A HAVING clause outside anti-joins: more rows of one group may be needed. */
  having = false;
  /** Slots the grouped query blocks group by. */
  readonly groupSlots: string[] = [];
  readonly obstacles = new Set<string>();
  private readonly cteBodies = new Map<string, unknown>();
  /** CTEs walked so far, per name and polarity: one set of rows serves every reference of the same side. */
  private readonly ctes = new Map<string, QueryResult>();
  private inHaving = false;
  /** Inside an anti-join (NOT EXISTS, NOT IN, EXCEPT's right side): table references there get no rows. */
  private negativeDepth = 0;

  constructor(private readonly model: SchemaModel) {}

  read(root: unknown): void {
    this.query(root, null);
    // LEFT JOIN x … WHERE x.key IS NULL asks for a row with no partner: x gets no witness row.
    // A column that cannot be NULL in a real row, or that the join equates, says so.
    const joined = new Set(this.equalities.flat());
    for (const instance of this.instances) {
      if (!instance.optional) continue;
      const nullKey = instance.table.columns.some((c) => {
        const key = slotKey(instance, c);
        return this.facts.get(key)?.isNull === true && (!c.nullable || c.primaryKey || joined.has(key));
      });
      if (nullKey) {
        instance.negative = true;
        this.antiJoin = true;
      }
    }
  }

  /** Walks what the new rows must find no partner in: its table references are negative, and columns equated with them must be fresh. */
  private negated<T>(walk: () => T): T {
    this.antiJoin = true;
    this.negativeDepth++;
    try {
      return walk();
    } finally {
      this.negativeDepth--;
    }
  }

  private obstacle(text: string): void {
    if (this.negativeDepth === 0) this.obstacles.add(text);
  }

  /** The output columns of two set-operation branches meet position by position. */
  private pairOutputs(a: QueryResult, b: QueryResult): void {
    if (!a || !b) return;
    a.selectList.forEach((item, i) => {
      const left = columnRefOf(item);
      const right = columnRefOf(b.selectList[i]);
      const ka = left ? this.resolve(left, a.scope) : null;
      const kb = right ? this.resolve(right, b.scope) : null;
      if (ka && kb) this.equate(ka, kb);
    });
  }

  private query(node: unknown, outer: Scope | null): QueryResult {
    if (!isNode(node)) return null;
    const cteMap = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
    for (const entry of cteMap) {
      if (!isNode(entry) || typeof entry.key !== "string") continue;
      // Walked where it is read, so a CTE read only inside NOT EXISTS gets no rows either.
      this.cteBodies.set(entry.key.toLowerCase(), isNode(entry.value) && isNode(entry.value.query) ? entry.value.query.node : null);
    }
    switch (node.type) {
      case "SELECT_NODE": {
        const scope: Scope = { instances: [], views: [], parent: outer, opaque: false };
        this.from(node.from_table, scope);
        this.predicate(node.where_clause, scope, true);
        if (node.having) {
          this.obstacle("a HAVING condition on groups that the new rows allowed per query could not meet");
          if (this.negativeDepth === 0) {
            this.having = true;
            for (const g of Array.isArray(node.group_expressions) ? node.group_expressions : []) {
              const names = columnRefOf(g);
              const key = names ? this.resolve(names, scope) : null;
              if (key) this.groupSlots.push(key);
            }
          }
          this.inHaving = true;
          this.predicate(node.having, scope, true);
          this.inHaving = false;
        }
        if (node.qualify) this.obstacle("a QUALIFY condition on a window function");
        return { scope, selectList: Array.isArray(node.select_list) ? node.select_list : [] };
      }
      case "SET_OPERATION_NODE": {
        const kind = String(node.setop_type ?? "");
        const left = this.query(node.left, outer);
        // INTERSECT needs a row in each branch with the same output; EXCEPT one in the left branch
        // whose output the right branch lacks; a UNION is met by its first branch alone.
        if (kind === "INTERSECT") this.pairOutputs(left, this.query(node.right, outer));
        else if (kind === "EXCEPT") this.pairOutputs(left, this.negated(() => this.query(node.right, outer)));
        return left;
      }
      case "RECURSIVE_CTE_NODE":
        return this.query(node.left, outer);
      case "CTE_NODE":
        this.query(node.query, null);
        return this.query(node.child, outer);
      default:
        return null;
    }
  }

  private from(ref: unknown, scope: Scope): void {
    if (!isNode(ref)) return;
    switch (ref.type) {
      case "BASE_TABLE": {
        const schema = typeof ref.schema_name === "string" ? ref.schema_name : "";
        const name = typeof ref.table_name === "string" ? ref.table_name : "";
        const alias = typeof ref.alias === "string" ? ref.alias : "";
        if (!schema && this.cteBodies.has(name.toLowerCase())) {
          const key = `${name.toLowerCase()}${SLOT_SEPARATOR}${this.negativeDepth > 0}`;
          if (!this.ctes.has(key)) {
            this.ctes.set(key, null); // a recursive CTE reads itself: that reference stays opaque
            this.ctes.set(key, this.query(this.cteBodies.get(name.toLowerCase()), null));
          }
          this.addView(scope, (alias || name).toLowerCase(), this.ctes.get(key) ?? null);
          return;
        }
        const table = findTable(this.model, schema ? `${schema}.${name}` : name);
        if (!table) {
          scope.opaque = true;
          return;
        }
        const instance: Instance = {
          id: this.instances.length,
          table,
          alias: (alias || name).toLowerCase(),
          bare: alias === "",
          optional: false,
          negative: this.negativeDepth > 0,
        };
        this.instances.push(instance);
        scope.instances.push(instance);
        return;
      }
      case "JOIN": {
        const joinType = String(ref.join_type ?? "INNER");
        const before = scope.instances.length;
        this.from(ref.left, scope);
        const middle = scope.instances.length;
        if (joinType === "ANTI") {
          this.negated(() => {
            this.from(ref.right, scope);
            this.predicate(ref.condition, scope, true);
          });
          return;
        }
        this.from(ref.right, scope);
        const leftSide = scope.instances.slice(before, middle);
        const rightSide = scope.instances.slice(middle);
        if (joinType === "LEFT" || joinType === "OUTER") for (const i of rightSide) i.optional = true;
        if (joinType === "RIGHT" || joinType === "OUTER") for (const i of leftSide) i.optional = true;
        const using = Array.isArray(ref.using_columns) ? ref.using_columns.map(String) : [];
        for (const name of using) {
          const a = [...leftSide].reverse().map((i) => this.slotOf(i, name)).find((s) => s !== null);
          const b = rightSide.map((i) => this.slotOf(i, name)).find((s) => s !== null);
          if (a && b) this.equate(a, b);
        }
        this.predicate(ref.condition, scope, true);
        return;
      }
      case "SUBQUERY": {
        const sub = isNode(ref.subquery) ? ref.subquery.node : null;
        this.addView(scope, typeof ref.alias === "string" ? ref.alias.toLowerCase() : "", this.query(sub, null));
        return;
      }
      default:
        scope.opaque = true;
    }
  }

  /** The columns a CTE or derived table passes through from its tables; anything computed leaves the scope opaque. */
  private addView(scope: Scope, alias: string, body: QueryResult): void {
    const columns = new Map<string, string>();
    let complete = body !== null;
    const ambiguous = new Set<string>();
    const put = (name: string, key: string) => {
      const lower = name.toLowerCase();
      if (columns.has(lower) && columns.get(lower) !== key) ambiguous.add(lower);
      else columns.set(lower, key);
    };
    for (const item of body?.selectList ?? []) {
      if (isNode(item) && item.class === "STAR") {
        const relation = typeof item.relation_name === "string" ? item.relation_name.toLowerCase() : "";
        if (body!.scope.opaque || body!.scope.views.length > 0) complete = false;
        for (const instance of body!.scope.instances) {
          if (relation && instance.alias !== relation) continue;
          for (const c of instance.table.columns) put(c.name, this.slotOf(instance, c.name)!);
        }
        continue;
      }
      const names = columnRefOf(item);
      const key = names && body ? this.resolve(names, body.scope) : null;
      if (!names || !key) {
        complete = false;
        continue;
      }
      put(isNode(item) && typeof item.alias === "string" && item.alias !== "" ? item.alias : names[names.length - 1]!, key);
    }
    for (const name of ambiguous) columns.delete(name);
    scope.views.push({ alias, columns });
    if (!complete) scope.opaque = true;
  }

  private slotOf(instance: Instance, columnName: string): string | null {
    const lower = columnName.toLowerCase();
    const column = instance.table.columns.find((c) => c.name.toLowerCase() === lower);
    if (!column) return null;
    const key = slotKey(instance, column);
    if (!this.slots.has(key)) this.slots.set(key, { instance, column });
    return key;
  }

  /** The slot a column reference names, looking outward through enclosing scopes (correlated subqueries). */
  private resolve(names: string[], scope: Scope): string | null {
    const column = names[names.length - 1]!;
    const qualifier = names.length > 1 ? names.slice(0, -1).join(".").toLowerCase() : null;
    for (let s: Scope | null = scope; s; s = s.parent) {
      if (qualifier !== null) {
        const view = s.views.find((v) => v.alias === qualifier);
        if (view) return view.columns.get(column.toLowerCase()) ?? null;
        const match =
          s.instances.find((i) => i.alias === qualifier) ??
          s.instances.find((i) => i.bare && (i.table.name.toLowerCase() === qualifier || bareName(i.table.name.toLowerCase()) === qualifier));
        if (match) return this.slotOf(match, column);
        continue;
      }
      const lower = column.toLowerCase();
      const owners: (() => string | null)[] = [
        ...s.instances.filter((i) => i.table.columns.some((c) => c.name.toLowerCase() === lower)).map((i) => () => this.slotOf(i, column)),
        ...s.views.filter((v) => v.columns.has(lower)).map((v) => () => v.columns.get(lower)!),
      ];
      if (owners.length === 1 && !s.opaque) return owners[0]!();
      if (owners.length > 1 || s.opaque) return null;
    }
    return null;
  }

  /** Inside an anti-join only a link between a new row and a table it must not match counts. */
  private equate(a: string, b: string): void {
    if (this.negativeDepth > 0 && !this.slots.get(a)!.instance.negative && !this.slots.get(b)!.instance.negative) return;
    this.equalities.push([a, b]);
  }

  private factsOf(key: string): Facts {
    // A condition inside an anti-join is negated: it says nothing the new rows must meet.
    if (this.negativeDepth > 0 && !this.slots.get(key)!.instance.negative) return emptyFacts();
    let f = this.facts.get(key);
    if (!f) {
      f = emptyFacts();
      this.facts.set(key, f);
    }
    return f;
  }

  /** Walks a condition; `must` is false inside OR branches past the first, where values are only hints. */
  private predicate(e: unknown, scope: Scope, must: boolean): void {
    if (!isNode(e)) return;
    switch (e.class) {
      case "CONJUNCTION": {
        const children = childrenOf(e);
        if (e.type === "CONJUNCTION_OR") {
          // One branch is enough: the first is satisfied, the others only lend their values.
          children.forEach((c, i) => this.predicate(c, scope, must && i === 0));
        } else for (const c of children) this.predicate(c, scope, must);
        return;
      }
      case "COMPARISON":
        this.comparison(e, scope, must);
        return;
      case "BETWEEN": {
        const names = columnRefOf(e.input);
        const lo = constantOf(e.lower);
        const hi = constantOf(e.upper);
        if (!names || lo === null || hi === null) {
          if (must) this.expression(e);
          return;
        }
        const key = this.resolve(names, scope);
        if (!key) {
          this.unresolve(names, [lo, hi]);
          return;
        }
        const f = this.factsOf(key);
        if (must) {
          f.lower.push({ value: lo, inclusive: true });
          f.upper.push({ value: hi, inclusive: true });
        } else f.loose.push(lo, hi);
        return;
      }
      case "OPERATOR":
        this.operator(e, scope, must);
        return;
      case "SUBQUERY":
        this.subquery(e, scope, must);
        return;
      case "FUNCTION":
        this.func(e, scope, must);
        return;
      case "COLUMN_REF": {
        // WHERE is_active: a boolean column on its own.
        const key = this.resolve(columnRefOf(e)!, scope);
        if (key && must) this.factsOf(key).eq.push(true);
        return;
      }
      case "CONSTANT":
        return;
      default:
        if (must) this.expression(e);
    }
  }

  private comparison(e: Node, scope: Scope, must: boolean): void {
    const type = String(e.type);
    const leftCol = columnRefOf(e.left);
    const rightCol = columnRefOf(e.right);
    if (leftCol && rightCol) {
      if (!must) return;
      if (type !== "COMPARE_EQUAL" && type !== "COMPARE_NOT_DISTINCT_FROM") {
        this.obstacle(`a comparison between two columns (${leftCol.at(-1)} ${COMPARISON_SIGNS[type] ?? "vs"} ${rightCol.at(-1)})`);
        return;
      }
      const a = this.resolve(leftCol, scope);
      const b = this.resolve(rightCol, scope);
      if (a && b) this.equate(a, b);
      return;
    }
    const names = leftCol ?? rightCol;
    const value = leftCol ? constantOf(e.right) : rightCol ? constantOf(e.left) : null;
    if (!names || value === null) {
      if (must) this.expression(e);
      return;
    }
    const op = leftCol ? type : (FLIPPED[type] ?? type);
    const key = this.resolve(names, scope);
    if (!key) {
      this.unresolve(names, [value]);
      return;
    }
    const f = this.factsOf(key);
    if (!must) {
      if (op !== "COMPARE_NOTEQUAL" && op !== "COMPARE_DISTINCT_FROM") f.loose.push(value);
      return;
    }
    switch (op) {
      case "COMPARE_EQUAL":
      case "COMPARE_NOT_DISTINCT_FROM":
        f.eq.push(value);
        return;
      case "COMPARE_NOTEQUAL":
      case "COMPARE_DISTINCT_FROM":
        f.ne.push(value);
        f.notNull = f.notNull || op === "COMPARE_NOTEQUAL";
        return;
      case "COMPARE_GREATERTHAN":
      case "COMPARE_GREATERTHANOREQUALTO":
        f.lower.push({ value, inclusive: op === "COMPARE_GREATERTHANOREQUALTO" });
        return;
      case "COMPARE_LESSTHAN":
      case "COMPARE_LESSTHANOREQUALTO":
        f.upper.push({ value, inclusive: op === "COMPARE_LESSTHANOREQUALTO" });
        return;
      default:
        this.expression(e);
    }
  }

  private operator(e: Node, scope: Scope, must: boolean): void {
    const type = String(e.type);
    const children = childrenOf(e);
    if (type === "COMPARE_IN" || type === "COMPARE_NOT_IN") {
      const [subject, ...list] = children;
      const names = columnRefOf(subject);
      const values = list.map(constantOf);
      if (!names || values.some((v) => v === null)) {
        if (must) this.expression(e);
        return;
      }
      const key = this.resolve(names, scope);
      if (!key) {
        if (type === "COMPARE_IN") this.unresolve(names, values as Scalar[]);
        return;
      }
      const f = this.factsOf(key);
      if (type === "COMPARE_IN") {
        if (must) f.inLists.push(values as Scalar[]);
        else f.loose.push(...(values as Scalar[]));
      } else if (must) {
        f.ne.push(...(values as Scalar[]));
        f.notNull = true;
      }
      return;
    }
    if (type === "OPERATOR_IS_NULL" || type === "OPERATOR_IS_NOT_NULL") {
      const names = columnRefOf(children[0]);
      const key = names ? this.resolve(names, scope) : null;
      if (key && must) {
        if (type === "OPERATOR_IS_NULL") this.factsOf(key).isNull = true;
        else this.factsOf(key).notNull = true;
      }
      return;
    }
    if (type === "OPERATOR_NOT") {
      const inner = children[0];
      if (isNode(inner) && inner.class === "SUBQUERY") {
        // NOT EXISTS / NOT IN (subquery): the new rows must have no partner there, so nothing is
        // inserted for the subquery's tables, and the columns it correlates on get fresh values.
        const sub = isNode(inner.subquery) ? inner.subquery.node : null;
        const result = this.negated(() => this.query(sub, scope));
        if (inner.subquery_type === "ANY") {
          const names = columnRefOf(inner.child);
          const key = names ? this.resolve(names, scope) : null;
          const innerNames = columnRefOf(result?.selectList[0]);
          const innerKey = innerNames && result ? this.resolve(innerNames, result.scope) : null;
          if (key && must) this.factsOf(key).notNull = true;
          if (key && innerKey) this.equate(key, innerKey);
        }
        return;
      }
      const names = columnRefOf(inner);
      if (names) {
        const key = this.resolve(names, scope);
        if (key && must) this.factsOf(key).eq.push(false);
        return;
      }
      if (must) this.expression(e);
      return;
    }
    if (must) this.expression(e);
  }

  private subquery(e: Node, scope: Scope, must: boolean): void {
    if (!must) return;
    const sub = isNode(e.subquery) ? e.subquery.node : null;
    if (e.subquery_type === "EXISTS") {
      this.query(sub, scope);
      return;
    }
    if (e.subquery_type === "ANY" && e.comparison_type === "COMPARE_EQUAL") {
      // x IN (SELECT y …): a row of the subquery with y equal to x.
      const inner = this.query(sub, scope);
      const names = columnRefOf(e.child);
      const outerKey = names ? this.resolve(names, scope) : null;
      const first = inner?.selectList[0];
      const innerNames = columnRefOf(first);
      const innerKey = innerNames && inner ? this.resolve(innerNames, inner.scope) : null;
      if (outerKey && innerKey) this.equate(outerKey, innerKey);
      return;
    }
    this.expression(e);
  }

  private func(e: Node, scope: Scope, must: boolean): void {
    const name = String(e.function_name ?? "").toLowerCase();
    const args = childrenOf(e);
    const like = name === "~~" || name === "~~*" || name === "like_escape" || name === "ilike_escape";
    const disguised = LIKE_FUNCTIONS.get(name);
    if (like || disguised) {
      const names = columnRefOf(args[0]);
      const pattern = constantOf(args[1]);
      const escape = args[2] !== undefined ? constantOf(args[2]) : null;
      if (!names || typeof pattern !== "string") {
        if (must) this.expression(e);
        return;
      }
      const key = this.resolve(names, scope);
      if (!key || !must) return;
      if (like) {
        this.factsOf(key).like.push({
          pattern,
          escape: typeof escape === "string" && escape !== "" ? escape : null,
          caseInsensitive: name === "~~*" || name === "ilike_escape",
        });
      } else this.factsOf(key).like.push({ pattern: disguised!(pattern), escape: "\\", caseInsensitive: false });
      return;
    }
    // NOT LIKE and friends: a fresh or copied value rarely matches a pattern; the count decides.
    if (name.startsWith("!~~")) return;
    if (must) this.expression(e);
  }

  private expression(e: Node): void {
    // Aggregates compared in HAVING are covered by the HAVING obstacle itself.
    if (this.inHaving) return;
    const text = JSON.stringify(e);
    const calls = [...text.matchAll(/"function_name":"([^"]+)"/g)].map((m) => m[1]!).filter((n) => /^[a-z_]/i.test(n));
    if (text.includes('"SUBQUERY"')) this.obstacle("a comparison with a subquery's result");
    else if (calls.length > 0) this.obstacle(`a condition on an expression (${[...new Set(calls)].slice(0, 3).join(", ")}), not on a plain column`);
    else this.obstacle("a condition on a computed value, not on a plain column");
  }

  private unresolve(names: string[], values: Scalar[]): void {
    const qualifier = names.length > 1 ? names.slice(0, -1).join(".") : null;
    for (const value of values) this.unresolved.push({ qualifier, column: names[names.length - 1]!, value });
  }
}

function bareName(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? name : name.slice(dot + 1);
}

function findTable(model: SchemaModel, name: string): TableModel | null {
  const lower = name.toLowerCase();
  const exact = model.tables.find((t) => t.name.toLowerCase() === lower);
  if (exact) return exact;
  const matches = model.tables.filter((t) => bareName(t.name.toLowerCase()) === bareName(lower));
  return matches.length === 1 ? matches[0]! : null;
}

/** Union-find over slots: columns the query equates share one value. */
class SlotClasses {
  private readonly parent = new Map<string, string>();

  find(key: string): string {
    let root = key;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(key, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** The rows a query needs: its table references in insert order, with the values each column must take. */
interface WitnessPlan {
  instances: Instance[];
  classes: SlotClasses;
  slots: Map<string, Slot>;
  /** Per class root: values to try, as text DuckDB casts to the column's type (null = NULL). */
  candidates: Map<string, (string | null)[]>;
  /** Per class root: conditions a copied value must meet (IS NOT NULL, <> …). */
  filters: Map<string, Facts>;
  /** Class roots that must take a value the anti-joined side does not hold. */
  fresh: Set<string>;
  /** Per instance id: the columns its query block groups by, when a HAVING may need more rows of one group. */
  groups: Map<number, string[]>;
  having: boolean;
  antiJoin: boolean;
  obstacles: string[];
  /** Why no value can work, when a column's conditions rule out every candidate. */
  impossible: string | null;
}

function planWitness(query: AcceptedQuery, model: SchemaModel): WitnessPlan {
  const reader = new QueryReader(model);
  reader.read(query.node);
  const instances = reader.instances.filter((i) => !i.negative);
  const positive = new Set(instances.map((i) => i.id));
  const live = (key: string) => positive.has(reader.slots.get(key)!.instance.id);
  const classes = new SlotClasses();
  for (const [a, b] of reader.equalities) if (live(a) && live(b)) classes.union(a, b);

  const merged = new Map<string, Facts>();
  for (const [key, f] of reader.facts) {
    if (!live(key)) continue;
    const root = classes.find(key);
    const m = merged.get(root) ?? emptyFacts();
    m.eq.push(...f.eq);
    m.inLists.push(...f.inLists);
    m.lower.push(...f.lower);
    m.upper.push(...f.upper);
    m.ne.push(...f.ne);
    m.like.push(...f.like);
    m.isNull ||= f.isNull;
    m.notNull ||= f.notNull;
    m.loose.push(...f.loose);
    merged.set(root, m);
  }

  // Constants on columns no table reference owns (a CTE's or a derived table's) are matched to the
  // query's tables by name, as the sandbox's constants are, and lend their values as hints.
  if (reader.unresolved.length > 0) {
    const resolved = resolveConstants([{ constants: reader.unresolved, tables: query.tables, aliases: collectTableAliases(query.node) }], model);
    for (const [qualified, values] of Object.entries(resolved)) {
      for (const instance of instances) {
        const column = instance.table.columns.find((c) => `${instance.table.name}.${c.name}` === qualified);
        if (!column) continue;
        const key = slotKey(instance, column);
        if (!reader.slots.has(key)) reader.slots.set(key, { instance, column });
        const root = classes.find(key);
        const m = merged.get(root) ?? emptyFacts();
        m.loose.push(...values);
        merged.set(root, m);
      }
    }
  }

  const candidates = new Map<string, (string | null)[]>();
  let impossible: string | null = null;
  for (const [root, f] of merged) {
    const slot = reader.slots.get(root)!;
    const result = candidateValues(f, slot.column, slot.instance.table);
    if (result.values.length > 0) candidates.set(root, result.values);
    else if (result.reason && !impossible) impossible = result.reason;
  }

  const fresh = new Set<string>();
  for (const [a, b] of reader.equalities) {
    if (live(a) !== live(b)) fresh.add(classes.find(live(a) ? a : b));
  }
  const groups = new Map<number, string[]>();
  for (const key of reader.groupSlots) {
    if (!live(key)) continue;
    const { instance, column } = reader.slots.get(key)!;
    groups.set(instance.id, [...(groups.get(instance.id) ?? []), column.name]);
  }

  return {
    instances: orderInstances(instances, classes, reader.slots, model),
    classes,
    slots: reader.slots,
    candidates,
    filters: merged,
    fresh,
    groups,
    having: reader.having,
    antiJoin: reader.antiJoin,
    obstacles: [...reader.obstacles],
    impossible,
  };
}

/** Parents before children: an instance whose foreign key the query equates with another instance's key comes after it. */
function orderInstances(instances: Instance[], classes: SlotClasses, slots: Map<string, Slot>, model: SchemaModel): Instance[] {
  const rank = new Map(planFillOrder(model).order.map((t, i) => [t.name, i]));
  const classOf = (instance: Instance, column: string): string | null => {
    const c = instance.table.columns.find((x) => x.name === column);
    if (!c) return null;
    const key = slotKey(instance, c);
    return slots.has(key) ? classes.find(key) : null;
  };
  const before = new Map<number, Set<number>>(instances.map((i) => [i.id, new Set<number>()]));
  for (const child of instances) {
    for (const fk of child.table.foreignKeys) {
      for (const parent of instances) {
        if (parent === child || parent.table.name !== fk.refTable) continue;
        const linked = fk.columns.every((c, j) => {
          const a = classOf(child, c);
          return a !== null && a === classOf(parent, fk.refColumns[j]!);
        });
        if (linked) before.get(child.id)!.add(parent.id);
      }
    }
  }
  const sorted = [...instances].sort((a, b) => (rank.get(a.table.name) ?? 0) - (rank.get(b.table.name) ?? 0) || a.id - b.id);
  const out: Instance[] = [];
  const done = new Set<number>();
  while (out.length < sorted.length) {
    const next = sorted.find((i) => !done.has(i.id) && [...before.get(i.id)!].every((p) => done.has(p))) ?? sorted.find((i) => !done.has(i.id))!;
    out.push(next);
    done.add(next.id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values: what a column can take to meet the query's conditions on it.

type ValueKind = "number" | "temporal" | "boolean" | "text";

function valueKind(parsed: ParsedType): ValueKind {
  switch (parsed.kind) {
    case "integer":
    case "decimal":
    case "float":
      return "number";
    case "date":
    case "timestamp":
      return "temporal";
    case "boolean":
      return "boolean";
    default:
      return "text";
  }
}

function coerce(value: Scalar, kind: ValueKind): Scalar | null {
  if (kind === "number") {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value.trim()))) return Number(value.trim());
    return null;
  }
  if (kind === "boolean") {
    if (typeof value === "boolean") return value;
    const t = String(value).trim().toLowerCase();
    return ["t", "true", "y", "yes", "1", "on"].includes(t) ? true : ["f", "false", "n", "no", "0", "off"].includes(t) ? false : null;
  }
  return typeof value === "string" ? value : String(value);
}

function compare(a: Scalar, b: Scalar): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function same(a: Scalar, b: Scalar): boolean {
  return compare(a, b) === 0 || a === b;
}

function shiftDays(text: string, days: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/s.exec(text.trim());
  if (!m) return null;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  if (Number.isNaN(t.getTime())) return null;
  return `${t.toISOString().slice(0, 10)}${m[4]}`;
}

/** The value itself and its neighbours: ±1 for numbers, ±1 day for dates, a longer or shorter string. */
function neighbours(value: Scalar, kind: ValueKind, integer: boolean): Scalar[] {
  if (kind === "number" && typeof value === "number") {
    const near = integer && !Number.isInteger(value) ? [Math.ceil(value), Math.floor(value)] : [value];
    return [...near, value + 1, value - 1].map((v) => (integer ? Math.round(v) : v));
  }
  if (kind === "temporal" && typeof value === "string") return [value, shiftDays(value, 1), shiftDays(value, -1)].filter((v): v is string => v !== null);
  if (kind === "text" && typeof value === "string") return [value, `${value}a`, value.slice(0, -1)];
  return [value];
}

/** A value a LIKE pattern matches: wildcards dropped, each _ a letter. */
function likeValue(p: LikePattern): string {
  let out = "";
  for (let i = 0; i < p.pattern.length; i++) {
    const ch = p.pattern[i]!;
    if (p.escape !== null && ch === p.escape) out += p.pattern[++i] ?? "";
    else if (ch === "%") continue;
    else out += ch === "_" ? "x" : ch;
  }
  return out;
}

function likeMatches(p: LikePattern, value: string): boolean {
  let source = "";
  for (let i = 0; i < p.pattern.length; i++) {
    const ch = p.pattern[i]!;
    if (p.escape !== null && ch === p.escape) source += (p.pattern[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, p.caseInsensitive ? "i" : "").test(value);
}

function describeLike(p: LikePattern): string {
  return `${p.caseInsensitive ? "ILIKE" : "LIKE"} ${sqlLiteral(p.pattern)}`;
}

/**
 * Numbers inside the interval the query's bounds and the column's CHECK bounds leave: its ends
 * (one step in when open) and its middle, so `salary < 0.5` with CHECK (salary > 0) gets 0.01.
 */
function intervalValues(f: Facts, checks: NumericBounds, parsed: ParsedType): number[] {
  type End = { v: number; inclusive: boolean };
  const ends = (bounds: Bound[], check: number | undefined, exclusive: boolean | undefined): End[] => [
    ...bounds.flatMap((b) => { const v = coerce(b.value, "number"); return typeof v === "number" ? [{ v, inclusive: b.inclusive }] : []; }),
    ...(check !== undefined ? [{ v: check, inclusive: !exclusive }] : []),
  ];
  const tighter = (a: End, b: End, lower: boolean) => (a.v === b.v ? (a.inclusive ? b : a) : (lower ? a.v > b.v : a.v < b.v) ? a : b);
  const low = ends(f.lower, checks.min, checks.minExclusive).reduce<End | null>((m, e) => (m ? tighter(m, e, true) : e), null);
  const high = ends(f.upper, checks.max, checks.maxExclusive).reduce<End | null>((m, e) => (m ? tighter(m, e, false) : e), null);
  const scale = parsed.kind === "integer" ? 0 : parsed.kind === "decimal" ? (parsed.scale ?? 0) : 2;
  const step = 10 ** -scale;
  const round = (v: number) => Number(v.toFixed(scale));
  const out: number[] = [];
  if (low) out.push(low.inclusive ? low.v : round(Math.floor(low.v / step) * step + step));
  if (high) out.push(high.inclusive ? high.v : round(Math.ceil(high.v / step) * step - step));
  if (low && high) out.push(parsed.kind === "integer" ? Math.floor((low.v + high.v) / 2) : (low.v + high.v) / 2);
  return out;
}

/** Candidate values (as text) for a column under the query's conditions, best first. */
function candidateValues(f: Facts, column: ColumnModel, table: TableModel): { values: (string | null)[]; reason?: string } {
  const parsed = parseColumnType(column.type);
  const kind = valueKind(parsed);
  const integer = parsed.kind === "integer";
  const label = `${table.name}.${column.name} (${column.type})`;
  if (f.isNull) return column.nullable && !f.notNull ? { values: [null] } : { values: [], reason: `the query needs ${label} to be NULL, which its constraints forbid` };
  const constrained = f.eq.length + f.inLists.length + f.lower.length + f.upper.length + f.like.length > 0;
  const fit = (v: Scalar) => coerce(v, kind);
  const raw: Scalar[] = [];
  raw.push(...f.eq.map(fit).filter((v): v is Scalar => v !== null));
  for (const list of f.inLists.slice(0, 1)) raw.push(...list.map(fit).filter((v): v is Scalar => v !== null));
  for (const b of [...f.lower, ...f.upper]) {
    const v = fit(b.value);
    if (v !== null) raw.push(...neighbours(v, kind, integer));
  }
  const allowed = column.allowedValues ?? column.enumValues;
  const checkBounds = kind === "number" ? parseNumericBounds(column.checks, column.name) : {};
  if (kind === "number" && f.lower.length + f.upper.length > 0) raw.push(...intervalValues(f, checkBounds, parsed));
  if (kind === "text") {
    raw.push(...f.like.map(likeValue));
    if (f.like.length > 1) raw.push(f.like.map(likeValue).join(""));
  }
  for (const v of f.loose) {
    const x = fit(v);
    if (x !== null) raw.push(...neighbours(x, kind, integer));
  }

  // Three sieves, so a column that ends up with no value says which one emptied it.
  const meetsQuery = (v: Scalar): boolean => {
    if (f.eq.some((e) => { const x = fit(e); return x !== null && !same(x, v); })) return false;
    if (f.inLists.some((list) => !list.some((e) => { const x = fit(e); return x !== null && same(x, v); }))) return false;
    for (const b of f.lower) {
      const x = fit(b.value);
      const c = x === null ? null : compare(v, x);
      if (c !== null && (c < 0 || (c === 0 && !b.inclusive))) return false;
    }
    for (const b of f.upper) {
      const x = fit(b.value);
      const c = x === null ? null : compare(v, x);
      if (c !== null && (c > 0 || (c === 0 && !b.inclusive))) return false;
    }
    if (f.ne.some((e) => { const x = fit(e); return x !== null && same(x, v); })) return false;
    return typeof v !== "string" || f.like.every((p) => likeMatches(p, v));
  };
  const fitsType = (v: Scalar): boolean => {
    if (typeof v === "string") return parsed.length === undefined || [...v].length <= parsed.length;
    if (typeof v !== "number") return true;
    if (integer && !Number.isInteger(v)) return false;
    return (parsed.min === undefined || v >= parsed.min) && (parsed.max === undefined || v <= parsed.max);
  };
  const meetsChecks = (v: Scalar): boolean => {
    if (allowed && !allowed.includes(String(v))) return false;
    if (typeof v !== "number") return true;
    if (checkBounds.min !== undefined && (v < checkBounds.min || (v === checkBounds.min && checkBounds.minExclusive))) return false;
    return checkBounds.max === undefined || v < checkBounds.max || (v === checkBounds.max && !checkBounds.maxExclusive);
  };
  const seen = new Set<string>();
  const unique = raw.filter((v) => !seen.has(String(v)) && Boolean(seen.add(String(v))));
  const asked = unique.filter(meetsQuery);
  const fitting = asked.filter(fitsType);
  const values = fitting.filter(meetsChecks).map(String);
  if (values.length > 0 || !constrained) return { values };
  const name = `${table.name}.${column.name}`;
  const likes = f.like.map(describeLike).join(", ");
  if (asked.length === 0) {
    return { values, reason: likes ? `the query needs a LIKE pattern (${likes}) on ${name} that no value meeting its other conditions matches` : `the query's conditions on ${name} contradict each other` };
  }
  if (fitting.length === 0) {
    const sample = asked.slice(0, 3).map((v) => sqlLiteral(v)).join(", ");
    return { values, reason: likes ? `the query needs a LIKE pattern (${likes}) that no value within ${name}'s declared type ${column.type} matches` : `the values the query needs in ${name} (${sample}) do not fit its declared type ${column.type}` };
  }
  const rule = column.checks.length > 0 ? `CHECK ${column.checks.join(" AND ")}` : `its type allows only ${(allowed ?? []).map((v) => sqlLiteral(v)).join(", ")}`;
  return { values, reason: `constraint: ${rule} rules out the values the query needs in ${name} (${fitting.slice(0, 3).map((v) => sqlLiteral(v)).join(", ")})` };
}

// ---------------------------------------------------------------------------------------------
// Writing witness rows.

class AttemptError extends Error {
  constructor(
    message: string,
    /** Another candidate cannot do better: give the query up. */
    readonly final = false,
    readonly budget = false,
  ) {
    super(message);
  }
}

type WitnessOutcome =
  | { ok: true; rows: number; rowsAdded: Record<string, number> }
  | { ok: false; reason: string; budgetSpent: boolean };

type RowValues = Map<string, string | null>;

/** Copy a row of the rank-th largest group of these columns. */
interface Group {
  columns: string[];
  rank: number;
}

interface InsertOptions {
  /** Conditions the copied row should meet (IS NOT NULL, <> …). */
  filters: string[];
  /** Names the seeded draw of the row to copy. */
  purpose: string;
  /** Parent rows deep: implied parents of implied parents … */
  depth: number;
  /** Columns that must take a value no row holds yet. */
  freshen?: Set<string>;
  group?: Group;
}

class WitnessWriter {
  private pending: Record<string, number> = {};
  private rows = 0;
  private limit = 0;
  private perQuery = 0;
  private label = "";

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly model: SchemaModel,
    private readonly seed: number,
  ) {}

  /** Tries witness candidates for one query, each in its own transaction; keeps the first that makes the query return rows. */
  async witness(id: string, query: AcceptedQuery, limit: number, perQuery: number): Promise<WitnessOutcome> {
    const plan = planWitness(query, this.model);
    if (plan.instances.length === 0) return { ok: false, reason: this.explain(plan, "it reads no table of the schema a row could be added to"), budgetSpent: false };
    if (plan.impossible) return { ok: false, reason: plan.impossible, budgetSpent: false };
    const reasons: string[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.pending = {};
      this.rows = 0;
      this.limit = limit;
      this.perQuery = perQuery;
      this.label = `${id}:${attempt}`;
      await this.connection.run("BEGIN TRANSACTION");
      try {
        await this.insertWitness(plan, attempt);
        let counted = await countRows(this.connection, query.sql);
        // HAVING count(*) > k: one more copy of the witness rows per round, in the same group.
        while (plan.having && counted.ok && counted.rows === 0 && this.rows + plan.instances.length <= this.limit) {
          const before = this.rows;
          await this.insertWitness(plan, attempt);
          if (this.rows === before) break;
          counted = await countRows(this.connection, query.sql);
        }
        if (counted.ok && counted.rows > 0) {
          await this.connection.run("COMMIT");
          return { ok: true, rows: this.rows, rowsAdded: this.pending };
        }
        await this.connection.run("ROLLBACK");
        if (!counted.ok) return { ok: false, reason: `the query fails on the sandbox: ${counted.error}`, budgetSpent: false };
      } catch (error) {
        await this.connection.run("ROLLBACK");
        if (error instanceof AttemptError) {
          if (error.final) return { ok: false, reason: error.message, budgetSpent: error.budget };
          reasons.push(error.message);
        } else reasons.push(`constraint: ${firstLine(error)}`);
      }
    }
    // A constraint that refused every candidate says more than the query's shape.
    const repeated = reasons.length === MAX_ATTEMPTS ? reasons[0]! : null;
    return { ok: false, reason: repeated ?? this.explain(plan, `no witness row made it return anything (${MAX_ATTEMPTS} candidates tried)`), budgetSpent: false };
  }

  private explain(plan: WitnessPlan, fallback: string): string {
    const parts: string[] = [];
    if (plan.antiJoin) parts.push("an anti-join (NOT EXISTS / EXCEPT / NOT IN / LEFT JOIN … IS NULL) that new rows cannot satisfy");
    parts.push(...plan.obstacles);
    return parts.length > 0 ? `the query needs ${parts.join("; ")}` : fallback;
  }

  private async insertWitness(plan: WitnessPlan, attempt: number): Promise<void> {
    const decided = new Map<string, string | null>();
    // Rows no condition touches and that link to no new row are existing rows, on every other
    // candidate; an anti-join needs the new rows to be new, so it never reuses.
    const reuseFree = !plan.antiJoin && attempt % 2 === 0;
    for (const instance of plan.instances) {
      const table = instance.table;
      const fixed: RowValues = new Map();
      const filters: string[] = [];
      const freshen = new Set<string>();
      let touched = false;
      for (const column of table.columns) {
        const key = slotKey(instance, column);
        if (!plan.slots.has(key)) continue;
        const root = plan.classes.find(key);
        const facts = plan.filters.get(root);
        if (decided.has(root)) fixed.set(column.name, decided.get(root)!);
        else if (plan.candidates.has(root)) {
          const options = plan.candidates.get(root)!;
          fixed.set(column.name, options[attempt % options.length]!);
        } else if (plan.fresh.has(root)) freshen.add(column.name);
        if (facts) {
          const q = quoteIdent(column.name);
          if (facts.notNull) filters.push(`${q} IS NOT NULL`);
          for (const v of facts.ne) filters.push(`${q} IS DISTINCT FROM TRY_CAST(${sqlLiteral(String(v))} AS ${column.type})`);
          if (facts.eq.length + facts.inLists.length + facts.lower.length + facts.upper.length + facts.like.length + facts.ne.length > 0 || facts.isNull || facts.notNull) touched = true;
        }
      }
      // A grouped table copies a row of its largest groups, so a HAVING on the group's size needs the fewest new rows.
      const groupBy = plan.groups.get(instance.id);
      const group = groupBy ? { columns: groupBy, rank: Math.floor(attempt / 2) } : undefined;
      let values = await this.findExisting(table, fixed);
      if (!values && reuseFree && fixed.size === 0 && !touched && freshen.size === 0 && !(plan.having && groupBy)) {
        values = (await this.pickBaseRow(table, filters, `reuse:${instance.id}`, group))?.values ?? null;
      }
      if (!values) values = await this.insertRow(table, fixed, { filters, purpose: `row:${instance.id}`, depth: 0, freshen, group });
      for (const column of table.columns) {
        const key = slotKey(instance, column);
        if (!plan.slots.has(key)) continue;
        const root = plan.classes.find(key);
        if (!decided.has(root)) decided.set(root, values.get(column.name) ?? null);
      }
    }
  }

  /** An existing row whose whole primary or unique key the query fixes: it is the witness, nothing is inserted. */
  private async findExisting(table: TableModel, fixed: RowValues): Promise<RowValues | null> {
    for (const key of uniqueKeysOf(table)) {
      if (!key.every((c) => fixed.has(c) && fixed.get(c) !== null)) continue;
      const where = key.map((c) => `${quoteIdent(c)} = ${this.literal(table, c, fixed.get(c)!)}`).join(" AND ");
      const rows = await this.readRows(table, where, 1, 0);
      if (rows.length > 0) return rows[0]!.values;
    }
    return null;
  }

  private literal(table: TableModel, column: string, text: string | null): string {
    const type = table.columns.find((c) => c.name === column)!.type;
    return text === null ? `CAST(NULL AS ${type})` : `CAST(${sqlLiteral(text)} AS ${type})`;
  }

  private async readRows(table: TableModel, where: string, limit: number, offset: number, order = "rowid"): Promise<{ rowid: string; values: RowValues }[]> {
    const cols = table.columns.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`).join(", ");
    const reader = await this.connection.runAndReadAll(
      `SELECT CAST(rowid AS VARCHAR), ${cols} FROM ${quoteTable(table.name)} ${where ? `WHERE ${where}` : ""} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    );
    return (reader.getRowsJson() as (string | null)[][]).map((row) => ({
      rowid: row[0]!,
      values: new Map(table.columns.map((c, i) => [c.name, row[i + 1] ?? null])),
    }));
  }

  private async scalar(sql: string): Promise<string | null> {
    const row = (await this.connection.runAndReadAll(sql)).getRowsJson()[0] as (string | null)[] | undefined;
    return row?.[0] === undefined || row[0] === null ? null : String(row[0]);
  }

  /** A row of the table to copy, drawn by the seed (or the rank-th of the largest groups); one meeting the filters when there is one. */
  private async pickBaseRow(table: TableModel, filters: string[], purpose: string, group?: Group): Promise<{ rowid: string; values: RowValues } | null> {
    for (const where of filters.length > 0 ? [filters.join(" AND "), ""] : [""]) {
      const n = Number(await this.scalar(`SELECT count(*) FROM ${quoteTable(table.name)} ${where ? `WHERE ${where}` : ""}`));
      if (n === 0) continue;
      if (group) {
        const order = `count(*) OVER (PARTITION BY ${group.columns.map(quoteIdent).join(", ")}) DESC, rowid`;
        return (await this.readRows(table, where, 1, Math.min(group.rank, n - 1), order))[0] ?? null;
      }
      const offset = createRng(this.seed).fork(`augment:${this.label}:${purpose}`).int(0, n - 1);
      return (await this.readRows(table, where, 1, offset))[0] ?? null;
    }
    return null;
  }

  /**
   * Inserts a copy of an existing row with the fixed values, fresh values for its keys, and a parent
   * row for any foreign key whose value no parent holds yet. Returns the row's values.
   */
  private async insertRow(table: TableModel, fixed: RowValues, opts: InsertOptions): Promise<RowValues> {
    const { filters, purpose, depth } = opts;
    if (depth > MAX_PARENT_DEPTH) throw new AttemptError(`the witness needs parent rows more than ${MAX_PARENT_DEPTH} levels deep`, true);
    if (this.rows + 1 > this.limit) {
      const budget = this.limit < this.perQuery;
      throw new AttemptError(
        budget ? "not fixed: its witness rows would exceed the budget of new rows" : `the witness needs more than ${this.perQuery} new rows`,
        true,
        budget,
      );
    }
    const base = await this.pickBaseRow(table, filters, purpose, opts.group);
    if (!base) throw new AttemptError(`${table.name} has no row to copy a witness row from`, true);
    const values: RowValues = new Map(base.values);
    const explicit = new Set<string>();
    for (const [c, v] of fixed) {
      values.set(c, v);
      explicit.add(c);
    }
    const singlePk = table.primaryKey.length === 1 ? table.primaryKey[0]! : null;
    const singles = table.columns.filter((c) => c.name === singlePk || c.unique);
    for (const column of singles) {
      if (fixed.has(column.name) || (values.get(column.name) === null && column.nullable && column.name !== singlePk)) continue;
      values.set(column.name, await this.freshValue(table, column, values.get(column.name) ?? null, purpose, true));
      explicit.add(column.name);
    }
    // Columns an anti-join correlates on: a value the other side cannot hold (a new parent follows for a foreign key).
    for (const name of opts.freshen ?? []) {
      if (fixed.has(name) || explicit.has(name)) continue;
      const column = table.columns.find((c) => c.name === name)!;
      values.set(name, await this.freshValue(table, column, values.get(name) ?? null, purpose, false));
      explicit.add(name);
    }
    for (const key of [...(table.primaryKey.length > 1 ? [table.primaryKey] : []), ...table.uniqueKeys]) {
      if (key.some((c) => values.get(c) === null)) continue;
      const where = key.map((c) => `${quoteIdent(c)} = ${this.literal(table, c, values.get(c)!)}`).join(" AND ");
      if (Number(await this.scalar(`SELECT count(*) FROM ${quoteTable(table.name)} WHERE ${where}`)) === 0) continue;
      const fkColumns = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
      const change = key.find((c) => !fixed.has(c) && !fkColumns.has(c)) ?? key.find((c) => !fixed.has(c));
      if (!change) throw new AttemptError(`constraint: the key (${key.join(", ")}) of ${table.name} would repeat`);
      const column = table.columns.find((c) => c.name === change)!;
      values.set(change, await this.freshValue(table, column, values.get(change) ?? null, purpose, true));
      explicit.add(change);
    }
    for (const fk of table.foreignKeys) {
      const parent = this.model.tables.find((t) => t.name === fk.refTable);
      if (!parent || parent === table) continue;
      const keyValues = fk.columns.map((c) => values.get(c) ?? null);
      if (keyValues.some((v) => v === null)) continue;
      const where = fk.refColumns.map((c, i) => `${quoteIdent(c)} = ${this.literal(parent, c, keyValues[i]!)}`).join(" AND ");
      if (Number(await this.scalar(`SELECT count(*) FROM ${quoteTable(parent.name)} WHERE ${where}`)) > 0) continue;
      await this.insertRow(parent, new Map(fk.refColumns.map((c, i) => [c, keyValues[i]!])), { filters: [], purpose: `${purpose}>${parent.name}`, depth: depth + 1 });
    }
    const selfKeys = table.foreignKeys.filter((fk) => fk.refTable === table.name);
    for (const fk of selfKeys) {
      // A self-reference may only point at a row that exists (or at the row itself).
      const keyValues = fk.columns.map((c) => values.get(c) ?? null);
      if (keyValues.some((v) => v === null)) continue;
      const where = fk.refColumns.map((c, i) => `${quoteIdent(c)} = ${this.literal(table, c, keyValues[i]!)}`).join(" AND ");
      const self = fk.refColumns.every((c, i) => values.get(c) === keyValues[i]);
      if (!self && Number(await this.scalar(`SELECT count(*) FROM ${quoteTable(table.name)} WHERE ${where}`)) === 0) {
        throw new AttemptError(`constraint: ${table.name}.${fk.columns.join(", ")} would point at no row`);
      }
    }
    const select = table.columns.map((c) => (explicit.has(c.name) ? this.literal(table, c.name, values.get(c.name) ?? null) : `b.${quoteIdent(c.name)}`));
    // Returned as DuckDB stores it, so the rows that join on these values use the same text.
    const reader = await this.connection.runAndReadAll(
      `INSERT INTO ${quoteTable(table.name)} (${table.columns.map((c) => quoteIdent(c.name)).join(", ")})
       SELECT ${select.join(", ")} FROM ${quoteTable(table.name)} AS b WHERE b.rowid = ${base.rowid}
       RETURNING ${table.columns.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`).join(", ")}`,
    );
    const stored = reader.getRowsJson()[0] as (string | null)[] | undefined;
    if (!stored) throw new AttemptError(`the row of ${table.name} to copy disappeared`);
    this.pending[table.name] = (this.pending[table.name] ?? 0) + 1;
    this.rows++;
    return new Map(table.columns.map((c, i) => [c.name, stored[i] ?? null]));
  }

  /** A value no row of the table holds in this column, that fits its declared type, length and CHECKs. */
  private async freshValue(table: TableModel, column: ColumnModel, base: string | null, purpose: string, unusedParent: boolean): Promise<string> {
    const q = quoteIdent(column.name);
    const t = quoteTable(table.name);
    // A unique foreign key (a 1:1 child) first takes a parent that has no such child yet.
    const fk = unusedParent ? table.foreignKeys.find((k) => k.columns.length === 1 && k.columns[0] === column.name) : undefined;
    if (fk) {
      const parent = this.model.tables.find((x) => x.name === fk.refTable);
      if (parent) {
        const r = quoteIdent(fk.refColumns[0]!);
        const free = await this.scalar(
          `SELECT CAST(p.${r} AS VARCHAR) FROM ${quoteTable(parent.name)} AS p WHERE p.${r} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t} AS c WHERE c.${q} = p.${r}) ORDER BY p.${r} LIMIT 1`,
        );
        if (free !== null) return free;
      }
    }
    const parsed = parseColumnType(column.type);
    const rng = createRng(this.seed).fork(`augment:${this.label}:${purpose}:${column.name}`);
    // Batches are asked for one at a time: the later ones (gaps in a key's range) cost a scan.
    const batches: (() => Promise<string[]> | string[])[] = [];
    const allowed = column.allowedValues ?? column.enumValues;
    if (allowed) batches.push(() => allowed);
    else if (parsed.kind === "integer" || parsed.kind === "decimal" || parsed.kind === "float") {
      batches.push(() => this.column(`SELECT CAST(m + r AS VARCHAR) FROM (SELECT coalesce(max(${q}), 0) AS m FROM ${t}), range(1, 33) AS s(r) ORDER BY r`));
      if (parsed.kind === "integer") {
        batches.push(async () => {
          const bounds = parseNumericBounds(column.checks, column.name);
          const lo = Math.ceil(bounds.min ?? Number((await this.scalar(`SELECT min(${q}) FROM ${t}`)) ?? 0));
          const hi = Math.floor(bounds.max ?? Number((await this.scalar(`SELECT max(${q}) FROM ${t}`)) ?? 0));
          if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo || hi - lo >= 10_000_000) return [];
          return this.column(`SELECT CAST(v AS VARCHAR) FROM range(${lo}, ${hi + 1}) AS s(v) WHERE v NOT IN (SELECT ${q} FROM ${t} WHERE ${q} IS NOT NULL) ORDER BY v LIMIT 32`);
        });
        batches.push(() => this.column(`SELECT CAST(m - r AS VARCHAR) FROM (SELECT coalesce(min(${q}), 0) AS m FROM ${t}), range(1, 33) AS s(r) ORDER BY r`));
      }
    } else if (parsed.kind === "date" || parsed.kind === "timestamp") {
      batches.push(() => this.column(`SELECT CAST(m + to_days(CAST(r AS INTEGER)) AS VARCHAR) FROM (SELECT max(${q}) AS m FROM ${t}), range(1, 33) AS s(r) WHERE m IS NOT NULL ORDER BY r`));
      batches.push(() => Array.from({ length: 32 }, (_, i) => shiftDays("2000-01-01", i)!));
    } else if (parsed.kind === "boolean") batches.push(() => ["true", "false"]);
    else if (parsed.kind === "uuid") {
      batches.push(() => Array.from({ length: 8 }, () => {
        const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      }));
    } else if (parsed.kind === "string") batches.push(...freshTexts(base, column, parsed, rng).map((batch) => () => batch));
    for (const next of batches) {
      const batch = await next();
      const fitting = batch.filter((v) => parsed.length === undefined || [...v].length <= parsed.length);
      if (fitting.length === 0) continue;
      const checks = column.checks.map((c) => `(${c}) IS NOT FALSE`);
      const rows = fitting.map((v, i) => `(${i}, ${sqlLiteral(v)})`).join(", ");
      const found = await this.scalar(
        `SELECT v FROM (SELECT i, v, TRY_CAST(v AS ${column.type}) AS ${q} FROM (VALUES ${rows}) AS s(i, v)) AS c
         WHERE ${[`c.${q} IS NOT NULL`, ...checks, `NOT EXISTS (SELECT 1 FROM ${t} AS e WHERE e.${q} = c.${q})`].join(" AND ")}
         ORDER BY i LIMIT 1`,
      );
      if (found !== null) return found;
    }
    throw new AttemptError(`constraint: no unused value is left for ${table.name}.${column.name} (${column.type})`, true);
  }

  private async column(sql: string): Promise<string[]> {
    return ((await this.connection.runAndReadAll(sql)).getRowsJson() as (string | null)[][]).map((r) => r[0]).filter((v): v is string => v !== null);
  }
}

/** Every set of columns whose values must not repeat: the primary key, single UNIQUE columns, UNIQUE (…) keys. */
function uniqueKeysOf(table: TableModel): string[][] {
  return [
    ...(table.primaryKey.length > 0 ? [table.primaryKey] : []),
    ...table.columns.filter((c) => c.unique).map((c) => [c.name]),
    ...table.uniqueKeys,
  ];
}

/** Fresh text candidates: unused short codes shaped like the copied one, or the copied value with a suffix, within the declared length. */
function freshTexts(base: string | null, column: ColumnModel, parsed: ParsedType, rng: ReturnType<typeof createRng>): string[][] {
  const max = parsed.length;
  const code = (max !== undefined && max <= 6) || column.semanticType === "code";
  if (code) {
    const length = Math.max(1, Math.min(max ?? 8, base && base.length > 0 ? base.length : (max ?? 3)));
    const alphabet = base && /^[0-9]+$/.test(base)
      ? "0123456789"
      : base && /[0-9]/.test(base)
        ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        : base && base === base.toLowerCase() && /[a-z]/.test(base)
          ? "abcdefghijklmnopqrstuvwxyz"
          : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const draw = () => Array.from({ length }, () => alphabet[rng.int(0, alphabet.length - 1)]).join("");
    return [Array.from({ length: 64 }, draw), Array.from({ length: 64 }, draw)];
  }
  const stem = base && base.length > 0 ? base : column.name;
  const out: string[] = [];
  for (let k = 2; k < 66; k++) {
    const at = stem.indexOf("@");
    let v = at > 0 ? `${stem.slice(0, at)}+${k}${stem.slice(at)}` : `${stem} ${k}`;
    if (max !== undefined && [...v].length > max) {
      const suffix = ` ${k}`;
      v = max > suffix.length ? `${[...stem].slice(0, max - suffix.length).join("")}${suffix}` : String(k).slice(0, max);
    }
    out.push(v);
  }
  return [out];
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.trim();
}

