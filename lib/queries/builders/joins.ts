// Join shapes: along one foreign key, two (a star or a path), three (a path or a tree), a table
// joined to itself, and the anti-join. Filters use values sampled from the joined table.
import type { QueryShape } from "@/lib/queries/shapes";
import {
  aggregatesFor, bestCategories, choose, col, countAlias, draft, equalityPredicates, humanizeColumn, labelWords, joinOn, labelOrKey,
  listPaths, makeAlias, pairs, possessive, quoteIdent, sqlLiteral, stem, tbl, textSamples, type Ctx, type FkEdge,
  type Predicate, type ShapeBuilder, type TableProfile,
} from "@/lib/queries/builders/context";
import type { QuestionCondition } from "@/lib/questions/seed";

/** A joined table in a join tree: how it was reached (the chain of roles) and its alias. */
interface Joined {
  profile: TableProfile;
  alias: string;
  vias: string[];
}

/** A tree of joins rooted at one table, written as FROM … JOIN … ON …. */
interface JoinTree {
  root: Joined;
  joined: Joined[];
  from: string;
}

/** Join `steps` in order; each step names the edge and the index (in the tree) of the table it leaves from. */
function buildTree(root: TableProfile, steps: { edge: FkEdge; from: number }[]): JoinTree {
  const used = new Set<string>();
  const rootJoined: Joined = { profile: root, alias: makeAlias(root.name, used), vias: [] };
  const nodes: Joined[] = [rootJoined];
  let from = `${tbl(root)} ${rootJoined.alias}`;
  for (const step of steps) {
    const start = nodes[step.from];
    const node: Joined = { profile: step.edge.parent, alias: makeAlias(step.edge.via, used), vias: [...start.vias, step.edge.via] };
    from += ` JOIN ${tbl(step.edge.parent)} ${node.alias} ON ${joinOn(step.edge, start.alias, node.alias)}`;
    nodes.push(node);
  }
  return { root: rootJoined, joined: nodes.slice(1), from };
}

/** Equality predicates on a joined table, described by the role chain ("airline's country's dafif code"). */
function joinedPredicates(ctx: Ctx, node: Joined, selective = false): Predicate[] {
  return equalityPredicates(ctx, node.profile, { alias: node.alias, words: (c) => possessive(node.vias, humanizeColumn(c.name)), selective });
}

function edgesFrom(ctx: Ctx, child: TableProfile): FkEdge[] {
  return ctx.edges.filter((e) => e.child === child && e.parent !== child);
}

/** Three-join trees: a path of three hops, a two-hop path plus another key of the first table, or three keys of one table. */
function listThreeJoinTrees(ctx: Ctx): JoinTree[] {
  const trees: JoinTree[] = [];
  for (const [a, b] of listPaths(ctx)) {
    for (const c of edgesFrom(ctx, b.parent)) {
      if (c.parent !== a.child && c.parent !== a.parent) trees.push(buildTree(a.child, [{ edge: a, from: 0 }, { edge: b, from: 1 }, { edge: c, from: 2 }]));
    }
    for (const c of edgesFrom(ctx, a.child)) {
      if (c !== a) trees.push(buildTree(a.child, [{ edge: a, from: 0 }, { edge: b, from: 1 }, { edge: c, from: 0 }]));
    }
  }
  for (const child of ctx.profiles) {
    const own = edgesFrom(ctx, child);
    for (let i = 0; i + 2 < own.length; i++) trees.push(buildTree(child, [{ edge: own[i], from: 0 }, { edge: own[i + 1], from: 0 }, { edge: own[i + 2], from: 0 }]));
  }
  return trees;
}

/** Pairs of edges of one table into the same parent table (routes → source / destination airport). */
function listParallelEdges(ctx: Ctx): [FkEdge, FkEdge][] {
  const out: [FkEdge, FkEdge][] = [];
  for (const child of ctx.profiles) {
    const own = edgesFrom(ctx, child);
    for (let i = 0; i < own.length; i++) {
      for (let j = i + 1; j < own.length; j++) if (own[i].parent === own[j].parent) out.push([own[i], own[j]]);
    }
  }
  return out;
}

