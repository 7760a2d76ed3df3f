import "server-only";
import { getParserInstance } from "@/lib/queries/server/analyze";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { NotFoundError } from "@/lib/errors";
import type { SchemaModel } from "@/lib/schema/model";
import { describeChangedElements, diffSchemas, groupDiff, isEmptyDiff, type DiffSummary, type SchemaDiff } from "@/lib/schema/diff";

// Schema drift: the new version is diffed against the previous one, and every query, pair and
// dataset version that uses a changed element (read from the query's parse tree, not its text) is
// listed; queries get a "schema_drift" flag so reviewers re-validate them.

// The serialized tree is untyped JSON; fields are checked where they are read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ast = any;

async function parseStatements(sql: string): Promise<Ast[] | null> {
  const instance = await getParserInstance();
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as { error?: boolean; statements?: { node: Ast }[] };
    if (parsed.error || !Array.isArray(parsed.statements)) return null;
    return parsed.statements.map((s) => s.node);
  } catch {
    return null;
  } finally {
    connection.closeSync();
  }
}

/** A name in a FROM clause: a base table of the model (by its model name), or something derived (null). */
type Scope = Map<string, string | null>;

class ReferenceCollector {
  readonly tables = new Set<string>();
  readonly columns = new Set<string>();
  /** Column names that could not be tied to a table in scope (through a CTE or a derived table). */
  private readonly unresolved = new Set<string>();
  private readonly cteNames: Set<string>[] = [];
  private readonly tableByName: Map<string, { name: string; columns: Map<string, string> }>;

  constructor(model: SchemaModel) {
    this.tableByName = new Map(model.tables.map((t) => [t.name.toLowerCase(), { name: t.name, columns: new Map(t.columns.map((c) => [c.name.toLowerCase(), c.name])) }]));
  }

  finish(): { tables: string[]; columns: string[] } {
    // Names that passed through a CTE or subquery: every referenced table having that column.
    for (const name of this.unresolved) {
      for (const t of this.tables) {
        const table = this.tableByName.get(t.toLowerCase());
        const column = table?.columns.get(name);
        if (table && column) this.columns.add(`${table.name}.${column}`);
      }
    }
    return { tables: [...this.tables].sort(), columns: [...this.columns].sort() };
  }

  private isCte(name: string): boolean {
    return this.cteNames.some((s) => s.has(name));
  }

  query(node: Ast, scopes: Scope[]): void {
    if (!node || typeof node !== "object") return;
    const ctes: Ast[] = Array.isArray(node.cte_map?.map) ? node.cte_map.map : [];
    const names = new Set<string>(ctes.map((e) => String(e?.key ?? "").toLowerCase()).filter(Boolean));
    this.cteNames.push(names);
    try {
      for (const entry of ctes) this.query(entry?.value?.query?.node, scopes);
      switch (node.type) {
        case "SELECT_NODE":
          this.select(node, scopes);
          break;
        case "SET_OPERATION_NODE": {
          const children: Ast[] = Array.isArray(node.children) && node.children.length > 0 ? node.children : [node.left, node.right];
          for (const c of children) this.query(c, scopes);
          this.generic({ modifiers: node.modifiers }, scopes);
          break;
        }
        case "RECURSIVE_CTE_NODE":
          this.query(node.left, scopes);
          this.query(node.right, scopes);
          break;
        case "CTE_NODE":
          this.query(node.query, scopes);
          this.query(node.child, scopes);
          break;
        default:
          this.children(node, scopes);
      }
    } finally {
      this.cteNames.pop();
    }
  }

  private select(node: Ast, outer: Scope[]): void {
    const scope: Scope = new Map();
    const deferred: { e: Ast; using?: string[] }[] = [];
    this.from(node.from_table, scope, outer, deferred);
    const scopes = [scope, ...outer];
    for (const d of deferred) {
      if (d.e) this.expr(d.e, scopes);
      for (const name of d.using ?? []) this.column([String(name)], scopes);
    }
    const parts = [node.select_list, node.where_clause, node.group_expressions, node.having, node.qualify, node.sample, node.modifiers];
    for (const part of parts) this.generic(part, scopes);
  }

