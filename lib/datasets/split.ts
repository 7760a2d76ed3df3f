// Train / validation / test split of a dataset version, with an optional held-out set. Pairs sharing
// a structural template (templateHash) always land in the same split, so validation and test measure
// generalisation to unseen query structures rather than recall of a template seen in training.

export interface SplitItem {
  id: string;
  templateHash: string;
  complexity: string;
  shape: string;
  /** Goes to the held-out split, and so does every pair sharing its template. */
  heldOut?: boolean;
}

export interface SplitOptions {
  /** Share of items for the test split, 0 < f < 1. */
  testFraction: number;
  /** Share of items for the validation split, 0 ≤ f < 1 (default 0: no validation split). */
  validationFraction?: number;
  seed: number;
}

export const SPLITS = ["train", "validation", "test", "heldout"] as const;
export type SplitName = (typeof SPLITS)[number];
export type SplitSide = "train" | "test";

interface Group {
  hash: string;
  ids: string[];
  complexity: string;
  shape: string;
  heldOut: boolean;
}

type PoolSide = "train" | "validation" | "test";

/**
 * Assigns every item to a split. Templates with a held-out member go to "heldout" whole; the rest
 * is split by template groups, stratified by complexity (targets per complexity by largest
 * remainder, for test and validation) with shapes taken in turn inside each complexity, so each
 * shape's share approaches the target too. Deterministic for a seed whatever the input order.
 * Outside the held-out set: with two or more groups train and test are both non-empty; with a
 * validation share and three or more groups, validation is non-empty; one group is all train.
 */
export function splitDataset(items: readonly SplitItem[], opts: SplitOptions): Map<string, SplitName> {
  const testFraction = opts.testFraction;
  const validationFraction = opts.validationFraction ?? 0;
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new RangeError(`validationFraction must be at least 0 and below 1, got ${validationFraction}`);
  if (testFraction + validationFraction >= 1) throw new RangeError("testFraction and validationFraction together must leave something for training");

  const random = mulberry32(opts.seed);
  const groups = buildGroups(items);
  const side = new Map<Group, PoolSide>();
  const pool = groups.filter((g) => !g.heldOut);
  const poolSize = sum(pool.map((g) => g.ids.length));

  const strata = new Map<string, Group[]>();
  for (const group of pool) {
    const list = strata.get(group.complexity);
    if (list) list.push(group);
    else strata.set(group.complexity, [group]);
  }
  const names = [...strata.keys()].sort();
  const sizes = names.map((name) => sum(strata.get(name)!.map((g) => g.ids.length)));
  const testTargets = largestRemainder(
    sizes.map((s) => s * testFraction),
    Math.round(poolSize * testFraction),
  );
  const validationTargets = largestRemainder(
    sizes.map((s) => s * validationFraction),
    Math.round(poolSize * validationFraction),
  );

  names.forEach((name, index) => {
    const ordered = interleaveByShape(strata.get(name)!, random);
    const rest = fill(ordered, testTargets[index], (g) => side.set(g, "test"));
    const left = fill(rest, validationTargets[index], (g) => side.set(g, "validation"));
    for (const g of left) side.set(g, "train");
  });

  balance(pool, side, validationFraction > 0, random);

  const assignment = new Map<string, SplitName>();
  for (const group of groups) {
    const name: SplitName = group.heldOut ? "heldout" : side.get(group)!;
    for (const id of group.ids) assignment.set(id, name);
  }
  return assignment;
}

/** The two-way split (no validation, no held-out set), as earlier versions were frozen. */
export function splitTrainTest(items: readonly SplitItem[], opts: { testFraction: number; seed: number }): Map<string, SplitSide> {
  const out = splitDataset(
    items.map((i) => ({ ...i, heldOut: false })),
    { testFraction: opts.testFraction ?? 0.2, seed: opts.seed },
  );
  return out as Map<string, SplitSide>;
}

/** Takes groups in order while taking lands closer to the target than leaving; returns the rest. */
function fill(ordered: Group[], target: number, take: (g: Group) => void): Group[] {
  const rest: Group[] = [];
  let taken = 0;
  for (const group of ordered) {
    if (taken < target && Math.abs(taken + group.ids.length - target) <= Math.abs(taken - target)) {
      take(group);
      taken += group.ids.length;
    } else {
      rest.push(group);
    }
  }
  return rest;
}

/** Makes sure no side a split promises is empty, moving the smallest groups. */
function balance(pool: Group[], side: Map<Group, PoolSide>, wantValidation: boolean, random: () => number): void {
  if (pool.length < 2) {
    for (const g of pool) side.set(g, "train");
    return;
  }
  const bySize = shuffle([...pool], random).sort((a, b) => a.ids.length - b.ids.length);
  const count = (s: PoolSide) => pool.filter((g) => side.get(g) === s).length;
  const move = (to: PoolSide, from: PoolSide[]) => {
    for (const source of from) {
      if (count(source) < 2) continue;
      const group = bySize.find((g) => side.get(g) === source);
      if (group) {
        side.set(group, to);
        return;
      }
    }
  };
  if (count("test") === 0) move("test", ["train", "validation"]);
  if (count("train") === 0) move("train", ["validation", "test"]);
  if (wantValidation && pool.length >= 3 && count("validation") === 0) move("validation", ["train", "test"]);
  if (!wantValidation) for (const g of pool) if (side.get(g) === "validation") side.set(g, "train");
}

function buildGroups(items: readonly SplitItem[]): Group[] {
  const byHash = new Map<string, SplitItem[]>();
  for (const item of items) {
    const list = byHash.get(item.templateHash);
    if (list) list.push(item);
    else byHash.set(item.templateHash, [item]);
  }
  // Sorted so the result depends on the seed and the items, never on their order.
  return [...byHash.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hash, members]) => ({
      hash,
      ids: members.map((m) => m.id).sort(),
      complexity: mostCommon(members.map((m) => m.complexity)),
      shape: mostCommon(members.map((m) => m.shape)),
      heldOut: members.some((m) => m.heldOut === true),
    }));
}

/** Shuffled groups, taking shapes in turn so every split sees as many shapes as possible. */
function interleaveByShape(groups: Group[], random: () => number): Group[] {
  const byShape = new Map<string, Group[]>();
  for (const group of shuffle([...groups], random)) {
    const list = byShape.get(group.shape);
    if (list) list.push(group);
    else byShape.set(group.shape, [group]);
  }
  const queues = shuffle([...byShape.keys()].sort(), random).map((shape) => byShape.get(shape)!);
  const out: Group[] = [];
  while (out.length < groups.length) {
    for (const queue of queues) {
      const next = queue.shift();
      if (next) out.push(next);
    }
  }
  return out;
}

/** Integer parts summing to total, distributed by largest fractional remainder. */
function largestRemainder(shares: number[], total: number): number[] {
  const floors = shares.map(Math.floor);
  let left = total - sum(floors);
  const order = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  return floors;
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** Small seeded PRNG: the same seed gives the same split on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
