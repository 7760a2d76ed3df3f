// The entity-relationship view of a SchemaModel: tables become boxes, foreign keys become arrows.
// Building the graph is pure (ids, labels, styles, sizes); placing the boxes uses ELK's layered
// algorithm, run in-process from its bundled build (no worker, no network).

import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";

/** How many columns a table box lists before it says "+N more". */
export const MAX_VISIBLE_COLUMNS = 12;
export const NODE_WIDTH = 260;
export const HEADER_HEIGHT = 40;
export const ROW_HEIGHT = 22;
export const FOOTER_HEIGHT = 22;

export type ErEdgeKind = "declared" | "confirmed" | "suggested";

export type ErColumnRow = {
  name: string;
  type: string;
  primaryKey: boolean;
  foreignKey: boolean;
  unique: boolean;
  nullable: boolean;
  sensitive: boolean;
};

export type ErNodeData = {
  /** The table's name as stored in the model (possibly schema-qualified, e.g. "sales.orders"). */
  tableName: string;
  /** The part before the last dot, or null for unqualified names. */
  schemaName: string | null;
  /** The part after the last dot. */
  shortName: string;
  columns: ErColumnRow[];
  columnCount: number;
  hiddenColumnCount: number;
  description: string | null;
};

export type ErNode = {
  id: string;
  data: ErNodeData;
  width: number;
  height: number;
};

export type ErEdge = {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  sourceTable: string;
  targetTable: string;
  columns: string[];
  refColumns: string[];
  /** The column pairs, e.g. "airline_id" or "a → x, b → y", plus the origin for inferred keys. */
  label: string;
  kind: ErEdgeKind;
  dashed: boolean;
  confidence: number | null;
  selfReference: boolean;
};

/** A foreign key whose referenced table is not in the model: listed, never drawn. */
export type ErUnresolvedKey = {
  sourceTable: string;
  refTable: string;
  columns: string[];
  refColumns: string[];
  label: string;
  kind: ErEdgeKind;
};

export type ErGraph = {
  nodes: ErNode[];
  edges: ErEdge[];
  unresolved: ErUnresolvedKey[];
  /** Foreign keys left out because someone dropped them. */
  droppedCount: number;
};

export type ErPositions = Record<string, { x: number; y: number }>;

export const SOURCE_HANDLE = "out";
export const TARGET_HANDLE = "in";
export const SELF_SOURCE_HANDLE = "self-out";
export const SELF_TARGET_HANDLE = "self-in";

export function nodeIdFor(tableName: string): string {
  return `table:${tableName}`;
}

export function splitQualifiedName(name: string): { schemaName: string | null; shortName: string } {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return { schemaName: null, shortName: name };
  return { schemaName: name.slice(0, dot), shortName: name.slice(dot + 1) };
}

export function nodeHeight(columnCount: number): number {
  const shown = Math.min(columnCount, MAX_VISIBLE_COLUMNS);
  const footer = columnCount > MAX_VISIBLE_COLUMNS ? FOOTER_HEIGHT : 0;
  return HEADER_HEIGHT + Math.max(shown, 1) * ROW_HEIGHT + footer;
}

/**
 * Finds the table a foreign key points at: the exact name, then the same name ignoring case,
 * then a unique table with the same unqualified name ("orders" ↔ "sales.orders").
 */
export function resolveTableName(tableNames: string[], ref: string): string | null {
  if (tableNames.includes(ref)) return ref;
  const lower = ref.toLowerCase();
  const ci = tableNames.filter((n) => n.toLowerCase() === lower);
  if (ci.length === 1) return ci[0];
  const short = splitQualifiedName(ref).shortName.toLowerCase();
  const byShort = tableNames.filter((n) => splitQualifiedName(n).shortName.toLowerCase() === short);
  return byShort.length === 1 ? byShort[0] : null;
}

export function edgeKind(fk: ForeignKeyModel): ErEdgeKind | "dropped" {
  if (fk.status === "dropped") return "dropped";
  if ((fk.origin ?? "declared") === "declared") return "declared";
  return fk.status === "confirmed" ? "confirmed" : "suggested";
}

