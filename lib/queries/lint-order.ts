// Does the outermost ORDER BY fix the order of the rows? Read from DuckDB's parse tree (the JSON of
// json_serialize_sql, see parse-tree.ts) with the schema's keys: which table each ORDER BY key comes
// from (through aliases, derived tables and CTEs), whether a join repeats that table's rows, what a
// GROUP BY or DISTINCT makes unique, and which keys can be NULL (also through outer joins). Pure.
import { AGGREGATE_FUNCTIONS } from "@/lib/queries/parse-tree";
import { quoteIdent } from "@/lib/sql/quote";

// The serialized tree is untyped JSON; fields are checked where they are read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ast = any;

/** What the schema says about keys and NULLs, names lower-cased. */
export interface KeyFacts {
  /** Columns of each table (lower case), when known. */
  columns: Map<string, Set<string>>;
  /** Key column sets of each table: its primary key and its NOT NULL unique columns. */
  keys(table: string): string[][];
  /** The column may hold NULL ("table.column"; a bare column name when the table is unknown). */
  nullable(table: string | undefined, column: string): boolean;
  /** The column is filtered with IS NOT NULL somewhere in the query text. */
  filteredNotNull(column: string): boolean;
}

interface Source {
  /** How the query names it: alias, else table name (lower case). */
  name: string;
  /** The name as written, for rendering. */
  label: string;
  /** A schema table (not a CTE, subquery or table function). */
  table?: string;
  columns?: Set<string>;
  /** Key column sets (lower case). An empty set means at most one row. */
  keys: string[][];
  /** Rows may be NULL-extended by an outer join. */
  nullable: boolean;
  /** For subqueries and CTEs: the inner query, to follow nullability through. */
  inner?: Block;
}

interface Col {
  source: Source;
  column: string;
}

interface Output {
  alias: string;
  /** Alias, else the column name of a plain column reference, else "". */
  name: string;
  expr: Ast;
}

interface Block {
  kind: "select" | "setop" | "unknown";
  sources: Source[];
  /** Key sets of the rows the FROM clause produces. */
  rowKeys: Col[][];
  outputs: Output[];
  star: boolean;
  grouped: boolean;
  /** GROUP BY expressions with select aliases and positions replaced by the select expressions. */
  groupExprs: Ast[];
  /** GROUP BY ROLLUP/CUBE/GROUPING SETS: several grouping sets. */
  groupingSets: boolean;
  /** GROUP BY ALL: the group keys are the select items without aggregates. */
  groupByAll: boolean;
  distinct: boolean;
  distinctOn: Ast[];
  singleRow: boolean;
  setopDistinct: boolean;
}

interface Scope {
  ctes: Map<string, Ast>;
  facts: KeyFacts;
  /** Equalities of the current WHERE clause, for comma (cross) joins. */
  whereEqualities: [Ast, Ast][];
  cteBlocks: Map<Ast, Block>;
}

/** One ORDER BY key as the analysis sees it. */
interface Ordering {
  /** ORDER BY ALL. */
  all?: boolean;
  /** Output columns this key names (by alias, position or the same expression). */
  outputs: number[];
  /** The expression ordered by (a select alias or position replaced by the select expression). */
  expr?: Ast;
}

/** What the outermost query's ORDER BY does, and what would make it total. */
export interface OrderAnalysis {
  setOperation: boolean;
  /** The query has a top-level ORDER BY. */
  ordered: boolean;
  /** Rows tied on every ORDER BY key are impossible, or identical in every output column. */
  total: boolean;
  /** The ORDER BY names every output column: rows tied on it are identical. */
  coversOutput: boolean;
  /** ORDER BY keys to append so the order becomes total (SQL text), when some can be found. */
  tiebreak?: string[];
  /** The tiebreak is a unique key; otherwise it is the output columns not ordered by yet. */
  tiebreakIsKey: boolean;
  /** Output columns the ORDER BY does not name yet (ordering by all of them makes ties identical rows). */
  outputTiebreak?: string[];
  /** Per top-level ORDER BY key: it may be NULL. */
  nullableKeys: boolean[];
  /** Select items holding an aggregate: output position and an ORDER BY reference (alias or position). */
  measures: { index: number; ref: string }[];
  /** Per output column: computed by an expression rather than read from a column (undefined with a star). */
  computedOutputs?: boolean[];
  /** Keys to follow an ORDER BY on these output positions so it is total ([] when it already is). */
  tiebreakAfter(outputs: number[]): string[] | undefined;
}