  private from(ref: Ast, scope: Scope, outer: Scope[], deferred: { e: Ast; using?: string[] }[]): void {
    if (!ref || typeof ref !== "object") return;
    switch (ref.type) {
      case "BASE_TABLE": {
        const name = String(ref.table_name ?? "");
        const lower = name.toLowerCase();
        const alias = String(ref.alias || name).toLowerCase();
        if (this.isCte(lower) && !ref.schema_name) {
          scope.set(alias, null);
          return;
        }
        const table = this.tableByName.get(lower)?.name ?? name;
        this.tables.add(table);
        scope.set(alias, table);
        return;
      }
      case "JOIN":
        this.from(ref.left, scope, outer, deferred);
        this.from(ref.right, scope, outer, deferred);
        deferred.push({ e: ref.condition, using: Array.isArray(ref.using_columns) ? ref.using_columns : [] });
        return;
      case "SUBQUERY":
        this.query(ref.subquery?.node, outer);
        if (ref.alias) scope.set(String(ref.alias).toLowerCase(), null);
        return;
      case "TABLE_FUNCTION":
        this.expr(ref.function, outer);
        if (ref.alias) scope.set(String(ref.alias).toLowerCase(), null);
        return;
      default:
        this.children(ref, outer);
    }
  }

  private resolveAlias(alias: string, scopes: Scope[]): { found: boolean; table: string | null } {
    for (const s of scopes) if (s.has(alias)) return { found: true, table: s.get(alias) ?? null };
    return { found: false, table: null };
  }

  private addColumn(table: string, column: string): boolean {
    const t = this.tableByName.get(table.toLowerCase());
    const c = t?.columns.get(column.toLowerCase());
    if (!t || !c) return false;
    this.columns.add(`${t.name}.${c}`);
    return true;
  }

  private column(names: string[], scopes: Scope[]): void {
    const parts = names.map((n) => String(n));
    if (parts.length === 0) return;
    const column = parts[parts.length - 1].toLowerCase();
    if (parts.length >= 2) {
      // alias.column, schema.table.column, or a struct field (column.field): try the qualifier first.
      const qualifier = parts[parts.length - 2].toLowerCase();
      const { found, table } = this.resolveAlias(qualifier, scopes);
      if (found) {
        if (table) this.addColumn(table, column);
        else this.unresolved.add(column);
        return;
      }
      this.column([parts[0]], scopes);
      return;
    }
    // Unqualified: the innermost scope that has a table with this column (correlated names reach outward).
    for (const scope of scopes) {
      let hit = false;
      let derived = false;
      for (const table of scope.values()) {
        if (table === null) derived = true;
        else if (this.addColumn(table, column)) hit = true;
      }
      if (hit) return;
      if (derived) {
        this.unresolved.add(column);
        return;
      }
    }
  }

  private star(e: Ast, scopes: Scope[]): void {
    const scope = scopes[0];
    if (!scope) return;
    const relation = typeof e.relation_name === "string" && e.relation_name ? e.relation_name.toLowerCase() : null;
    const tables = relation ? [scope.get(relation) ?? null] : [...scope.values()];
    for (const table of tables) {
      if (table === null) {
        // A derived table's columns are those its own query selected: already counted there.
        continue;
      }
      const t = this.tableByName.get(table.toLowerCase());
      for (const c of t?.columns.values() ?? []) this.columns.add(`${t!.name}.${c}`);
    }
  }

  private expr(e: Ast, scopes: Scope[]): void {
    if (!e || typeof e !== "object") return;
    switch (e.class) {
      case "COLUMN_REF":
        this.column(Array.isArray(e.column_names) ? e.column_names : [], scopes);
        return;
      case "STAR":
        this.star(e, scopes);
        this.children(e, scopes);
        return;
      case "SUBQUERY":
        this.query(e.subquery?.node, scopes);
        this.expr(e.child, scopes);
        return;
      case "LAMBDA":
        // Lambda parameters are not columns; the body may still reference real ones.
        this.expr(e.expr, scopes);
        return;
      default:
        this.children(e, scopes);
    }
  }

  /** Visit whatever a node contains: expressions, query nodes, table references. */
  private generic(value: Ast, scopes: Scope[]): void {
    if (!value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const v of value) this.generic(v, scopes);
      return;
    }
    if (typeof value.class === "string") {
      this.expr(value, scopes);
      return;
    }
    if (typeof value.type === "string" && ("select_list" in value || "setop_type" in value || "cte_map" in value)) {
      this.query(value, scopes);
      return;
    }
    this.children(value, scopes);
  }

  private children(value: Ast, scopes: Scope[]): void {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === "value" || k === "query_location") continue;
      if (k === "node" && v && typeof v === "object") this.query(v, scopes);
      else this.generic(v, scopes);
    }
  }
}

/**
 * Tables and columns ("table.column", spelled as in `model`) a query reads. Qualified column
 * references resolve through their alias; unqualified ones to the tables in scope that have the
 * column; `*` expands to every column of its tables. Null when the SQL does not parse.
 */
