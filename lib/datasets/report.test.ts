import { describe, expect, it } from "vitest";
import { splitReport, tablesOf, type ReportItem } from "@/lib/datasets/report";

const items: ReportItem[] = [
  { split: "train", complexity: "simple", shape: "filter", templateHash: "a", features: JSON.stringify({ tables: ["airports"] }) },
  { split: "train", complexity: "simple", shape: "filter", templateHash: "a", features: JSON.stringify({ tables: ["airports"] }) },
  { split: "train", complexity: "complex", shape: "join", templateHash: "b", features: { tables: ["airports", "routes"] } },
  { split: "validation", complexity: "moderate", shape: "aggregate", templateHash: "c", features: "{}" },
  { split: "test", complexity: "complex", shape: "join", templateHash: "d", features: { tables: ["routes", "airlines"] } },
  { split: "heldout", complexity: "simple", shape: "filter", templateHash: "e", features: "not json" },
];

describe("splitReport", () => {
  const report = splitReport(items);

  it("counts items per split", () => {
    expect(report.totals).toEqual({ train: 3, validation: 1, test: 1, heldout: 1 });
    expect(report.splits).toEqual(["train", "validation", "test", "heldout"]);
  });

  it("counts per split × complexity, in complexity order", () => {
    expect(report.byComplexity.map((r) => r.key)).toEqual(["simple", "moderate", "complex"]);
    expect(report.byComplexity[0].counts).toEqual({ train: 2, validation: 0, test: 0, heldout: 1 });
    expect(report.byComplexity[2]).toMatchObject({ key: "complex", total: 2, counts: { train: 1, test: 1 } });
  });

  it("counts per split × shape and × table (from the features), largest first", () => {
    expect(report.byShape[0]).toMatchObject({ key: "filter", total: 3 });
    expect(report.byTable.map((r) => [r.key, r.total])).toEqual([
      ["airports", 3],
      ["routes", 2],
      ["airlines", 1],
    ]);
    expect(report.byTable.find((r) => r.key === "routes")!.counts).toEqual({ train: 1, validation: 0, test: 1, heldout: 0 });
  });

  it("counts templates per split and those shared between splits", () => {
    expect(report.templates).toEqual({ train: 2, validation: 1, test: 1, heldout: 1 });
    expect(report.sharedTemplates).toBe(0);
    const leaky = splitReport([...items, { split: "test", complexity: "simple", shape: "filter", templateHash: "a" }]);
    expect(leaky.sharedTemplates).toBe(1);
  });

  it("leaves out splits with no items", () => {
    expect(splitReport(items.filter((i) => i.split === "train" || i.split === "test")).splits).toEqual(["train", "test"]);
  });

  it("reads tables from stored JSON or an object, ignoring junk", () => {
    expect(tablesOf('{"tables":["a","a","b"]}')).toEqual(["a", "b"]);
    expect(tablesOf({ tables: [1, "x"] })).toEqual(["x"]);
    expect(tablesOf("{")).toEqual([]);
    expect(tablesOf(null)).toEqual([]);
  });
});
