import { describe, expect, it } from "vitest";
import { splitTrainTest, type SplitItem } from "@/lib/datasets/split";

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
