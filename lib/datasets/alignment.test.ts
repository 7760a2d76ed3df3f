import { describe, expect, it } from "vitest";
import { createEmptyFeatures, type QueryFeatures } from "@/lib/queries/features";
import {
  addTemplateNgrams,
  compareDistributions,
  compareWorkloads,
  countFeatureTokens,
  countTemplateNgrams,
  countWorkloads,
  describeFeatureToken,
  featureTokens,
  maxSmoothedKl,
  readStoredFeatures,
  selectAligned,
  templateTokens,
  type AlignmentQuery,
} from "@/lib/datasets/alignment";

const ln = Math.log;
const EPS = 1e-9;

function features(over: Partial<QueryFeatures>): QueryFeatures {
  return { ...createEmptyFeatures(), ...over };
}

/** A "list" query: SELECT name FROM airports ORDER BY name LIMIT 5 → join:0, order_by, limit. */
const LIST = features({ orderBy: true, limit: true });
/** A grouped count over one join → join:1, agg:count, group_by. */
const GROUPED = features({ joinCount: 1, aggregates: ["count"], groupBy: true });
/** The same with HAVING → join:1, agg:count, group_by, having. */
const GROUPED_HAVING = features({ joinCount: 1, aggregates: ["count"], groupBy: true, having: true });

function query(id: string, f: QueryFeatures, sql = "SELECT a FROM t"): AlignmentQuery {
  return { id, sql, features: f };
}

describe("featureTokens", () => {
  it("turns every structural feature into its documented token", () => {
    expect(featureTokens(createEmptyFeatures())).toEqual(["join:0"]);
    const all = features({
      joinCount: 5,
      selfJoin: true,
      aggregates: ["count", "SUM"],
      groupBy: true,
      having: true,
      orderBy: true,
      limit: true,
      distinct: true,
      selectStar: true,
      whereConditionCount: 2,
      maxSubqueryDepth: 4,
      setOperations: ["UNION ALL", "UNION ALL", "except"],
      cteCount: 2,
      recursiveCte: true,
      windowFunctions: 1,
      caseWhen: true,
      like: true,
      between: true,
      inList: true,
      dateFunctions: ["date_trunc"],
    });
    expect(featureTokens(all)).toEqual([
      "join:3+",
      "self_join",
      "agg:count",
      "agg:sum",
      "group_by",
      "having",
      "order_by",
      "limit",
      "distinct",
      "select_star",
      "where:2",
      "subquery_depth:3+",
      "set_op:UNION ALL",
      "set_op:EXCEPT",
      "cte",
      "recursive_cte",
      "window",
      "case",
      "like",
      "between",
      "in_list",
      "date_fn",
    ]);
    expect(featureTokens(features({ joinCount: 2, whereConditionCount: 7, maxSubqueryDepth: 1 }))).toEqual(["join:2", "where:3+", "subquery_depth:1"]);
  });

  it("describes tokens in words", () => {
    expect(["join:0", "join:3+", "agg:count", "set_op:UNION ALL", "subquery_depth:1", "group_by"].map(describeFeatureToken)).toEqual([
      "no join",
      "3+ joins",
      "COUNT()",
      "UNION ALL",
      "subquery",
      "GROUP BY",
    ]);
  });

  it("reads stored features, filling what an older payload lacks, and refuses an empty one", () => {
    expect(readStoredFeatures("{}")).toBeUndefined();
    expect(readStoredFeatures("not json")).toBeUndefined();
    expect(readStoredFeatures(null)).toBeUndefined();
    const read = readStoredFeatures(JSON.stringify({ joinCount: 2, groupBy: true }))!;
    expect(featureTokens(read)).toEqual(["join:2", "group_by"]);
  });
});