/** Analyse the outermost ORDER BY of one serialized statement node. */
export function analyzeTopOrder(tree: unknown, facts: KeyFacts, groupByTexts: string[] = []): OrderAnalysis | undefined {
  const root = tree as Ast;
  if (!root || typeof root !== "object") return undefined;
  const scope: Scope = { ctes: new Map(), facts, whereEqualities: [], cteBlocks: new Map() };
  const block = analyzeQuery(root, scope);
  if (block.kind === "unknown") return undefined;
  const modifiers: Ast[] = Array.isArray(root.modifiers) ? root.modifiers : [];
  const order = modifiers.find((m) => m?.type === "ORDER_MODIFIER" && Array.isArray(m.orders) && m.orders.length > 0);
  const orderItems: Ast[] = order ? order.orders : [];
  const orderings = orderItems.map((o) => readOrdering(o?.expression, block));

  const covered = coveredOutputs(orderings, block);
  const coversOutput = !block.star && block.outputs.length > 0 && block.outputs.every((_, i) => covered.has(i));
  const isTotal = (current: Ordering[]) =>
    block.singleRow || current.some((o) => o.all) || (!block.star && block.outputs.length > 0 && block.outputs.every((_, i) => coveredOutputs(current, block).has(i))) || keySetCovered(current, block);
  const total = orderings.length > 0 && isTotal(orderings);
  const tiebreakFor = (current: Ordering[]) => {
    const found = findTiebreak(current, block, groupByTexts);
    return found && found.keys.length > 0 ? found : undefined;
  };
  const tiebreak = total ? undefined : tiebreakFor(orderings);

  return {
    setOperation: block.kind === "setop",
    ordered: orderings.length > 0,
    total,
    coversOutput,
    tiebreak: tiebreak?.keys,
    tiebreakIsKey: tiebreak?.isKey ?? false,
    outputTiebreak: block.star || coversOutput ? undefined : block.outputs.flatMap((_, i) => (covered.has(i) ? [] : [renderOutput(block, i)])),
    nullableKeys: orderings.map((o) => (o.expr ? isNullable(o.expr, block, scope) : false)),
    measures: block.kind === "select" ? block.outputs.flatMap((o, i) => (containsAggregate(o.expr) ? [{ index: i, ref: renderOutput(block, i) }] : [])) : [],
    computedOutputs: block.star ? undefined : block.outputs.map((o) => o.expr?.class !== "COLUMN_REF"),
    tiebreakAfter(positions: number[]) {
      const current = positions.filter((i) => i >= 0 && i < block.outputs.length).map((i) => ({ outputs: [i], expr: block.outputs[i].expr }));
      return isTotal(current) ? [] : tiebreakFor(current)?.keys;
    },
  };
}

function withCtes(scope: Scope, node: Ast): Scope {
  const entries: Ast[] = Array.isArray(node?.cte_map?.map) ? node.cte_map.map : [];
  if (entries.length === 0) return scope;
  const ctes = new Map(scope.ctes);
  for (const entry of entries) if (typeof entry?.key === "string") ctes.set(entry.key.toLowerCase(), entry.value);
  return { ...scope, ctes };
}

function analyzeQuery(node: Ast, outer: Scope): Block {
  if (node?.type === "SELECT_NODE") return analyzeSelect(node, withCtes(outer, node));
  if (node?.type === "SET_OPERATION_NODE") {
    const scope = withCtes(outer, node);
    const children: Ast[] = Array.isArray(node.children) && node.children.length > 0 ? node.children : [node.left, node.right];
    const first = analyzeQuery(children[0], scope);
    return {
      ...emptyBlock("setop"),
      outputs: first.outputs.map((o) => ({ ...o, expr: undefined })),
      star: first.star,
      setopDistinct: node.setop_all !== true,
    };
  }
  return emptyBlock("unknown");
}