export async function referencedElements(sql: string, model: SchemaModel): Promise<{ tables: string[]; columns: string[] } | null> {
  const statements = await parseStatements(sql);
  if (!statements) return null;
  const collector = new ReferenceCollector(model);
  for (const node of statements) collector.query(node, []);
  return collector.finish();
}

export interface DriftImpactQuery {
  id: string;
  sql: string;
  reasons: string[];
}
export interface DriftImpactPair {
  id: string;
  queryId: string;
  question: string;
  reviewState: string;
  reasons: string[];
}
export interface DriftImpactDatasetVersion {
  id: string;
  version: number;
  name: string;
  approvalState: string;
  /** Items whose SQL uses a changed element. */
  affectedItems: number;
  itemCount: number;
}
export interface DriftImpact {
  queries: DriftImpactQuery[];
  pairs: DriftImpactPair[];
  datasetVersions: DriftImpactDatasetVersion[];
}

/** Blank string literals, quoted identifiers' quotes and comments, for the fallback word match. */
function words(sql: string): Set<string> {
  const text = sql.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ").replace(/'(?:[^']|'')*'/g, " ").replace(/"/g, "");
  return new Set(text.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []);
}

/** Why a query is affected: one reason per changed element it uses. */
async function reasonsFor(sql: string, prev: SchemaModel, changed: ReturnType<typeof describeChangedElements>, label: string): Promise<string[]> {
  const refs = await referencedElements(sql, prev);
  const reasons: string[] = [];
  if (refs) {
    const tables = new Set(refs.tables.map((t) => t.toLowerCase()));
    const columns = new Set(refs.columns.map((c) => c.toLowerCase()));
    for (const [t, what] of changed.tables) if (tables.has(t.toLowerCase())) reasons.push(`Uses ${t}, changed in ${label}: ${what}`);
    for (const [c, what] of changed.columns) if (columns.has(c.toLowerCase())) reasons.push(`Uses ${c}, changed in ${label}: ${what}`);
    return reasons;
  }
  // SQL the parser refuses: a word match errs on the side of flagging.
  const w = words(sql);
  for (const [t, what] of changed.tables) if (w.has(t.toLowerCase())) reasons.push(`Mentions ${t}, changed in ${label}: ${what}`);
  for (const [c, what] of changed.columns) {
    const [table, column] = c.toLowerCase().split(".");
    if (w.has(table) && w.has(column)) reasons.push(`Mentions ${c}, changed in ${label}: ${what}`);
  }
  return reasons;
}

/** Every query, pair and dataset version of the project that uses an element `diff` changed. */
export async function computeDriftImpact(db: Db, projectId: string, prev: SchemaModel, next: SchemaModel, diff: SchemaDiff = diffSchemas(prev, next), options: { toVersion?: number } = {}): Promise<DriftImpact> {
  const changed = describeChangedElements(diff);
  const empty: DriftImpact = { queries: [], pairs: [], datasetVersions: [] };
  if (changed.tables.size + changed.columns.size === 0) return empty;
  const label = options.toVersion ? `schema v${options.toVersion}` : "the new schema";
  const cache = new Map<string, string[]>();
  const reasons = async (sql: string) => {
    let r = cache.get(sql);
    if (!r) {
      r = await reasonsFor(sql, prev, changed, label);
      cache.set(sql, r);
    }
    return r;
  };

  const queries = await db.query.findMany({ where: { projectId }, select: { id: true, sql: true }, orderBy: { createdAt: "asc" } });
  const affectedQueries: DriftImpactQuery[] = [];
  for (const q of queries) {
    const r = await reasons(q.sql);
    if (r.length > 0) affectedQueries.push({ id: q.id, sql: q.sql, reasons: r });
  }
  const byQuery = new Map(affectedQueries.map((q) => [q.id, q]));
  const pairs = byQuery.size === 0 ? [] : await db.pair.findMany({ where: { projectId, queryId: { in: [...byQuery.keys()] } }, select: { id: true, queryId: true, question: true, reviewState: true }, orderBy: { createdAt: "asc" } });

  const versions = await db.datasetVersion.findMany({
    where: { projectId },
    select: { id: true, version: true, name: true, approvalState: true, itemCount: true, items: { select: { sql: true } } },
    orderBy: { version: "asc" },
  });
  const datasetVersions: DriftImpactDatasetVersion[] = [];
  for (const v of versions) {
    let affected = 0;
    // Items are frozen copies: their own SQL decides, not the pair's current one.
    for (const item of v.items) if ((await reasons(item.sql)).length > 0) affected++;
    if (affected > 0) datasetVersions.push({ id: v.id, version: v.version, name: v.name, approvalState: v.approvalState, affectedItems: affected, itemCount: v.itemCount });
  }

  return {
    queries: affectedQueries,
    pairs: pairs.map((p) => ({ ...p, reasons: byQuery.get(p.queryId)!.reasons })),
    datasetVersions,
  };
}