export function columnPairsLabel(columns: string[], refColumns: string[]): string {
  return columns.map((c, i) => (refColumns[i] === undefined || refColumns[i] === c ? c : `${c} → ${refColumns[i]}`)).join(", ");
}

function fkLabel(fk: ForeignKeyModel, kind: ErEdgeKind): string {
  const pairs = columnPairsLabel(fk.columns, fk.refColumns);
  if (kind === "suggested") {
    const pct = typeof fk.confidence === "number" ? `${Math.round(fk.confidence * 100)}% ` : "";
    return `${pairs} · ${pct}suggested`;
  }
  if (kind === "confirmed") return `${pairs} · inferred`;
  return pairs;
}

function columnRow(table: TableModel, column: ColumnModel, fkColumns: Set<string>): ErColumnRow {
  return {
    name: column.name,
    type: column.type,
    primaryKey: column.primaryKey || table.primaryKey.includes(column.name),
    foreignKey: fkColumns.has(column.name),
    unique: column.unique,
    nullable: column.nullable,
    sensitive: column.sensitive === true,
  };
}

/** Turns the model into boxes and arrows. Dropped keys are counted but not drawn. */
export function buildErGraph(model: SchemaModel): ErGraph {
  const tableNames = model.tables.map((t) => t.name);
  const nodes: ErNode[] = [];
  const edges: ErEdge[] = [];
  const unresolved: ErUnresolvedKey[] = [];
  const seen = new Set<string>();
  let droppedCount = 0;

  for (const table of model.tables) {
    if (seen.has(table.name)) continue; // a duplicate name would collide; the first one wins
    seen.add(table.name);
    const drawnKeys = table.foreignKeys.filter((fk) => edgeKind(fk) !== "dropped");
    const fkColumns = new Set(drawnKeys.flatMap((fk) => fk.columns));
    const { schemaName, shortName } = splitQualifiedName(table.name);
    nodes.push({
      id: nodeIdFor(table.name),
      data: {
        tableName: table.name,
        schemaName,
        shortName,
        columns: table.columns.slice(0, MAX_VISIBLE_COLUMNS).map((c) => columnRow(table, c, fkColumns)),
        columnCount: table.columns.length,
        hiddenColumnCount: Math.max(0, table.columns.length - MAX_VISIBLE_COLUMNS),
        description: table.description ?? null,
      },
      width: NODE_WIDTH,
      height: nodeHeight(table.columns.length),
    });

    table.foreignKeys.forEach((fk, index) => {
      const kind = edgeKind(fk);
      if (kind === "dropped") {
        droppedCount += 1;
        return;
      }
      const label = fkLabel(fk, kind);
      const target = resolveTableName(tableNames, fk.refTable);
      if (!target) {
        unresolved.push({ sourceTable: table.name, refTable: fk.refTable, columns: fk.columns, refColumns: fk.refColumns, label, kind });
        return;
      }
      const selfReference = target === table.name;
      edges.push({
        id: `fk:${table.name}:${index}`,
        source: nodeIdFor(table.name),
        target: nodeIdFor(target),
        sourceHandle: selfReference ? SELF_SOURCE_HANDLE : SOURCE_HANDLE,
        targetHandle: selfReference ? SELF_TARGET_HANDLE : TARGET_HANDLE,
        sourceTable: table.name,
        targetTable: target,
        columns: fk.columns,
        refColumns: fk.refColumns,
        label,
        kind,
        dashed: kind === "suggested",
        confidence: typeof fk.confidence === "number" ? fk.confidence : null,
        selfReference,
      });
    });
  }
  return { nodes, edges, unresolved, droppedCount };
}

export type ErRelationship = {
  edgeId: string | null;
  /** The table at the other end. */
  otherTable: string;
  otherResolved: boolean;
  label: string;
  kind: ErEdgeKind;
  selfReference: boolean;
};