function emptyBlock(kind: Block["kind"]): Block {
  return { kind, sources: [], rowKeys: [], outputs: [], star: false, grouped: false, groupExprs: [], groupingSets: false, groupByAll: false, distinct: false, distinctOn: [], singleRow: false, setopDistinct: false };
}

function analyzeSelect(node: Ast, scope: Scope): Block {
  const whereEqualities = equalities(node.where_clause);
  const from = node.from_table && node.from_table.type !== "EMPTY"
    ? readFrom(node.from_table, { ...scope, whereEqualities })
    : { sources: [] as Source[], keys: [[]] as Col[][] };
  const selectList: Ast[] = Array.isArray(node.select_list) ? node.select_list : [];
  const outputs: Output[] = selectList.map((e) => {
    const alias = typeof e?.alias === "string" ? e.alias : "";
    const names: string[] = e?.class === "COLUMN_REF" && Array.isArray(e.column_names) ? e.column_names : [];
    return { alias, name: alias || (names.length > 0 ? String(names[names.length - 1]) : ""), expr: e };
  });
  const block: Block = {
    ...emptyBlock("select"),
    sources: from.sources,
    rowKeys: from.keys,
    outputs,
    star: selectList.some((e) => e?.class === "STAR"),
  };
  const modifiers: Ast[] = Array.isArray(node.modifiers) ? node.modifiers : [];
  const distinct = modifiers.find((m) => m?.type === "DISTINCT_MODIFIER");
  const on: Ast[] = Array.isArray(distinct?.distinct_on_targets) ? distinct.distinct_on_targets : [];
  block.distinct = Boolean(distinct) && on.length === 0;
  block.distinctOn = on;
  const groups: Ast[] = Array.isArray(node.group_expressions) ? node.group_expressions : [];
  const sets: unknown[] = Array.isArray(node.group_sets) ? node.group_sets : [];
  if (groups.length > 0) {
    block.grouped = true;
    block.groupExprs = groups.map((g) => resolveOutputReference(g, block, false) ?? g);
    block.groupingSets = sets.length > 1;
  } else if (node.aggregate_handling === "FORCE_AGGREGATES") {
    block.grouped = true;
    block.groupByAll = true;
    block.groupExprs = outputs.filter((o) => !containsAggregate(o.expr)).map((o) => o.expr);
  } else if (outputs.some((o) => containsAggregate(o.expr)) && !node.qualify) {
    block.singleRow = true;
  }
  return block;
}

/** An ORDER BY / GROUP BY term that names a select item: a position, or an alias that is not a column of the FROM clause (aliases first for ORDER BY). */
function resolveOutputReference(e: Ast, block: Block, aliasFirst: boolean): Ast | undefined {
  const index = outputIndexOf(e, block, aliasFirst);
  return index === undefined ? undefined : block.outputs[index].expr;
}

function outputIndexOf(e: Ast, block: Block, aliasFirst: boolean): number | undefined {
  if (e?.class === "CONSTANT" && typeof e.value?.value === "number" && Number.isInteger(e.value.value)) {
    const i = e.value.value - 1;
    return i >= 0 && i < block.outputs.length ? i : undefined;
  }
  if (e?.class === "COLUMN_REF" && Array.isArray(e.column_names) && e.column_names.length === 1) {
    const name = String(e.column_names[0]).toLowerCase();
    const i = block.outputs.findIndex((o) => o.alias !== "" && o.alias.toLowerCase() === name);
    if (i === -1) return undefined;
    if (!aliasFirst && resolveColumn(e, block.sources)) return undefined;
    return i;
  }
  return undefined;
}

