import { describe, expect, it } from "vitest";
import { parseAllowedValues, parseEnumLabels, parseNumericBounds } from "@/lib/schema/checks";

describe("parseAllowedValues", () => {
  it("reads IN lists as DuckDB prints them", () => {
    expect(parseAllowedValues("(active IN ('Y', 'N'))", "active")).toEqual(["Y", "N"]);
    expect(parseAllowedValues(`("type" IN ('a''b', 'c'))`, "type")).toEqual(["a'b", "c"]);
    expect(parseAllowedValues("(level IN (1, 2, 3))", "level")).toEqual(["1", "2", "3"]);
  });
  it("reads equality and OR chains", () => {
    expect(parseAllowedValues("(codeshare = 'Y')", "codeshare")).toEqual(["Y"]);
    expect(parseAllowedValues("((s = 'a') OR (s = 'b'))", "s")).toEqual(["a", "b"]);
  });
  it("gives up on other shapes and other columns", () => {
    expect(parseAllowedValues("(stops >= 0)", "stops")).toBeUndefined();
    expect(parseAllowedValues("(other IN ('Y', 'N'))", "active")).toBeUndefined();
    expect(parseAllowedValues("(active IN ('Y', lower(x)))", "active")).toBeUndefined();
  });
});

describe("parseNumericBounds", () => {
  it("combines comparisons", () => {
    expect(parseNumericBounds(["(stops >= 0)"], "stops")).toEqual({ min: 0, minExclusive: false });
    expect(parseNumericBounds(["((price > 0) AND (price <= 100.5))"], "price")).toEqual({ min: 0, minExclusive: true, max: 100.5, maxExclusive: false });
    expect(parseNumericBounds(["(latitude BETWEEN -90 AND 90)"], "latitude")).toEqual({ min: -90, minExclusive: false, max: 90, maxExclusive: false });
    expect(parseNumericBounds(["(10 > qty)"], "qty")).toEqual({ max: 10, maxExclusive: true });
  });
  it("ignores other columns", () => {
    expect(parseNumericBounds(["(a < b)"], "a")).toEqual({});
  });
});

describe("parseEnumLabels", () => {
  it("reads inline enum types", () => {
    expect(parseEnumLabels("ENUM('happy', 'sad')")).toEqual(["happy", "sad"]);
    expect(parseEnumLabels("VARCHAR")).toBeUndefined();
  });
});
