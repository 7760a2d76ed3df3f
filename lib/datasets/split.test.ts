import { describe, expect, it } from "vitest";
import { splitDataset, splitTrainTest, type SplitItem, type SplitName } from "@/lib/datasets/split";

const COMPLEXITIES = ["simple", "moderate", "complex", "highly complex"];
const SHAPES = ["filter", "aggregate", "join", "top-k", "window"];

/** 200 items in templates of 1–4 items. */
function makeItems(count = 200): SplitItem[] {
  const items: SplitItem[] = [];
  let template = 0;
  while (items.length < count) {
    const size = (template % 4) + 1;
    for (let k = 0; k < size && items.length < count; k++) {
      items.push({
        id: `pair-${items.length}`,
        templateHash: `t${template}`,
        complexity: COMPLEXITIES[template % COMPLEXITIES.length],
        shape: SHAPES[(template * 7) % SHAPES.length],
      });
    }
    template++;
  }
  return items;
}

describe("splitTrainTest", () => {
  const items = makeItems();

  it("assigns every item", () => {
    const split = splitTrainTest(items, { testFraction: 0.2, seed: 1 });
    expect(split.size).toBe(items.length);
  });

  it("never puts one template on both sides", () => {
    for (const seed of [1, 2, 3, 42]) {
      const split = splitTrainTest(items, { testFraction: 0.2, seed });
      const sides = new Map<string, Set<string>>();
      for (const item of items) {
        const set = sides.get(item.templateHash) ?? new Set<string>();
        set.add(split.get(item.id)!);
        sides.set(item.templateHash, set);
      }
      for (const set of sides.values()) expect(set.size).toBe(1);
    }
  });

  it("keeps the test fraction within tolerance on 200 items", () => {
    for (const seed of [1, 7, 99]) {
      const split = splitTrainTest(items, { testFraction: 0.2, seed });
      const test = [...split.values()].filter((s) => s === "test").length;
      expect(test / items.length).toBeGreaterThanOrEqual(0.17);
      expect(test / items.length).toBeLessThanOrEqual(0.23);
    }
  });

  it("stratifies by complexity", () => {
    const split = splitTrainTest(items, { testFraction: 0.25, seed: 5 });
    for (const complexity of COMPLEXITIES) {
      const members = items.filter((i) => i.complexity === complexity);
      const test = members.filter((i) => split.get(i.id) === "test").length;
      expect(test / members.length).toBeGreaterThan(0.1);
      expect(test / members.length).toBeLessThan(0.4);
    }
  });

  it("is deterministic for a seed and independent of input order", () => {
    const a = splitTrainTest(items, { testFraction: 0.2, seed: 11 });
    const b = splitTrainTest([...items].reverse(), { testFraction: 0.2, seed: 11 });
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
  });

  it("changes with the seed", () => {
    const a = splitTrainTest(items, { testFraction: 0.2, seed: 1 });
    const b = splitTrainTest(items, { testFraction: 0.2, seed: 2 });
    expect([...a.entries()].sort()).not.toEqual([...b.entries()].sort());
  });

  it("puts at least one item on each side when there are two groups", () => {
    const two: SplitItem[] = [
      { id: "a", templateHash: "x", complexity: "simple", shape: "filter" },
      { id: "b", templateHash: "x", complexity: "simple", shape: "filter" },
      { id: "c", templateHash: "y", complexity: "simple", shape: "filter" },
    ];
    for (const testFraction of [0.01, 0.2, 0.99]) {
      const split = splitTrainTest(two, { testFraction, seed: 3 });
      const sides = new Set(split.values());
      expect(sides).toEqual(new Set(["train", "test"]));
      expect(split.get("a")).toBe(split.get("b"));
    }
  });

  it("keeps a single template entirely in train", () => {
    const one: SplitItem[] = [
      { id: "a", templateHash: "x", complexity: "simple", shape: "filter" },
      { id: "b", templateHash: "x", complexity: "simple", shape: "filter" },
    ];
    expect([...splitTrainTest(one, { testFraction: 0.5, seed: 1 }).values()]).toEqual(["train", "train"]);
  });

  it("rejects an impossible fraction", () => {
    expect(() => splitTrainTest(items, { testFraction: 1, seed: 1 })).toThrow(RangeError);
    expect(() => splitTrainTest(items, { testFraction: 0, seed: 1 })).toThrow(RangeError);
  });

  it("returns an empty map for no items", () => {
    expect(splitTrainTest([], { testFraction: 0.2, seed: 1 }).size).toBe(0);
  });
});