function readOrdering(e: Ast, block: Block): Ordering {
  if (e?.class === "STAR") return { all: true, outputs: block.outputs.map((_, i) => i) };
  if (block.kind === "setop") {
    if (e?.class === "CONSTANT" && typeof e.value?.value === "number") {
      const i = e.value.value - 1;
      return { outputs: i >= 0 && i < block.outputs.length ? [i] : [] };
    }
    const names: string[] = e?.class === "COLUMN_REF" && Array.isArray(e.column_names) ? e.column_names : [];
    const name = names.length > 0 ? String(names[names.length - 1]).toLowerCase() : "";
    const i = block.outputs.findIndex((o) => o.name.toLowerCase() === name);
    return { outputs: i === -1 ? [] : [i] };
  }
  const index = outputIndexOf(e, block, true);
  if (index !== undefined) return { outputs: [index], expr: block.outputs[index].expr };
  return { outputs: block.outputs.flatMap((o, i) => (sameExpr(o.expr, e, block) ? [i] : [])), expr: e };
}

function coveredOutputs(orderings: Ordering[], block: Block): Set<number> {
  const covered = new Set<number>();
  for (const o of orderings) {
    for (const i of o.outputs) covered.add(i);
    if (o.expr) block.outputs.forEach((out, i) => {
      if (sameExpr(out.expr, o.expr, block)) covered.add(i);
    });
  }
  return covered;
}

/** Key sets of the rows as the ORDER BY sees them: group keys after GROUP BY, FROM keys before. */
function orderKeySets(block: Block): Ast[][] {
  if (block.kind !== "select") return [];
  if (block.grouped) {
    if (block.groupingSets) return [];
    const sets: Ast[][] = [block.groupExprs];
    // Grouping by a table's key makes that table's other grouped columns redundant: the key alone is unique.
    const groupCols = block.groupExprs.map((g) => resolveColumn(g, block.sources));
    for (const source of block.sources) {
      for (const key of source.keys) {
        if (!key.every((column) => groupCols.some((c) => c?.source === source && c.column === column))) continue;
        const reduced = block.groupExprs.filter((_, i) => !(groupCols[i]?.source === source && !key.includes(groupCols[i]!.column)));
        if (reduced.length < block.groupExprs.length) sets.push(reduced);
      }
    }
    for (const key of block.rowKeys) {
      const exprs = key.map((col) => block.groupExprs.find((g) => refersTo(g, col, block)));
      if (exprs.every(Boolean)) sets.push(exprs);
    }
    return sets;
  }
  return block.rowKeys.map((key) => key.map((col) => ({ col }) as Ast));
}

function keySetCovered(orderings: Ordering[], block: Block): boolean {
  const sets = orderKeySets(block);
  return sets.some((set) => set.every((member) => orderings.some((o) => matchesKeyMember(o, member, block))));
}

function matchesKeyMember(o: Ordering, member: Ast, block: Block): boolean {
  if (member?.col) return o.expr !== undefined && refersTo(o.expr, member.col as Col, block);
  if (o.expr !== undefined && sameExpr(o.expr, member, block)) return true;
  return o.outputs.some((i) => sameExpr(block.outputs[i].expr, member, block));
}

function findTiebreak(orderings: Ordering[], block: Block, groupByTexts: string[]): { keys: string[]; isKey: boolean } | undefined {
  if (block.kind === "select" && !block.distinct && block.distinctOn.length === 0) {
    const sets = orderKeySets(block)
      .map((set, index) => ({ set, index, missing: set.filter((m) => !orderings.some((o) => matchesKeyMember(o, m, block))) }))
      .sort((a, b) => a.missing.length - b.missing.length || a.index - b.index);
    for (const { missing } of sets) {
      const rendered = missing.map((m) => (m?.col ? renderCol(m.col as Col, block) : renderGroupExpr(m, block, groupByTexts)));
      if (rendered.every((r): r is string => typeof r === "string")) return { keys: rendered, isKey: true };
    }
  }
  // Ordering by every output column: rows still tied are identical, so their order does not show.
  if (block.star || block.outputs.length === 0) return undefined;
  const covered = coveredOutputs(orderings, block);
  return { keys: block.outputs.flatMap((_, i) => (covered.has(i) ? [] : [renderOutput(block, i)])), isKey: false };
}

