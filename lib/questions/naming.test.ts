import { describe, expect, it } from "vitest";
import { humanizeColumn, humanizeTable, pluralize, singularize } from "@/lib/questions/naming";

describe("naming", () => {
  it("turns column names into words", () => {
    expect(humanizeColumn("source_airport_id")).toBe("source airport");
    expect(humanizeColumn("airlineId")).toBe("airline");
    expect(humanizeColumn("id")).toBe("id");
    expect(humanizeColumn("iata")).toBe("iata");
    expect(humanizeTable("route_stops")).toBe("route stops");
  });

  it("singularizes and pluralizes the last word", () => {
    expect(singularize("countries")).toBe("country");
    expect(singularize("airlines")).toBe("airline");
    expect(singularize("addresses")).toBe("address");
    expect(singularize("status")).toBe("status");
    expect(pluralize("airports")).toBe("airports");
    expect(pluralize("airport")).toBe("airports");
    expect(pluralize("country")).toBe("countries");
    expect(pluralize("route stop")).toBe("route stops");
  });
});