describe("templateTokens and n-grams", () => {
  it("keeps keywords, operators and function names, and replaces names and literals", () => {
    expect(templateTokens(`SELECT t.a, "b" FROM s.t;`)).toEqual(["SELECT", "ID", ",", "ID", "FROM", "ID"]);
    expect(templateTokens("select count(*) from t where x = 'a' and y > 2.5 -- note")).toEqual(["SELECT", "COUNT", "(", "*", ")", "FROM", "ID", "WHERE", "ID", "=", "LIT", "AND", "ID", ">", "LIT"]);
    expect(templateTokens("SELECT r.* FROM routes r WHERE active = TRUE")).toEqual(["SELECT", "*", "FROM", "ID", "ID", "WHERE", "ID", "=", "LIT"]);
  });

  it("keeps only n-grams with a keyword, no comma at either end and balanced brackets (counted by hand)", () => {
    // SELECT ID , ID FROM ID with n ≤ 3:
    //   from SELECT: "SELECT" ✓, "SELECT ID" ✓, "SELECT ID ," ✗ (ends with a comma)
    //   from ID: "ID", "ID ,", "ID , ID" ✗ (no keyword); from ",": ✗ (starts with a comma)
    //   from the second ID: "ID" ✗, "ID FROM" ✓, "ID FROM ID" ✓; from FROM: "FROM" ✓, "FROM ID" ✓
    const counts = new Map<string, number>();
    expect(addTemplateNgrams(["SELECT", "ID", ",", "ID", "FROM", "ID"], 3, counts)).toBe(6);
    expect([...counts.keys()].sort()).toEqual(["FROM", "FROM ID", "ID FROM", "ID FROM ID", "SELECT", "SELECT ID"]);

    // SELECT COUNT ( * ) FROM ID with n ≤ 3: COUNT is a function, not a keyword;
    //   "SELECT COUNT (" leaves a bracket open ✗, "* )" and ")" close one opened before ✗.
    const parens = new Map<string, number>();
    expect(addTemplateNgrams(["SELECT", "COUNT", "(", "*", ")", "FROM", "ID"], 3, parens)).toBe(4);
    expect([...parens.keys()].sort()).toEqual(["FROM", "FROM ID", "SELECT", "SELECT COUNT"]);
    // With n ≤ 5 the whole call fits. From SELECT: "SELECT", "SELECT COUNT", "SELECT COUNT ( * )"; from COUNT:
    // "COUNT ( * ) FROM"; from "(": "( * ) FROM", "( * ) FROM ID"; from FROM: "FROM", "FROM ID". Eight in all.
    const longer = new Map<string, number>();
    addTemplateNgrams(["SELECT", "COUNT", "(", "*", ")", "FROM", "ID"], 5, longer);
    expect(longer.has("SELECT COUNT ( * )")).toBe(true);
    expect(longer.has("COUNT ( * ) FROM")).toBe(true);
    expect(longer.has("( * ) FROM ID")).toBe(true);
    expect(longer.has("COUNT ( *")).toBe(false);
    expect(longer.size).toBe(8);
  });

  it("counts repeated n-grams across a workload and caps n at 15", () => {
    const counts = countTemplateNgrams(["SELECT a FROM t", "SELECT b FROM u"], 2);
    expect(Object.fromEntries(counts)).toEqual({ SELECT: 2, "SELECT ID": 2, "ID FROM": 2, FROM: 2, "FROM ID": 2 });
    const long = `SELECT ${Array.from({ length: 30 }, () => "a").join(" + ")} FROM t`;
    const capped = countTemplateNgrams([long], 99);
    expect(Math.max(...[...capped.keys()].map((k) => k.split(" ").length))).toBe(15);
  });
});