function renderCol(col: Col, block: Block): string {
  const qualify = col.source.label !== "" && (block.sources.length > 1 || col.source.label.toLowerCase() !== (col.source.table ?? col.source.name));
  return qualify ? `${quoteIdent(col.source.label)}.${quoteIdent(col.column)}` : quoteIdent(col.column);
}

function renderOutput(block: Block, i: number): string {
  const out = block.outputs[i];
  if (out.alias) return quoteIdent(out.alias);
  if (out.expr?.class === "COLUMN_REF" && Array.isArray(out.expr.column_names)) {
    const names = (out.expr.column_names as string[]).map(String);
    return block.kind === "setop" ? quoteIdent(names[names.length - 1]) : names.map(quoteIdent).join(".");
  }
  if (block.kind === "setop" && out.name) return quoteIdent(out.name);
  return String(i + 1);
}

function renderGroupExpr(g: Ast, block: Block, groupByTexts: string[]): string | undefined {
  const i = block.outputs.findIndex((o) => sameExpr(o.expr, g, block));
  if (i !== -1 && (block.outputs[i].alias || block.outputs[i].expr?.class === "COLUMN_REF")) return renderOutput(block, i);
  if (g?.class === "COLUMN_REF" && Array.isArray(g.column_names)) return (g.column_names as string[]).map((n) => quoteIdent(String(n))).join(".");
  const at = block.groupExprs.indexOf(g);
  if (at !== -1 && !block.groupByAll && groupByTexts.length === block.groupExprs.length && !/^\d+$/.test(groupByTexts[at].trim())) return groupByTexts[at];
  return i !== -1 ? String(i + 1) : undefined;
}

// ---------- FROM clause: sources, and which rows a join can repeat ----------

function readFrom(ref: Ast, scope: Scope): { sources: Source[]; keys: Col[][] } {
  switch (ref?.type) {
    case "BASE_TABLE": {
      const tableName = String(ref.table_name ?? "");
      const lower = tableName.toLowerCase();
      const alias = typeof ref.alias === "string" && ref.alias !== "" ? ref.alias : "";
      const cte = ref.schema_name ? undefined : scope.ctes.get(lower);
      if (cte) {
        let inner = scope.cteBlocks.get(cte);
        if (!inner) {
          // A recursive CTE refers to itself: mark it before reading its body.
          scope.cteBlocks.set(cte, emptyBlock("unknown"));
          inner = analyzeQuery(cte?.query?.node, scope);
          scope.cteBlocks.set(cte, inner);
        }
        const renamed: string[] = Array.isArray(cte?.aliases) ? cte.aliases.map(String) : [];
        return derivedSource(alias || tableName, inner, renamed);
      }
      const source: Source = {
        name: (alias || tableName).toLowerCase(),
        label: alias || tableName,
        table: lower,
        columns: scope.facts.columns.get(lower),
        keys: scope.facts.keys(lower),
        nullable: false,
      };
      return { sources: [source], keys: source.keys.map((k) => k.map((column) => ({ source, column }))) };
    }
    case "SUBQUERY": {
      const inner = analyzeQuery(ref.subquery?.node, scope);
      const renamed: string[] = Array.isArray(ref.column_name_alias) ? ref.column_name_alias.map(String) : [];
      return derivedSource(typeof ref.alias === "string" ? ref.alias : "", inner, renamed);
    }
    case "JOIN":
      return readJoin(ref, scope);
    default: {
      // Table functions, VALUES lists, PIVOT…: columns and keys unknown.
      const alias = typeof ref?.alias === "string" ? ref.alias : "";
      const renamed: string[] = Array.isArray(ref?.column_name_alias) ? ref.column_name_alias.map(String) : [];
      const source: Source = { name: alias.toLowerCase(), label: alias, columns: renamed.length > 0 ? new Set(renamed.map((c) => c.toLowerCase())) : undefined, keys: [], nullable: false };
      return { sources: [source], keys: [] };
    }
  }
}

