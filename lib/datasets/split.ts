// Train/test split of a dataset version. Pairs sharing a structural template (templateHash) always
// land on the same side, so the test split measures generalisation to unseen query structures
// rather than recall of a template seen in training.

export interface SplitItem {
  id: string;
  templateHash: string;
  complexity: string;
  shape: string;
}

export interface SplitOptions {
  /** Share of items for the test split, 0 < f < 1. Default 0.2. */
  testFraction: number;
  seed: number;
}

export type SplitSide = "train" | "test";

interface Group {
  hash: string;
  ids: string[];
  complexity: string;
  shape: string;
}

/**
 * Assigns every item to train or test: grouped by templateHash, stratified by complexity (targets
 * per complexity by largest remainder) with shapes interleaved inside each stratum, deterministic
 * for a seed whatever the input order. With two or more groups both sides get at least one group;
 * with a single group everything is train.
 */
export function splitTrainTest(items: readonly SplitItem[], opts: SplitOptions): Map<string, SplitSide> {
  const testFraction = opts.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  const random = mulberry32(opts.seed);
  const groups = buildGroups(items);
  const assignment = new Map<string, SplitSide>();
  const testGroups = new Set<Group>();

  const strata = new Map<string, Group[]>();
  for (const group of groups) {
    const list = strata.get(group.complexity);
    if (list) list.push(group);
    else strata.set(group.complexity, [group]);
  }
  const strataNames = [...strata.keys()].sort();
  const sizes = strataNames.map((name) => sum(strata.get(name)!.map((g) => g.ids.length)));
  const targets = largestRemainder(
    sizes.map((size) => size * testFraction),
    Math.round(items.length * testFraction),
  );

  strataNames.forEach((name, index) => {
    const ordered = interleaveByShape(strata.get(name)!, random);
    let taken = 0;
    const target = targets[index];
    for (const group of ordered) {
      if (taken >= target) break;
      // Take a group when doing so lands closer to the target than leaving it.
      if (Math.abs(taken + group.ids.length - target) <= Math.abs(taken - target)) {
        testGroups.add(group);
        taken += group.ids.length;
      }
    }
  });

  if (groups.length >= 2) {
    const ordered = shuffle([...groups], random).sort((a, b) => a.ids.length - b.ids.length);
    if (testGroups.size === 0) testGroups.add(ordered[0]);
    if (testGroups.size === groups.length) testGroups.delete(ordered[0]);
  } else {
    testGroups.clear();
  }

  for (const group of groups) {
    const side: SplitSide = testGroups.has(group) ? "test" : "train";
    for (const id of group.ids) assignment.set(id, side);
  }
  return assignment;
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
    }));
}

/** Shuffled groups, taking shapes in turn so the test side sees as many shapes as possible. */
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