/** The keys a table holds (outgoing) and the keys that point at it (incoming). */
export function relationshipsOf(graph: ErGraph, tableName: string): { outgoing: ErRelationship[]; incoming: ErRelationship[] } {
  const outgoing: ErRelationship[] = graph.edges
    .filter((e) => e.sourceTable === tableName)
    .map((e) => ({ edgeId: e.id, otherTable: e.targetTable, otherResolved: true, label: e.label, kind: e.kind, selfReference: e.selfReference }));
  for (const u of graph.unresolved) {
    if (u.sourceTable === tableName) outgoing.push({ edgeId: null, otherTable: u.refTable, otherResolved: false, label: u.label, kind: u.kind, selfReference: false });
  }
  const incoming: ErRelationship[] = graph.edges
    .filter((e) => e.targetTable === tableName && !e.selfReference)
    .map((e) => ({ edgeId: e.id, otherTable: e.sourceTable, otherResolved: true, label: e.label, kind: e.kind, selfReference: false }));
  return { outgoing, incoming };
}

/**
 * Tables whose name contains the query (case-insensitive), best first: exact name, exact
 * unqualified name, prefix of the unqualified name, then any substring; ties by name.
 */
export function findTables(graph: ErGraph, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const ranked: { name: string; rank: number }[] = [];
  for (const n of graph.nodes) {
    const full = n.data.tableName.toLowerCase();
    const short = n.data.shortName.toLowerCase();
    let rank = -1;
    if (full === q) rank = 0;
    else if (short === q) rank = 1;
    else if (short.startsWith(q) || full.startsWith(q)) rank = 2;
    else if (full.includes(q)) rank = 3;
    if (rank >= 0) ranked.push({ name: n.data.tableName, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
  return ranked.map((r) => r.name);
}

export const ELK_LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.spacing.nodeNode": "40",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.componentComponent": "60",
  "elk.separateConnectedComponents": "true",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};

export type ElkInputGraph = {
  id: string;
  layoutOptions: Record<string, string>;
  children: { id: string; width: number; height: number }[];
  edges: { id: string; sources: string[]; targets: string[] }[];
};

/** The graph ELK lays out. Self-references and repeated pairs do not change the placement, so they are left out. */
export function toElkGraph(graph: ErGraph): ElkInputGraph {
  const pairs = new Set<string>();
  const edges: ElkInputGraph["edges"] = [];
  for (const e of graph.edges) {
    if (e.selfReference) continue;
    const key = `${e.source}\u0000${e.target}`;
    if (pairs.has(key)) continue;
    pairs.add(key);
    edges.push({ id: e.id, sources: [e.source], targets: [e.target] });
  }
  return {
    id: "root",
    layoutOptions: ELK_LAYOUT_OPTIONS,
    children: graph.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges,
  };
}

/** A plain grid, row by row: the placement when ELK cannot run. */
export function gridLayout(graph: ErGraph, perRow = Math.max(1, Math.ceil(Math.sqrt(graph.nodes.length)))): ErPositions {
  const positions: ErPositions = {};
  let y = 0;
  for (let start = 0; start < graph.nodes.length; start += perRow) {
    const row = graph.nodes.slice(start, start + perRow);
    row.forEach((n, i) => {
      positions[n.id] = { x: i * (NODE_WIDTH + 80), y };
    });
    y += Math.max(...row.map((n) => n.height)) + 60;
  }
  return positions;
}

/** Places every table with ELK (layered, left to right); falls back to a grid if ELK fails. */
export async function layoutErGraph(graph: ErGraph): Promise<ErPositions> {
  if (graph.nodes.length === 0) return {};
  try {
    const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
    const elk = new ELK();
    const result = await elk.layout(toElkGraph(graph));
    const positions: ErPositions = {};
    for (const child of result.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
    if (graph.nodes.some((n) => !positions[n.id])) return gridLayout(graph);
    return positions;
  } catch {
    return gridLayout(graph);
  }
}