function derivedSource(alias: string, inner: Block, renamed: string[]): { sources: Source[]; keys: Col[][] } {
  const names = inner.outputs.map((o, i) => (renamed[i] ?? o.name).toLowerCase());
  const keys = outputKeys(inner)
    .map((set) => set.map((i) => names[i]))
    .filter((set) => set.every((n) => n !== ""));
  const source: Source = {
    name: alias.toLowerCase(),
    label: alias,
    columns: inner.star ? undefined : new Set(names.filter(Boolean)),
    keys,
    nullable: false,
    inner: renamed.length > 0 ? { ...inner, outputs: inner.outputs.map((o, i) => ({ ...o, name: renamed[i] ?? o.name })) } : inner,
  };
  return { sources: [source], keys: keys.map((k) => k.map((column) => ({ source, column }))) };
}

/** Key sets of a query's output, as output positions. */
function outputKeys(block: Block): number[][] {
  if (block.kind === "unknown") return [];
  if (block.singleRow) return [[]];
  const all = block.star ? [] : [block.outputs.map((_, i) => i)];
  if (block.kind === "setop") return block.setopDistinct ? all : [];
  const sets: number[][] = [];
  for (const set of orderKeySets(block)) {
    const positions = set.map((m) =>
      block.outputs.findIndex((o) => (m?.col ? refersTo(o.expr, m.col as Col, block) : sameExpr(o.expr, m, block))),
    );
    if (positions.every((p) => p >= 0)) sets.push(positions);
  }
  if (block.distinct) sets.push(...all);
  if (block.distinctOn.length > 0) {
    const positions = block.distinctOn.map((e) => block.outputs.findIndex((o) => sameExpr(o.expr, e, block)));
    if (positions.every((p) => p >= 0)) sets.push(positions);
  }
  return sets;
}

function readJoin(ref: Ast, scope: Scope): { sources: Source[]; keys: Col[][] } {
  const left = readFrom(ref.left, scope);
  const right = readFrom(ref.right, scope);
  const sources = [...left.sources, ...right.sources];
  const using: string[] = Array.isArray(ref.using_columns) ? ref.using_columns.map(String) : [];
  const cross = ref.ref_type === "CROSS" || (!ref.condition && using.length === 0);
  // Comma joins put their join conditions in WHERE; for inner joins WHERE equalities bind just as well.
  // An ON condition sees only the tables joined so far, so a name it cannot resolve belongs to an
  // outer query; a WHERE name may belong to a table joined later.
  const pairs: [Ast, Ast, boolean][] = [
    ...equalities(ref.condition).map(([a, b]): [Ast, Ast, boolean] => [a, b, true]),
    ...(cross || ref.join_type === "INNER" ? scope.whereEqualities.map(([a, b]): [Ast, Ast, boolean] => [a, b, false]) : []),
  ];
  /** Columns of `side` equated with a constant or a column from elsewhere ("source.column"). */
  const bound = (side: Source[], other: Source[]): Set<string> => {
    const names = new Set<string>();
    const inSide = (e: Ast) => {
      const col = resolveColumn(e, sources);
      return col && side.includes(col.source) ? col : undefined;
    };
    const fromElsewhere = (e: Ast, inOn: boolean) => {
      if (isConstant(e)) return true;
      if (e?.class !== "COLUMN_REF") return false;
      const col = resolveColumn(e, sources);
      // An outer query's column has one value per outer row, like a constant.
      return col ? !side.includes(col.source) : inOn && Array.isArray(e.column_names) && e.column_names.length > 1;
    };
    for (const [a, b, inOn] of pairs) {
      const ca = inSide(a);
      if (ca && fromElsewhere(b, inOn)) names.add(`${ca.source.name}.${ca.column}`);
      const cb = inSide(b);
      if (cb && fromElsewhere(a, inOn)) names.add(`${cb.source.name}.${cb.column}`);
    }
    if (using.length > 0 && other.length > 0) {
      for (const column of using) {
        const c = column.toLowerCase();
        for (const s of side) names.add(`${s.name}.${c}`);
      }
    }
    return names;
  };
  const atMostOne = (side: { sources: Source[]; keys: Col[][] }, other: Source[]) => {
    const names = bound(side.sources, other);
    return side.keys.some((key) => key.every((col) => names.has(`${col.source.name}.${col.column}`)));
  };
  const rightOne = atMostOne(right, left.sources);
  const leftOne = atMostOne(left, right.sources);
  const product = left.keys.length > 0 && right.keys.length > 0 ? [[...left.keys[0], ...right.keys[0]]] : [];

  if (ref.join_type === "SEMI" || ref.join_type === "ANTI") return { sources: left.sources, keys: left.keys };
  if (ref.ref_type === "POSITIONAL") return { sources, keys: [] };
  if (ref.ref_type === "ASOF") {
    if (ref.join_type === "LEFT") for (const s of right.sources) s.nullable = true;
    return { sources, keys: left.keys };
  }
  switch (ref.join_type) {
    case "LEFT":
      for (const s of right.sources) s.nullable = true;
      return { sources, keys: rightOne ? left.keys : product };
    case "RIGHT":
      for (const s of left.sources) s.nullable = true;
      return { sources, keys: leftOne ? right.keys : product };
    case "OUTER":
      for (const s of sources) s.nullable = true;
      return { sources, keys: product };
    default: {
      const keys = [...(rightOne ? left.keys : []), ...(leftOne ? right.keys : [])];
      return { sources, keys: keys.length > 0 ? keys : product };
    }
  }
}