describe("alignment measures (hand-computed)", () => {
  it("example 1: counts {a:2,b:1,c:1} against {a:1,b:3}", () => {
    // Support S = {a,b,c}, m = 3, α = 0.5, N_P = N_Q = 4, Z = 4 + 1.5 = 5.5 on both sides.
    // P~ = (2.5, 1.5, 1.5)/5.5 = (5/11, 3/11, 3/11);  Q~ = (1.5, 3.5, 0.5)/5.5 = (3/11, 7/11, 1/11).
    // D = 5/11·ln(5/3) + 3/11·ln(3/7) + 3/11·ln(3) = 0.2321935 − 0.2310812 + 0.2996215 = 0.3007338
    // c: a = 4.5/5.5 = 9/11, b = 1/11, A = 9/11, B = 1/11;
    //    i≠j: 9/11·ln(9) + 1/11·ln(1/9) + 1·1/11·ln(1) = 8/11·ln 9 = 1.5979815;  i=j: 0.
    // A_KL = exp(−0.3007338/1.5979815) = 0.8284523
    // Unsmoothed: P = (1/2, 1/4, 1/4), Q = (1/4, 3/4, 0): overlap = 1/4 + 1/4 + 0 = 1/2; coverage = 1.
    const cmp = compareDistributions(
      new Map([
        ["a", 2],
        ["b", 1],
        ["c", 1],
      ]),
      new Map([
        ["a", 1],
        ["b", 3],
      ]),
    );
    const kl = (5 / 11) * ln(5 / 3) + (3 / 11) * ln(3 / 7) + (3 / 11) * ln(3);
    const c = (8 / 11) * ln(9);
    expect(cmp.support).toBe(3);
    expect(cmp.kl).toBeCloseTo(kl, 12);
    expect(Math.abs(cmp.kl - 0.3007338)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.c - c)).toBeLessThan(EPS);
    expect(Math.abs(cmp.c - 1.5979815)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.akl - Math.exp(-kl / c))).toBeLessThan(EPS);
    expect(Math.abs(cmp.akl - 0.8284523)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.overlap - 0.5)).toBeLessThan(EPS);
    expect(cmp.targetCoverage).toBeCloseTo(1, 12);
    // Over: a (1/2 vs 1/4) and c (1/4 vs 0), both +1/4, ties by key; under: b (1/4 vs 3/4), ratio P~/Q~ = 3/7.
    expect(cmp.over.map((r) => [r.key, r.diff])).toEqual([
      ["a", 0.25],
      ["c", 0.25],
    ]);
    expect(cmp.under.map((r) => r.key)).toEqual(["b"]);
    expect(Math.abs(cmp.under[0]!.diff + 0.5)).toBeLessThan(EPS);
    expect(Math.abs(cmp.under[0]!.ratio - 3 / 7)).toBeLessThan(EPS);
  });

  it("example 2: feature distributions of two tiny workloads", () => {
    // Train: LIST (join:0, order_by, limit) + GROUPED (join:1, agg:count, group_by): six tokens once each, N_P = 6.
    // Target: GROUPED + GROUPED_HAVING: join:1, agg:count, group_by twice, having once, N_Q = 7.
    // S = {agg:count, group_by, having, join:0, join:1, limit, order_by}, m = 7, Z_P = 9.5, Z_Q = 10.5.
    // P~: the six train tokens 1.5/9.5 = 3/19, having 0.5/9.5 = 1/19.
    // Q~: join:1, agg:count, group_by 2.5/10.5 = 5/21; having 1.5/10.5 = 3/21; join:0, limit, order_by 0.5/10.5 = 1/21.
    // D = 3·3/19·ln((3/19)/(5/21)) + 3·3/19·ln((3/19)/(1/21)) + 1/19·ln((1/19)/(3/21))
    //   = 9/19·ln(63/95) + 9/19·ln(63/19) + 1/19·ln(7/19) = −0.1945621 + 0.5678032 − 0.0525541 = 0.3206870
    // c (N_P = 6, N_Q = 7, m = 7): a = 6.5/9.5 = 13/19, b = 1/19, A = 7.5/10.5 = 5/7, B = 1/21;
    //   i≠j: 13/19·ln(273/19) + 1/19·ln(7/95) + 5/19·ln(21/19) = 1.8234435 − 0.1372614 + 0.0263378 = 1.7125199
    //   i=j: 13/19·ln(91/95) + 6/19·ln(21/19) = −0.0294329 + 0.0316053 = 0.0021724 (smaller)
    // A_KL = exp(−0.3206870/1.7125199) = 0.8292278
    // Unsmoothed P = 1/6 each of six, Q = 2/7 ×3, 1/7: overlap = 3·min(1/6, 2/7) = 1/2; coverage = 6/7.
    const counts = countWorkloads([query("t1", LIST), query("t2", GROUPED)], [query("u1", GROUPED), query("u2", GROUPED_HAVING)], 1);
    expect(Object.fromEntries(counts.train)).toEqual({ "join:0": 1, order_by: 1, limit: 1, "join:1": 1, "agg:count": 1, group_by: 1 });
    expect(Object.fromEntries(counts.target)).toEqual({ "join:1": 2, "agg:count": 2, group_by: 2, having: 1 });
    const { features: cmp } = compareWorkloads(counts);
    const kl = (9 / 19) * ln(63 / 95) + (9 / 19) * ln(63 / 19) + (1 / 19) * ln(7 / 19);
    const c = (13 / 19) * ln(273 / 19) + (1 / 19) * ln(7 / 95) + (5 / 19) * ln(21 / 19);
    expect(Math.abs(cmp.kl - kl)).toBeLessThan(EPS);
    expect(Math.abs(cmp.kl - 0.320687)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.c - c)).toBeLessThan(EPS);
    expect(Math.abs(cmp.c - 1.7125199)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.akl - Math.exp(-kl / c))).toBeLessThan(EPS);
    expect(Math.abs(cmp.akl - 0.8292278)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.overlap - 0.5)).toBeLessThan(EPS);
    expect(Math.abs(cmp.targetCoverage - 6 / 7)).toBeLessThan(EPS);
    expect(cmp.under[0]!.key).toBe("having");
    expect(cmp.over.map((r) => r.key)).toEqual(["join:0", "limit", "order_by"]);
  });

  it("example 3: unigram templates of three tiny queries", () => {
    // Train: SELECT a FROM t → kept unigrams {SELECT, FROM}. Target adds SELECT DISTINCT a FROM t:
    //   {SELECT: 2, FROM: 2, DISTINCT: 1}. m = 3, Z_P = 2 + 1.5 = 3.5, Z_Q = 5 + 1.5 = 6.5.
    // P~ = (3/7, 3/7, 1/7), Q~ = (5/13, 5/13, 3/13) for (SELECT, FROM, DISTINCT).
    // D = 6/7·ln(39/35) + 1/7·ln(13/21) = 0.0927545 − 0.0685104 = 0.0242441
    // c (N_P = 2, N_Q = 5, m = 3): a = 5/7, b = 1/7, A = 11/13, B = 1/13;
    //   i≠j: 5/7·ln(65/7) + 1/7·ln(13/77) + 1/7·ln(13/7) = 1.5917694 − 0.2541223 + 0.0884342 = 1.4260812
    // A_KL = exp(−0.0242441/1.4260812) = 0.9831432
    // overlap = min(1/2, 2/5)·2 + 0 = 4/5; coverage = 4/5.
    const counts = countWorkloads([query("t", LIST, "SELECT a FROM t")], [query("u1", LIST, "SELECT a FROM t"), query("u2", LIST, "SELECT DISTINCT a FROM t")], 1);
    expect(Object.fromEntries(counts.targetNgrams)).toEqual({ SELECT: 2, FROM: 2, DISTINCT: 1 });
    const { ngrams: cmp } = compareWorkloads(counts);
    const kl = (6 / 7) * ln(39 / 35) + (1 / 7) * ln(13 / 21);
    const c = (5 / 7) * ln(65 / 7) + (1 / 7) * ln(13 / 77) + (1 / 7) * ln(13 / 7);
    expect(Math.abs(cmp.kl - kl)).toBeLessThan(EPS);
    expect(Math.abs(cmp.kl - 0.0242441)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.c - c)).toBeLessThan(EPS);
    expect(Math.abs(cmp.c - 1.4260812)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.akl - Math.exp(-kl / c))).toBeLessThan(EPS);
    expect(Math.abs(cmp.akl - 0.9831432)).toBeLessThan(1e-6);
    expect(Math.abs(cmp.overlap - 0.8)).toBeLessThan(EPS);
    expect(Math.abs(cmp.targetCoverage - 0.8)).toBeLessThan(EPS);
  });

  it("example 4: identical workloads score 1, disjoint single-category ones reach the 1/e floor", () => {
    const same = compareDistributions(new Map([["x", 3], ["y", 1]]), new Map([["x", 3], ["y", 1]]));
    expect(same.kl).toBeLessThan(EPS);
    expect(Math.abs(same.akl - 1)).toBeLessThan(EPS);
    expect(Math.abs(same.overlap - 1)).toBeLessThan(EPS);
    // All of P on x, all of Q on y, N = 4 each, m = 2: P~ = (4.5, 0.5)/5, Q~ = (0.5, 4.5)/5.
    // D = 0.9·ln 9 + 0.1·ln(1/9) = 0.8·ln 9, which is exactly c: A_KL = 1/e, overlap 0.
    const worst = compareDistributions(new Map([["x", 4]]), new Map([["y", 4]]));
    expect(Math.abs(worst.kl - 0.8 * ln(9))).toBeLessThan(EPS);
    expect(Math.abs(worst.c - 0.8 * ln(9))).toBeLessThan(EPS);
    expect(Math.abs(worst.akl - 1 / Math.E)).toBeLessThan(EPS);
    expect(worst.overlap).toBe(0);
  });

  it("c bounds the KL of any counts with the same totals and support", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const m = 2 + Math.floor(random() * 6);
      const keys = Array.from({ length: m }, (_, i) => `k${i}`);
      const draw = (n: number) => {
        const counts = new Map(keys.map((k) => [k, 0]));
        for (let i = 0; i < n; i++) {
          const k = keys[Math.floor(random() ** 3 * m)]!;
          counts.set(k, counts.get(k)! + 1);
        }
        return counts;
      };
      const p = draw(1 + Math.floor(random() * 30));
      const q = draw(1 + Math.floor(random() * 30));
      // Zero counts stay in the support: compare over all m keys.
      const cmp = compareDistributions(p, q);
      expect(cmp.support).toBe(m);
      expect(cmp.kl).toBeLessThanOrEqual(maxSmoothedKl(cmp.trainTotal, cmp.targetTotal, m) + EPS);
      expect(cmp.akl).toBeGreaterThanOrEqual(1 / Math.E - EPS);
      expect(cmp.akl).toBeLessThanOrEqual(1);
    }
  });
});

