import { describe, expect, it } from "vitest";
import { canonicalResultHash } from "@/lib/sql/canonical";

describe("canonicalResultHash", () => {
  it("ignores row order for bags but not for ordered results", () => {
    const a = [[1, "x"], [2, "y"]];
    const b = [[2, "y"], [1, "x"]];
    expect(canonicalResultHash(a, false)).toBe(canonicalResultHash(b, false));
    expect(canonicalResultHash(a, true)).not.toBe(canonicalResultHash(b, true));
    expect(canonicalResultHash(a, true)).not.toBe(canonicalResultHash(a, false));
  });

  it("treats float noise, -0 and 0 alike, and keeps real differences", () => {
    expect(canonicalResultHash([[0.1 + 0.2]], false)).toBe(canonicalResultHash([[0.3]], false));
    expect(canonicalResultHash([[-0]], false)).toBe(canonicalResultHash([[0]], false));
    expect(canonicalResultHash([[0.3]], false)).not.toBe(canonicalResultHash([[0.31]], false));
    expect(canonicalResultHash([["1"]], false)).not.toBe(canonicalResultHash([[1]], false));
    expect(canonicalResultHash([[null]], false)).not.toBe(canonicalResultHash([], false));
  });

  it("counts duplicates: a bag with a repeated row differs from one without", () => {
    expect(canonicalResultHash([[1], [1]], false)).not.toBe(canonicalResultHash([[1]], false));
  });
});