function equalities(e: Ast): [Ast, Ast][] {
  if (!e || typeof e !== "object") return [];
  if (e.class === "CONJUNCTION" && e.type === "CONJUNCTION_AND" && Array.isArray(e.children)) return (e.children as Ast[]).flatMap(equalities);
  if (e.class === "COMPARISON" && (e.type === "COMPARE_EQUAL" || e.type === "COMPARE_NOT_DISTINCT_FROM")) return [[e.left, e.right]];
  return [];
}

function isConstant(e: Ast): boolean {
  return e?.class === "CONSTANT" || e?.class === "PARAMETER" || (e?.class === "CAST" && isConstant(e.child));
}

// ---------- expressions ----------

function resolveColumn(e: Ast, sources: Source[]): Col | undefined {
  if (e?.class !== "COLUMN_REF" || !Array.isArray(e.column_names) || e.column_names.length === 0) return undefined;
  const names = (e.column_names as unknown[]).map((n) => String(n).toLowerCase());
  const column = names[names.length - 1];
  if (names.length >= 2) {
    const qualifier = names[names.length - 2];
    const source = sources.find((s) => s.name === qualifier);
    return source ? { source, column } : undefined;
  }
  const having = sources.filter((s) => s.columns?.has(column));
  if (having.length === 1) return { source: having[0], column };
  if (having.length === 0 && sources.length === 1 && !sources[0].columns) return { source: sources[0], column };
  return undefined;
}

/** The expression reads exactly this column. */
function refersTo(e: Ast, col: Col, block: Block): boolean {
  const target = e?.class === "COLUMN_REF" ? e : undefined;
  if (!target) return false;
  const resolved = resolveColumn(target, block.sources);
  return resolved !== undefined && resolved.source === col.source && resolved.column === col.column;
}

function sameExpr(a: Ast, b: Ast, block: Block): boolean {
  if (!a || !b) return false;
  if (a.class === "COLUMN_REF" && b.class === "COLUMN_REF") {
    const ca = resolveColumn(a, block.sources);
    const cb = resolveColumn(b, block.sources);
    if (ca && cb) return ca.source === cb.source && ca.column === cb.column;
    const na = (a.column_names as unknown[]).map((n) => String(n).toLowerCase());
    const nb = (b.column_names as unknown[]).map((n) => String(n).toLowerCase());
    if (na.length === 1 || nb.length === 1) return na[na.length - 1] === nb[nb.length - 1];
    return na.join(".") === nb.join(".");
  }
  return skeleton(a) === skeleton(b);
}