describe("selectAligned", () => {
  // Train leans on list queries (15 of 20), the target on grouped counts (10 of 12).
  const train: AlignmentQuery[] = [
    ...Array.from({ length: 15 }, (_, i) => query(`list-${String(i).padStart(2, "0")}`, LIST, "SELECT a FROM t ORDER BY a LIMIT 5")),
    ...Array.from({ length: 3 }, (_, i) => query(`grp-${i}`, GROUPED, "SELECT a, COUNT(*) FROM t JOIN u ON t.k = u.k GROUP BY a")),
    ...Array.from({ length: 2 }, (_, i) => query(`hav-${i}`, GROUPED_HAVING, "SELECT a, COUNT(*) FROM t JOIN u ON t.k = u.k GROUP BY a HAVING COUNT(*) > 1")),
  ];
  const target: AlignmentQuery[] = [
    ...Array.from({ length: 6 }, (_, i) => query(`t-grp-${i}`, GROUPED, "SELECT b, COUNT(*) FROM v JOIN w ON v.k = w.k GROUP BY b")),
    ...Array.from({ length: 4 }, (_, i) => query(`t-hav-${i}`, GROUPED_HAVING, "SELECT b, COUNT(*) FROM v JOIN w ON v.k = w.k GROUP BY b HAVING COUNT(*) > 2")),
    ...Array.from({ length: 2 }, (_, i) => query(`t-list-${i}`, LIST, "SELECT b FROM v ORDER BY b LIMIT 10")),
  ];

  it("proposes a subset closer to the target than the whole train split", () => {
    const selection = selectAligned(train, target, { size: 6 });
    expect(selection.size).toBe(6);
    expect(selection.itemIds).toHaveLength(6);
    expect(new Set(selection.itemIds).size).toBe(6);
    expect(selection.itemIds.every((id) => train.some((t) => t.id === id))).toBe(true);
    expect(selection.after.featuresAkl).toBeGreaterThan(selection.before.featuresAkl);
    expect(selection.after.featuresOverlap).toBeGreaterThan(selection.before.featuresOverlap);
    expect(selection.after.ngramsOverlap).toBeGreaterThan(selection.before.ngramsOverlap);
    // The grouped items are all worth taking; the list items are the minority share of the target.
    const lists = selection.itemIds.filter((id) => id.startsWith("list-")).length;
    expect(lists).toBeGreaterThanOrEqual(1);
    expect(lists).toBeLessThanOrEqual(2);
    // Before: the whole train split, as compareWorkloads measures it.
    const whole = compareWorkloads(countWorkloads(train, target));
    expect(selection.before.featuresAkl).toBeCloseTo(whole.features.akl, 12);
    expect(selection.before.ngramsOverlap).toBeCloseTo(whole.ngrams.overlap, 12);
  });

  it("is deterministic and does not depend on input order", () => {
    const a = selectAligned(train, target, { size: 7 });
    const shuffled = [...train].reverse();
    shuffled.push(shuffled.splice(3, 1)[0]!);
    const b = selectAligned(shuffled, [...target].reverse(), { size: 7 });
    expect(b.itemIds).toEqual(a.itemIds);
    expect(b.after).toEqual(a.after);
    // Within a group of identical items the lowest id goes first.
    const firstList = a.itemIds.find((id) => id.startsWith("list-"));
    expect(firstList).toBe("list-00");
  });

  it("takes everything when asked for the whole split, and nothing for size 0", () => {
    const all = selectAligned(train, target, { size: 500 });
    expect(all.size).toBe(train.length);
    expect([...all.itemIds].sort()).toEqual(train.map((t) => t.id).sort());
    expect(all.after.featuresAkl).toBeCloseTo(all.before.featuresAkl, 12);
    expect(selectAligned(train, target, { size: 0 }).itemIds).toEqual([]);
  });

  it("counts feature tokens once per query", () => {
    expect(Object.fromEntries(countFeatureTokens([features({ aggregates: ["count", "count"] })]))).toEqual({ "join:0": 1, "agg:count": 1 });
  });
});