/** A seeded random input: 30–300 items in templates of 1–5, four complexities, six shapes, shuffled. */
function randomItems(seed: number): SplitItem[] {
  let a = seed * 7919 + 1;
  const next = () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  const count = 30 + Math.floor(next() * 270);
  const items: SplitItem[] = [];
  for (let template = 0; items.length < count; template++) {
    const size = 1 + Math.floor(next() * 5);
    const complexity = COMPLEXITIES[Math.floor(next() * COMPLEXITIES.length)];
    const shape = ["filter", "aggregate", "join", "top-k", "window", "cte"][Math.floor(next() * 6)];
    for (let k = 0; k < size && items.length < count; k++) items.push({ id: `s${seed}-p${items.length}`, templateHash: `t${template}`, complexity, shape });
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function splitsOfTemplates(items: SplitItem[], split: Map<string, SplitName>): Map<string, Set<SplitName>> {
  const sides = new Map<string, Set<SplitName>>();
  for (const item of items) sides.set(item.templateHash, (sides.get(item.templateHash) ?? new Set()).add(split.get(item.id)!));
  return sides;
}

describe("splitDataset", () => {
  it("across 50 seeds and random inputs, never puts a template in two splits", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const items = randomItems(seed);
      const split = splitDataset(items, { testFraction: 0.2, validationFraction: 0.1, seed });
      expect(split.size).toBe(items.length);
      for (const sides of splitsOfTemplates(items, split).values()) expect(sides.size).toBe(1);
    }
  });

  it("keeps each complexity's test share within one group + 5% of the target (50 seeds)", () => {
    const misses: string[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const items = randomItems(seed);
      const split = splitDataset(items, { testFraction: 0.25, validationFraction: 0.1, seed });
      for (const complexity of COMPLEXITIES) {
        const members = items.filter((i) => i.complexity === complexity);
        if (members.length === 0) continue;
        const groupSizes = new Map<string, number>();
        for (const m of members) groupSizes.set(m.templateHash, (groupSizes.get(m.templateHash) ?? 0) + 1);
        const largest = Math.max(...groupSizes.values());
        for (const [name, fraction] of [["test", 0.25], ["validation", 0.1]] as const) {
          const got = members.filter((i) => split.get(i.id) === name).length;
          const tolerance = largest + 0.05 * members.length;
          if (Math.abs(got - fraction * members.length) > tolerance) misses.push(`seed ${seed} ${complexity} ${name}: ${got} of ${members.length} (target ${fraction}, ±${tolerance})`);
        }
      }
    }
    expect(misses).toEqual([]);
  });

  it("is deterministic for a seed whatever the input order, with validation", () => {
    const items = randomItems(3);
    const a = splitDataset(items, { testFraction: 0.2, validationFraction: 0.15, seed: 9 });
    const b = splitDataset([...items].reverse(), { testFraction: 0.2, validationFraction: 0.15, seed: 9 });
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
  });

  it("leaves validation empty when its share is 0, and fills it when asked", () => {
    const items = randomItems(4);
    const none = splitDataset(items, { testFraction: 0.2, seed: 1 });
    expect([...none.values()].filter((s) => s === "validation")).toHaveLength(0);
    const some = splitDataset(items, { testFraction: 0.2, validationFraction: 0.1, seed: 1 });
    const validation = [...some.values()].filter((s) => s === "validation").length;
    expect(validation / items.length).toBeGreaterThan(0.05);
    expect(validation / items.length).toBeLessThan(0.15);
  });

  it("gives validation one group when there are three groups and a validation share", () => {
    const three: SplitItem[] = ["x", "y", "z"].map((t) => ({ id: t, templateHash: t, complexity: "simple", shape: "filter" }));
    const split = splitDataset(three, { testFraction: 0.05, validationFraction: 0.05, seed: 2 });
    expect(new Set(split.values())).toEqual(new Set(["train", "validation", "test"]));
  });

  it("sends held-out templates, with every pair sharing them, to heldout and keeps them out of the other splits", () => {
    const items = randomItems(5).map((i, k) => ({ ...i, heldOut: k % 17 === 0 }));
    const heldTemplates = new Set(items.filter((i) => i.heldOut).map((i) => i.templateHash));
    const split = splitDataset(items, { testFraction: 0.2, validationFraction: 0.1, seed: 5 });
    for (const item of items) expect(split.get(item.id) === "heldout").toBe(heldTemplates.has(item.templateHash));
    for (const sides of splitsOfTemplates(items, split).values()) expect(sides.size).toBe(1);
    expect([...split.values()].filter((s) => s === "test").length).toBeGreaterThan(0);
  });

  it("refuses shares that leave nothing to train on", () => {
    expect(() => splitDataset([], { testFraction: 0.6, validationFraction: 0.4, seed: 1 })).toThrow(RangeError);
    expect(() => splitDataset([], { testFraction: 0.2, validationFraction: -0.1, seed: 1 })).toThrow(RangeError);
  });
});