function skeleton(e: Ast): string {
  return JSON.stringify(e, (key, value) => (key === "query_location" || key === "alias" ? undefined : typeof value === "string" && key === "column_names" ? value.toLowerCase() : value));
}

/** An aggregate call in the expression itself (not inside a subquery or a window). */
export function containsAggregate(e: Ast): boolean {
  if (!e || typeof e !== "object") return false;
  if (Array.isArray(e)) return e.some(containsAggregate);
  if (e.class === "SUBQUERY" || e.class === "WINDOW") return false;
  if (e.class === "FUNCTION" && AGGREGATE_FUNCTIONS.has(String(e.function_name ?? "").toLowerCase())) return true;
  return Object.entries(e).some(([key, value]) => key !== "order_bys" && value && typeof value === "object" && containsAggregate(value));
}

const NEVER_NULL_AGGREGATES = new Set(["count", "count_star", "approx_count_distinct", "regr_count"]);
const NEVER_NULL_WINDOWS = new Set(["row_number", "rank", "dense_rank", "rank_dense", "percent_rank", "cume_dist", "ntile", "count", "count_star"]);

function isNullable(e: Ast, block: Block, scope: Scope, depth = 0): boolean {
  if (!e || typeof e !== "object" || depth > 20) return false;
  switch (e.class) {
    case "COLUMN_REF": {
      const names: string[] = Array.isArray(e.column_names) ? e.column_names.map(String) : [];
      const column = (names[names.length - 1] ?? "").toLowerCase();
      if (scope.facts.filteredNotNull(column)) return false;
      const col = resolveColumn(e, block.sources);
      if (!col) {
        // Unresolved: any table of the query with a nullable column of that name.
        return block.sources.some((s) => s.nullable || (s.table !== undefined && scope.facts.nullable(s.table, column))) || (block.sources.length === 0 && scope.facts.nullable(undefined, column));
      }
      if (col.source.nullable) return true;
      if (col.source.table !== undefined) return scope.facts.nullable(col.source.table, col.column);
      const inner = col.source.inner;
      if (inner && inner.kind === "select") {
        const out = inner.outputs.find((o) => o.name.toLowerCase() === col.column);
        return out ? isNullable(out.expr, inner, scope, depth + 1) : false;
      }
      return false;
    }
    case "CONSTANT":
      return e.value?.is_null === true;
    case "FUNCTION": {
      const name = String(e.function_name ?? "").toLowerCase();
      if (NEVER_NULL_AGGREGATES.has(name)) return false;
      const children: Ast[] = Array.isArray(e.children) ? e.children : [];
      if (name === "coalesce" || name === "ifnull") return children.every((c) => isNullable(c, block, scope, depth + 1));
      return children.some((c) => isNullable(c, block, scope, depth + 1));
    }
    case "WINDOW": {
      const name = String(e.function_name ?? "").toLowerCase();
      if (NEVER_NULL_WINDOWS.has(name)) return false;
      if (name === "lag" || name === "lead" || name === "nth_value") return true;
      const children: Ast[] = Array.isArray(e.children) ? e.children : [];
      return children.some((c) => isNullable(c, block, scope, depth + 1));
    }
    case "CAST":
      return isNullable(e.child, block, scope, depth + 1);
    case "OPERATOR":
    case "COMPARISON": {
      if (e.type === "OPERATOR_IS_NULL" || e.type === "OPERATOR_IS_NOT_NULL") return false;
      const children: Ast[] = Array.isArray(e.children) ? e.children : [e.left, e.right].filter(Boolean);
      return children.some((c) => isNullable(c, block, scope, depth + 1));
    }
    case "CASE":
      return !e.else_expr || (Array.isArray(e.case_checks) && e.case_checks.some((c: Ast) => isNullable(c?.then_expr, block, scope, depth + 1))) || isNullable(e.else_expr, block, scope, depth + 1);
    default:
      return false;
  }
}