function labelAlias(vias: string[], label: string): string {
  return quoteIdent(`${vias.join(" ")} ${label}`.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, ""));
}

export const joinBuilders = {
  join_filter: (ctx, rng) =>
    ctx.crossEdges.map((e) => {
      const tree = buildTree(e.child, [{ edge: e, from: 0 }]);
      const [parent] = tree.joined;
      const shown = e.child.label;
      const outputs = shown ? (["count", "list"] as const) : (["count"] as const);
      const options = pairs(equalityPredicates(ctx, e.parent, { alias: parent.alias, selective: true }), outputs);
      return choose(rng, options).map(([pred, output]) => {
        const select = output === "list" && shown ? col(shown.name, tree.root.alias) : "count(*)";
        return draft("join_filter", `SELECT ${select} FROM ${tree.from} WHERE ${pred.sql}`, {
          entity: e.child.entity,
          parent: e.parent.entity,
          via: e.via,
          label: output === "list" && shown ? labelWords(shown) : undefined,
          groupColumn: pred.words.column,
          value: pred.words.value,
          literals: pred.literals,
        });
      });
    }),

  join_group_count: (ctx, rng) =>
    ctx.crossEdges.map((e) => {
      const label = e.parent.label;
      if (!label) return [];
      const tree = buildTree(e.child, [{ edge: e, from: 0 }]);
      const [parent] = tree.joined;
      const filters: (Predicate | null)[] = [null, null, ...choose(rng, equalityPredicates(ctx, e.child, { alias: tree.root.alias }), 2)];
      return choose(rng, filters).map((f) => {
        const k = rng.pick([3, 5, 10]);
        const n = countAlias(e.child);
        const l = col(label.name, parent.alias);
        return draft("join_group_count", `SELECT ${l}, count(*) AS ${n} FROM ${tree.from}${f ? ` WHERE ${f.sql}` : ""} GROUP BY ${l} ORDER BY ${n} DESC, ${l} ASC LIMIT ${k}`, {
          entity: e.child.entity,
          parent: e.parent.entity,
          via: e.via,
          label: labelWords(label),
          k,
          conditions: f ? [f.words] : undefined,
          literals: [String(k), ...(f ? f.literals : [])],
        });
      });
    }),

  join_group_aggregate: (ctx, rng) =>
    ctx.crossEdges.map((e) => {
      const tree = buildTree(e.child, [{ edge: e, from: 0 }]);
      const [parent] = tree.joined;
      const groups = bestCategories(e.parent).length > 0 ? bestCategories(e.parent) : e.parent.label ? [e.parent.label] : [];
      const options = pairs(groups, e.child.measures).flatMap(([g, m]) => aggregatesFor(m).map((agg) => ({ g, m, agg })));
      return choose(rng, options).map(({ g, m, agg }) => {
        const gc = col(g.name, parent.alias);
        return draft(
          "join_group_aggregate",
          `SELECT ${gc}, ${agg}(${col(m.name, tree.root.alias)}) AS ${quoteIdent(`${agg}_${stem(m.name)}`)} FROM ${tree.from} WHERE ${gc} IS NOT NULL GROUP BY ${gc}`,
          { entity: e.child.entity, parent: e.parent.entity, via: e.via, groupColumn: humanizeColumn(g.name), column: humanizeColumn(m.name), agg, literals: [] },
        );
      });
    }),

  join_chain: (ctx, rng) =>
    ctx.profiles.map((child) => {
      const own = ctx.crossEdges.filter((e) => e.child === child && e.parent.label);
      const options = own.flatMap((first) =>
        own.filter((second) => second !== first).flatMap((second) => {
          const tree = buildTree(child, [{ edge: first, from: 0 }, { edge: second, from: 0 }]);
          return equalityPredicates(ctx, first.parent, { alias: tree.joined[0].alias, selective: true }).map((pred) => ({ first, second, tree, pred }));
        }),
      );
      return choose(rng, options).map(({ first, second, tree, pred }) => {
        const [a, b] = tree.joined;
        const la = first.parent.label!;
        const lb = second.parent.label!;
        const select = `${col(la.name, a.alias)} AS ${labelAlias([first.via], la.name)}, ${col(lb.name, b.alias)} AS ${labelAlias([second.via], lb.name)}`;
        return draft("join_chain", `SELECT ${select} FROM ${tree.from} WHERE ${pred.sql}`, {
          entity: child.entity,
          parent: first.parent.entity,
          via: first.via,
          label: labelWords(la),
          other: second.parent.entity,
          otherVia: second.via,
          otherLabel: labelWords(lb),
          groupColumn: pred.words.column,
          value: pred.words.value,
          literals: pred.literals,
        });
      });
    }),

  join_path: (ctx, rng) =>
    listPaths(ctx).map(([first, second]) => {
      const tree = buildTree(first.child, [{ edge: first, from: 0 }, { edge: second, from: 1 }]);
      const far = tree.joined[1];
      const counts = joinedPredicates(ctx, far).map((pred) => ({ pred, label: undefined }));
      const label = labelOrKey(second.parent);
      const grouped = label ? [{ pred: undefined, label }] : [];
      return [...choose(rng, counts, 2), ...grouped].map(({ pred, label: l }) => {
        if (pred) {
          return draft("join_path", `SELECT count(*) FROM ${tree.from} WHERE ${pred.sql}`, { entity: first.child.entity, conditions: [pred.words], literals: pred.literals });
        }
        const k = rng.pick([3, 5, 10]);
        const n = countAlias(first.child);
        const lc = col(l!.name, far.alias);
        return draft("join_path", `SELECT ${lc}, count(*) AS ${n} FROM ${tree.from} GROUP BY ${lc} ORDER BY ${n} DESC, ${lc} ASC LIMIT ${k}`, {
          entity: first.child.entity,
          label: possessive(far.vias, labelWords(l!)),
          k,
          literals: [String(k)],
        });
      });
    }),

  join_three: (ctx, rng) =>
    listThreeJoinTrees(ctx).map((tree) => {
      // One condition on the farthest table, and when possible a second on another joined table.
      const [far, ...others] = [...tree.joined].sort((a, b) => b.vias.length - a.vias.length);
      const farPreds = choose(rng, joinedPredicates(ctx, far), 3);
      // A table off the far table's own path makes its join matter too.
      const offPath = others.filter((o) => !o.vias.every((v, i) => far.vias[i] === v));
      const offPathPreds = offPath.flatMap((o) => joinedPredicates(ctx, o));
      const otherPreds = choose(rng, offPathPreds.length > 0 ? offPathPreds : others.flatMap((o) => joinedPredicates(ctx, o)), 3);
      const options = farPreds.flatMap((a, i) => [[a, otherPreds[i]].filter((p): p is Predicate => p !== undefined)]);
      return options.map((preds) => {
        const conditions: QuestionCondition[] = preds.map((p) => p.words);
        return draft("join_three", `SELECT count(*) FROM ${tree.from} WHERE ${preds.map((p) => p.sql).join(" AND ")}`, {
          entity: tree.root.profile.entity,
          conditions,
          literals: preds.flatMap((p) => p.literals),
        });
      });
    }),

  join_self: (ctx, rng) => {
    const units: ReturnType<ShapeBuilder> = [];
    // Two keys into the same table: compare the two joined rows, or list both for a filtered first one.
    for (const [a, b] of listParallelEdges(ctx)) {
      const tree = buildTree(a.child, [{ edge: a, from: 0 }, { edge: b, from: 0 }]);
      const [x, y] = tree.joined;
      const compares = choose(rng, pairs(bestCategories(a.parent), ["same", "different"] as const), 2).map(([c, compare]) =>
        draft("join_self", `SELECT count(*) FROM ${tree.from} WHERE ${col(c.name, x.alias)} ${compare === "same" ? "=" : "<>"} ${col(c.name, y.alias)}`, {
          entity: a.child.entity,
          via: a.via,
          otherVia: b.via,
          groupColumn: humanizeColumn(c.name),
          compare,
          literals: [],
        }),
      );
      const label = a.parent.label;
      const lists = label
        ? choose(rng, joinedPredicates(ctx, x, true), 1).map((pred) =>
            draft(
              "join_self",
              `SELECT ${col(label.name, x.alias)} AS ${labelAlias([a.via], label.name)}, ${col(label.name, y.alias)} AS ${labelAlias([b.via], label.name)} FROM ${tree.from} WHERE ${pred.sql}`,
              {
                entity: a.child.entity,
                via: a.via,
                otherVia: b.via,
                label: labelWords(label),
                conditions: [pred.words],
                literals: pred.literals,
              },
            ),
          )
        : [];
      units.push([...compares, ...lists]);
    }
    // A key into its own table (parent category, mentor): list rows with their related row, or compare them.
    for (const e of ctx.edges.filter((x) => x.child === x.parent)) {
      const label = e.child.label;
      if (!label) continue;
      const used = new Set<string>();
      const c = makeAlias(e.child.name, used);
      const p = makeAlias(e.via, used);
      const from = `${tbl(e.child)} ${c} JOIN ${tbl(e.parent)} ${p} ON ${joinOn(e, c, p)}`;
      const filters = [...bestCategories(e.parent), label].flatMap((fc) => textSamples(ctx, e.parent.name, fc.name).slice(0, 4).map((v) => ({ fc, v })));
      const lists = choose(rng, filters, 2).map(({ fc, v }) =>
        draft(
          "join_self",
          `SELECT ${col(label.name, c)}, ${col(label.name, p)} AS ${labelAlias([e.via], label.name)} FROM ${from} WHERE ${col(fc.name, p)} = ${sqlLiteral(v)}`,
          { entity: e.child.entity, via: e.via, label: labelWords(label), groupColumn: humanizeColumn(fc.name), value: v, literals: [v] },
        ),
      );
      const compares = choose(rng, bestCategories(e.child), 1).map((cat) =>
        draft("join_self", `SELECT count(*) FROM ${from} WHERE ${col(cat.name, c)} = ${col(cat.name, p)}`, {
          entity: e.child.entity,
          via: e.via,
          groupColumn: humanizeColumn(cat.name),
          compare: "same",
          literals: [],
        }),
      );
      units.push([...lists, ...compares]);
    }
    return units;
  },

  join_anti: (ctx, rng) =>
    ctx.crossEdges.map((e) => {
      const used = new Set<string>();
      const p = makeAlias(e.parent.name, used);
      const c = makeAlias(e.child.name, used);
      const from = `${tbl(e.parent)} ${p} LEFT JOIN ${tbl(e.child)} ${c} ON ${joinOn(e, c, p)} WHERE ${col(e.fk.columns[0], c)} IS NULL`;
      const shown = labelOrKey(e.parent);
      const outputs = choose(rng, shown ? (["list", "count"] as const) : (["count"] as const), 1);
      return outputs.map((output) =>
        draft("join_anti", `SELECT ${output === "list" && shown ? col(shown.name, p) : "count(*)"} FROM ${from}`, {
          entity: e.parent.entity,
          parent: e.child.entity,
          via: e.via,
          label: output === "list" && shown ? labelWords(shown) : undefined,
          literals: [],
        }),
      );
    }),
} satisfies Partial<Record<QueryShape, ShapeBuilder>>;