export const SCHEMA_DRIFT_FLAG = "schema_drift";

interface StoredFlag {
  code: string;
  severity?: string;
  message: string;
}

/**
 * Diff two versions, store the drift with its impact, and flag the affected queries for
 * re-validation (replacing an earlier drift flag), all in one transaction with its audit event.
 */
export async function recordSchemaDrift(db: Db, projectId: string, fromVersionId: string, toVersionId: string, prev: SchemaModel, next: SchemaModel): Promise<{ id: string; diff: SchemaDiff; impact: DriftImpact }> {
  const versions = await db.schemaVersion.findMany({ where: { projectId, id: { in: [fromVersionId, toVersionId] } }, select: { id: true, version: true } });
  const from = versions.find((v) => v.id === fromVersionId);
  const to = versions.find((v) => v.id === toVersionId);
  if (!from || !to) throw new NotFoundError("This schema version does not exist in this project.");
  const diff = diffSchemas(prev, next);
  const impact = await computeDriftImpact(db, projectId, prev, next, diff, { toVersion: to.version });
  const flagged = await db.query.findMany({ where: { projectId, id: { in: impact.queries.map((q) => q.id) } }, select: { id: true, lintFlags: true } });
  const reasonsById = new Map(impact.queries.map((q) => [q.id, q.reasons]));

  const id = await db.$transaction(
    async (tx) => {
      const drift = await tx.schemaDrift.create({ data: { projectId, fromVersionId, toVersionId, diff: JSON.stringify(diff), impact: JSON.stringify(impact) } });
      for (const q of flagged) {
        let flags: StoredFlag[];
        try {
          const parsed = JSON.parse(q.lintFlags) as unknown;
          flags = Array.isArray(parsed) ? (parsed as StoredFlag[]) : [];
        } catch {
          flags = [];
        }
        const message = reasonsById.get(q.id)!.join(" · ");
        flags = [...flags.filter((f) => f.code !== SCHEMA_DRIFT_FLAG), { code: SCHEMA_DRIFT_FLAG, severity: "warning", message }];
        await tx.query.update({ where: { id: q.id }, data: { lintFlags: JSON.stringify(flags) } });
      }
      await recordAudit(tx, {
        projectId,
        action: "schema.drift",
        entityType: "schema_drift",
        entityId: drift.id,
        summary: isEmptyDiff(diff)
          ? `Schema v${from.version} → v${to.version}: no structural change`
          : `Schema v${from.version} → v${to.version}: ${impact.queries.length} queries, ${impact.pairs.length} pairs and ${impact.datasetVersions.length} dataset versions to re-validate`,
        after: { queries: impact.queries.length, pairs: impact.pairs.length, datasetVersions: impact.datasetVersions.map((v) => v.version) },
      });
      return drift.id;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  return { id, diff, impact };
}

export interface DriftView {
  id: string;
  from: { id: string; version: number | null };
  to: { id: string; version: number | null };
  diff: SchemaDiff;
  summary: DiffSummary;
  impact: DriftImpact;
  createdAt: string;
}

async function toDriftView(db: Db, d: { id: string; projectId: string; fromVersionId: string; toVersionId: string; diff: string; impact: string; createdAt: Date }): Promise<DriftView> {
  const versions = await db.schemaVersion.findMany({ where: { projectId: d.projectId, id: { in: [d.fromVersionId, d.toVersionId] } }, select: { id: true, version: true } });
  const version = (id: string) => versions.find((v) => v.id === id)?.version ?? null;
  const diff = JSON.parse(d.diff) as SchemaDiff;
  return {
    id: d.id,
    from: { id: d.fromVersionId, version: version(d.fromVersionId) },
    to: { id: d.toVersionId, version: version(d.toVersionId) },
    diff,
    summary: groupDiff(diff),
    impact: JSON.parse(d.impact) as DriftImpact,
    createdAt: d.createdAt.toISOString(),
  };
}

/** The most recent drift of the project, or null before the second schema version. */
export async function getLatestDrift(db: Db, projectId: string): Promise<DriftView | null> {
  const d = await db.schemaDrift.findFirst({ where: { projectId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return d ? toDriftView(db, d) : null;
}

export async function getDrift(db: Db, projectId: string, driftId: string): Promise<DriftView> {
  const d = await db.schemaDrift.findFirst({ where: { id: driftId, projectId } });
  if (!d) throw new NotFoundError("This schema drift does not exist in this project.");
  return toDriftView(db, d);
}
