import { describe, expect, it } from "vitest";
import { inferSemanticType } from "@/lib/schema/semantic";

describe("inferSemanticType", () => {
  it.each([
    ["airlines", "airline_id", "BIGINT", "id"],
    ["routes", "source_airport_id", "BIGINT", "id"],
    ["users", "id", "INTEGER", "id"],
    ["users", "customerId", "VARCHAR", "id"],
    ["orders", "external_ref", "UUID", "id"],
    ["airlines", "name", "VARCHAR", "name"],
    ["countries", "name", "VARCHAR", "country"],
    ["airports", "iata", "VARCHAR(3)", "code"],
    ["airlines", "icao", "VARCHAR", "code"],
    ["countries", "iso_code", "VARCHAR(2)", "code"],
    ["airports", "country", "VARCHAR", "country"],
    ["airports", "city", "VARCHAR", "city"],
    ["customers", "email", "VARCHAR", "email"],
    ["customers", "contact_email_address", "VARCHAR", "email"],
    ["airports", "latitude", "DOUBLE", "latitude"],
    ["airports", "lng", "DOUBLE", "longitude"],
    ["airports", "longitude", "DECIMAL(9,6)", "longitude"],
    ["orders", "order_date", "DATE", "date"],
    ["orders", "created_at", "TIMESTAMP", "timestamp"],
    ["orders", "shipped", "TIMESTAMP WITH TIME ZONE", "timestamp"],
    ["users", "is_active", "BOOLEAN", "boolean"],
    ["products", "unit_price", "DECIMAL(10,2)", "money"],
    ["orders", "total_amount", "DOUBLE", "money"],
    ["orders", "shipping_cost", "INTEGER", "money"],
    ["orders", "status", "VARCHAR", "category"],
    ["airports", "dst", "VARCHAR(1)", "category"],
    ["orders", "priority", "VARCHAR(10)", "category"],
    ["orders", "mood", "ENUM('a', 'b')", "category"],
    ["routes", "stops", "INTEGER", "number"],
    ["airports", "altitude", "BIGINT", "number"],
    ["reviews", "description", "VARCHAR", "text"],
    ["routes", "equipment", "VARCHAR", "text"],
    ["blobs", "payload", "BLOB", "other"],
  ] as const)("%s.%s %s → %s", (table, column, type, expected) => {
    expect(inferSemanticType(table, column, type)).toBe(expected);
  });

  it("lets the declared type win over the name", () => {
    expect(inferSemanticType("t", "country", "BOOLEAN")).toBe("boolean");
    expect(inferSemanticType("t", "price_date", "DATE")).toBe("date");
    expect(inferSemanticType("t", "city", "INTEGER")).toBe("number");
  });
});
