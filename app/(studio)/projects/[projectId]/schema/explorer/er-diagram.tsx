"use client";

import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import {
  applyNodeChanges,
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type Node,
  type NodeChange,
  type NodeMouseHandler,
  type NodeProps,
} from "@xyflow/react";
import type { TableModel } from "@/lib/schema/model";
import {
  findTables,
  FOOTER_HEIGHT,
  HEADER_HEIGHT,
  nodeIdFor,
  NODE_WIDTH,
  relationshipsOf,
  ROW_HEIGHT,
  SELF_SOURCE_HANDLE,
  SELF_TARGET_HANDLE,
  SOURCE_HANDLE,
  TARGET_HANDLE,
  type ErEdgeKind,
  type ErGraph,
  type ErNodeData,
  type ErPositions,
  type ErRelationship,
} from "@/lib/schema/er-layout";
import { Badge } from "@/components/ui/badge";
import { inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

type TableFlowData = ErNodeData & { focused: boolean; matched: boolean; dimmed: boolean };
type TableFlowNode = Node<TableFlowData, "table">;

const EDGE_COLORS: Record<ErEdgeKind, string> = { declared: "#64748b", confirmed: "#178377", suggested: "#d97706" };
const KIND_TEXT: Record<ErEdgeKind, string> = { declared: "declared", confirmed: "inferred, confirmed", suggested: "suggested" };
/** Above this many tables, edge labels show only around the selected table. */
const LABEL_LIMIT = 40;
/** Above this many tables, only the boxes on screen are rendered. */
const VISIBLE_ONLY_LIMIT = 50;

const hiddenHandle = { opacity: 0, width: 6, height: 6, minWidth: 0, minHeight: 0, border: 0 };

function TableNode({ data }: NodeProps<TableFlowNode>) {
  return (
    <div
      data-testid="er-node"
      data-table={data.tableName}
      data-focused={data.focused ? "true" : "false"}
      data-matched={data.matched ? "true" : "false"}
      style={{ width: NODE_WIDTH }}
      className={cn(
        "overflow-hidden rounded-md border bg-white text-xs shadow-sm transition-opacity",
        data.focused ? "border-brand-600 ring-2 ring-brand-500" : data.matched ? "border-amber-400 ring-2 ring-amber-300" : "border-slate-300",
        data.dimmed && "opacity-40",
      )}
    >
      <Handle type="target" position={Position.Left} id={TARGET_HANDLE} isConnectable={false} style={hiddenHandle} />
      <Handle type="source" position={Position.Right} id={SOURCE_HANDLE} isConnectable={false} style={hiddenHandle} />
      <Handle type="source" position={Position.Right} id={SELF_SOURCE_HANDLE} isConnectable={false} style={{ ...hiddenHandle, top: HEADER_HEIGHT / 2 }} />
      <Handle type="target" position={Position.Top} id={SELF_TARGET_HANDLE} isConnectable={false} style={{ ...hiddenHandle, left: NODE_WIDTH - 24 }} />
      <div
        style={{ height: HEADER_HEIGHT }}
        className={cn("flex items-center gap-1 border-b px-2", data.focused ? "border-brand-100 bg-brand-50" : "border-slate-200 bg-slate-50")}
        title={data.description ?? data.tableName}
      >
        <span className="min-w-0 truncate font-mono text-sm">
          {data.schemaName && <span className="text-slate-400">{data.schemaName}.</span>}
          <span className="font-semibold text-slate-900">{data.shortName}</span>
        </span>
        <span className="ml-auto shrink-0 text-[10px] text-slate-400">{data.columnCount} col</span>
      </div>
      {data.columns.length === 0 && (
        <div style={{ height: ROW_HEIGHT }} className="flex items-center px-2 italic text-slate-400">
          no columns
        </div>
      )}
      {data.columns.map((c) => (
        <div key={c.name} style={{ height: ROW_HEIGHT }} className="flex items-center gap-1 px-2">
          <span className="flex w-9 shrink-0 gap-0.5 text-[9px] font-bold">
            {c.primaryKey && <span className="text-brand-700">PK</span>}
            {c.foreignKey && <span className="text-sky-700">FK</span>}
          </span>
          <span className={cn("min-w-0 truncate font-mono", c.primaryKey ? "font-semibold text-slate-900" : "text-slate-700")}>{c.name}</span>
          {c.sensitive && <span className="shrink-0 text-[9px] font-semibold text-rose-600">sensitive</span>}
          <span className="ml-auto max-w-[45%] shrink-0 truncate font-mono text-[10px] text-slate-400">
            {c.type}
            {!c.nullable && !c.primaryKey ? " !" : ""}
          </span>
        </div>
      ))}
      {data.hiddenColumnCount > 0 && (
        <div style={{ height: FOOTER_HEIGHT }} className="flex items-center border-t border-slate-100 px-2 text-slate-500">
          +{data.hiddenColumnCount} more
        </div>
      )}
    </div>
  );
}

const nodeTypes = { table: TableNode };

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function ErDiagram(props: { graph: ErGraph; positions: ErPositions; tables: TableModel[] }) {
  return (
    <ReactFlowProvider>
      <Explorer {...props} />
    </ReactFlowProvider>
  );
}

function Explorer({ graph, positions, tables }: { graph: ErGraph; positions: ErPositions; tables: TableModel[] }) {
  const flow = useReactFlow<TableFlowNode, Edge>();
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [nodes, setNodes] = useState<TableFlowNode[]>(() =>
    graph.nodes.map((n, i) => ({
      id: n.id,
      type: "table",
      position: positions[n.id] ?? { x: (i % 10) * (NODE_WIDTH + 80), y: Math.floor(i / 10) * 400 },
      initialWidth: n.width,
      initialHeight: n.height,
      data: { ...n.data, focused: false, matched: false, dimmed: false },
    })),
  );

  const matches = useMemo(() => findTables(graph, query), [graph, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const selectedId = selected ? nodeIdFor(selected) : null;
  const many = graph.nodes.length > LABEL_LIMIT;

  const shownNodes = useMemo(
    () =>
      nodes.map((n) => {
        const focused = n.id === selectedId;
        const matched = matchSet.has(n.data.tableName);
        const dimmed = query.trim() !== "" && !matched && !focused;
        return { ...n, selected: focused, data: { ...n.data, focused, matched, dimmed } };
      }),
    [nodes, selectedId, matchSet, query],
  );

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => {
        const connected = selectedId !== null && (e.source === selectedId || e.target === selectedId);
        const color = EDGE_COLORS[e.kind];
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          sourceHandle: e.sourceHandle,
          targetHandle: e.targetHandle,
          type: "smoothstep",
          label: !many || connected ? e.label : undefined,
          labelStyle: { fontSize: 10, fill: color, fontFamily: "var(--font-mono)" },
          labelBgStyle: { fill: "#ffffff", fillOpacity: 0.9 },
          labelBgPadding: [4, 2] as [number, number],
          style: { stroke: color, strokeWidth: connected ? 2.5 : 1.5, strokeDasharray: e.dashed ? "6 4" : undefined, opacity: selectedId && !connected ? 0.25 : 1 },
          markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
          zIndex: connected ? 1 : 0,
          selectable: false,
          focusable: false,
        };
      }),
    [graph.edges, selectedId, many],
  );

  const tableById = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n.data.tableName])), [graph.nodes]);
  const onNodesChange = useCallback(
    (changes: NodeChange<TableFlowNode>[]) => {
      // Selecting a box (a click, or Enter on a focused box) opens its details.
      const picked = changes.filter((c) => c.type === "select" && c.selected).map((c) => (c.type === "select" ? tableById.get(c.id) : undefined));
      const last = picked[picked.length - 1];
      if (last) setSelected(last);
      setNodes((ns) => applyNodeChanges(changes, ns));
    },
    [tableById],
  );

  const focusTable = useCallback(
    (name: string) => {
      setSelected(name);
      void flow.fitView({ nodes: [{ id: nodeIdFor(name) }], duration: 300, padding: 0.6, maxZoom: 1.1 });
    },
    [flow],
  );

  const onNodeClick: NodeMouseHandler<TableFlowNode> = useCallback((_event, node) => setSelected(node.data.tableName), []);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === "/" && !isEditable(event.target) && !event.metaKey && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (event.key === "Escape") {
        setSelected(null);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function onSearchKey(event: ReactKeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (matches[0]) focusTable(matches[0]);
    } else if (event.key === "Escape" && !selected) {
      setQuery("");
    }
  }

  const selectedTable = selected ? tables.find((t) => t.name === selected) ?? null : null;
  const suggestedCount = graph.edges.filter((e) => e.kind === "suggested").length;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start gap-x-6 gap-y-2">
        <div className="w-72">
          <label htmlFor="er-search" className="sr-only">
            Find a table
          </label>
          <input
            id="er-search"
            ref={searchRef}
            type="text"
            role="searchbox"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onSearchKey}
            placeholder="Find a table (press /)"
            autoComplete="off"
            className={inputClass}
          />
          <p className="mt-1 text-xs text-slate-500" aria-live="polite">
            {query.trim() === "" ? (
              <>
                <kbd>/</kbd> to search, <kbd>Enter</kbd> to go to the first match, <kbd>Esc</kbd> to close the details.
              </>
            ) : matches.length === 0 ? (
              "No table matches."
            ) : (
              `${matches.length} matching table${matches.length === 1 ? "" : "s"}. Enter goes to ${matches[0]}.`
            )}
          </p>
        </div>
        {matches.length > 0 && (
          <ul className="flex max-w-xl flex-wrap gap-1 pt-1" aria-label="Matching tables">
            {matches.slice(0, 12).map((name) => (
              <li key={name}>
                <button
                  type="button"
                  onClick={() => focusTable(name)}
                  className={cn("rounded border px-2 py-0.5 font-mono text-xs", name === selected ? "border-brand-500 bg-brand-50 text-brand-700" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50")}
                >
                  {name}
                </button>
              </li>
            ))}
            {matches.length > 12 && <li className="px-1 py-0.5 text-xs text-slate-500">+{matches.length - 12} more</li>}
          </ul>
        )}
        <Legend suggestedCount={suggestedCount} droppedCount={graph.droppedCount} unresolvedCount={graph.unresolved.length} />
      </div>

      <div className="flex gap-4">
        <section aria-label="Entity-relationship diagram" className="h-[calc(100vh-14rem)] min-h-[520px] min-w-0 flex-1 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <ReactFlow<TableFlowNode, Edge>
            nodes={shownNodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onNodeClick={onNodeClick}
            onPaneClick={() => setSelected(null)}
            nodesConnectable={false}
            deleteKeyCode={null}
            fitView
            fitViewOptions={{ padding: 0.12 }}
            minZoom={0.05}
            maxZoom={2}
            onlyRenderVisibleElements={graph.nodes.length > VISIBLE_ONLY_LIMIT}
          >
            <Background variant={BackgroundVariant.Dots} gap={18} size={1} color="#cbd5e1" />
            <Controls showInteractive={false} position="top-left" />
            <MiniMap
              pannable
              zoomable
              position="bottom-right"
              style={{ width: 160, height: 110 }}
              nodeColor={(n) => (n.id === selectedId ? "#178377" : matchSet.has((n.data as TableFlowData).tableName) ? "#f59e0b" : "#cbd5e1")}
              maskColor="rgba(241, 245, 249, 0.7)"
            />
          </ReactFlow>
        </section>
        {selected && <TablePanel key={selected} graph={graph} tableName={selected} table={selectedTable} onSelect={focusTable} onClose={() => setSelected(null)} />}
      </div>
    </div>
  );
}

function Legend({ suggestedCount, droppedCount, unresolvedCount }: { suggestedCount: number; droppedCount: number; unresolvedCount: number }) {
  return (
    <ul className="flex flex-wrap items-center gap-x-4 gap-y-1 pt-2 text-xs text-slate-600" aria-label="Legend">
      {(Object.keys(EDGE_COLORS) as ErEdgeKind[]).map((kind) => (
        <li key={kind} className="flex items-center gap-1.5">
          <svg width="28" height="6" aria-hidden="true">
            <line x1="0" y1="3" x2="28" y2="3" stroke={EDGE_COLORS[kind]} strokeWidth="2" strokeDasharray={kind === "suggested" ? "6 4" : undefined} />
          </svg>
          {KIND_TEXT[kind]}
          {kind === "suggested" && suggestedCount > 0 ? ` (${suggestedCount})` : ""}
        </li>
      ))}
      {droppedCount > 0 && <li>{droppedCount} dropped key{droppedCount === 1 ? "" : "s"} hidden</li>}
      {unresolvedCount > 0 && <li className="text-amber-800">{unresolvedCount} key{unresolvedCount === 1 ? "" : "s"} to tables not in the schema</li>}
    </ul>
  );
}

function TablePanel({
  graph,
  tableName,
  table,
  onSelect,
  onClose,
}: {
  graph: ErGraph;
  tableName: string;
  table: TableModel | null;
  onSelect: (name: string) => void;
  onClose: () => void;
}) {
  const { outgoing, incoming } = useMemo(() => relationshipsOf(graph, tableName), [graph, tableName]);
  return (
    <aside
      data-testid="er-panel"
      aria-label={`Table ${tableName}`}
      className="h-[calc(100vh-14rem)] min-h-[520px] w-[26rem] shrink-0 overflow-y-auto rounded-lg border border-slate-200 bg-white shadow-sm"
    >
      <header className="sticky top-0 flex items-start justify-between gap-3 border-b border-slate-100 bg-white px-4 py-3">
        <div className="min-w-0">
          <h2 className="truncate font-mono text-sm font-semibold text-slate-900">{tableName}</h2>
          {table?.description && <p className="mt-0.5 text-sm text-slate-600">{table.description}</p>}
          <p className="mt-0.5 text-xs text-slate-500">
            {table ? `${table.columns.length} column${table.columns.length === 1 ? "" : "s"}` : ""}
            {table && table.primaryKey.length > 0 ? ` · primary key (${table.primaryKey.join(", ")})` : ""}
          </p>
        </div>
        <button type="button" onClick={onClose} aria-label="Close details" title="Close (Esc)" className="rounded px-2 py-0.5 text-lg leading-none text-slate-500 hover:bg-slate-100">
          ×
        </button>
      </header>

      <div className="space-y-5 px-4 py-3">
        {table && (
          <section>
            <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Columns</h3>
            <table className="w-full text-xs">
              <thead className="sr-only">
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Properties</th>
                </tr>
              </thead>
              <tbody>
                {table.columns.map((c) => {
                  const original = c.originalType && c.originalType.toLowerCase() !== c.type.toLowerCase() ? c.originalType : null;
                  return (
                    <tr key={c.name} data-testid="er-column" className="border-t border-slate-100 align-top">
                      <td className="py-1 pr-2">
                        <div className="font-mono text-slate-900">{c.name}</div>
                        {c.description && <div className="mt-0.5 text-slate-500">{c.description}</div>}
                      </td>
                      <td className="py-1 pr-2 font-mono text-slate-600">
                        {c.type}
                        {original && <div className="text-[10px] text-slate-400">source: {original}</div>}
                      </td>
                      <td className="py-1">
                        <div className="flex flex-wrap justify-end gap-1">
                          {(c.primaryKey || table.primaryKey.includes(c.name)) && <Badge tone="teal">PK</Badge>}
                          {c.unique && <Badge>unique</Badge>}
                          <Badge tone={c.nullable ? "gray" : "blue"}>{c.nullable ? "nullable" : "not null"}</Badge>
                          {c.semanticType !== "other" && <Badge title="Semantic type">{c.semanticType}</Badge>}
                          {c.sensitive && (
                            <Badge tone="red" title="Kept out of prompts and exports">
                              sensitive
                            </Badge>
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        )}

        <RelationshipList title="References" empty="This table holds no foreign key." items={outgoing} direction="out" onSelect={onSelect} />
        <RelationshipList title="Referenced by" empty="No table points at this one." items={incoming} direction="in" onSelect={onSelect} />
      </div>
    </aside>
  );
}

function RelationshipList({
  title,
  empty,
  items,
  direction,
  onSelect,
}: {
  title: string;
  empty: string;
  items: ErRelationship[];
  direction: "in" | "out";
  onSelect: (name: string) => void;
}) {
  return (
    <section>
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {title} ({items.length})
      </h3>
      {items.length === 0 ? (
        <p className="text-xs text-slate-500">{empty}</p>
      ) : (
        <ul className="space-y-1.5">
          {items.map((r, i) => (
            <li key={`${r.edgeId ?? r.otherTable}:${i}`} data-testid="er-relationship" className="flex flex-wrap items-center gap-1.5 text-xs">
              <span className="text-slate-400" aria-hidden="true">
                {direction === "out" ? "→" : "←"}
              </span>
              {r.otherResolved ? (
                <button type="button" onClick={() => onSelect(r.otherTable)} className="font-mono font-medium text-brand-700 hover:underline">
                  {r.selfReference ? `${r.otherTable} (itself)` : r.otherTable}
                </button>
              ) : (
                <span className="font-mono text-slate-700" title="This table is not in the schema">
                  {r.otherTable} (not in schema)
                </span>
              )}
              <span className="font-mono text-slate-500">{r.label}</span>
              {r.kind !== "declared" && <Badge tone={r.kind === "suggested" ? "amber" : "teal"}>{KIND_TEXT[r.kind]}</Badge>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
