import { describe, expect, it } from "vitest";
import { classifyExecutionError, ERROR_CLASSES, errorClassReason, hallucinatedName, isErrorClass } from "@/lib/evaluation/error-class";

// Messages as DuckDB 1.x words them (copied from real failures).
const MESSAGES = {
  missingTable: 'Catalog Error: Table with name flightz does not exist!\nDid you mean "flights"?\n\nLINE 1: SELECT * FROM flightz\n                      ^',
  missingSchema: 'Catalog Error: Table with name "nosuch.flights" does not exist because schema "nosuch" does not exist.\n\nLINE 1: SELECT * FROM nosuch.flights',
  missingCatalog: 'Binder Error: Catalog "nocat" does not exist!',
  spacedTable: 'Catalog Error: Table with name Weird Table does not exist!\nDid you mean "pg_tables"?',
  unknownQualifier: 'Binder Error: Referenced table "x" not found!\nCandidate tables: "f"\n\nLINE 1: SELECT x.id FROM flights f',
  missingColumn: 'Binder Error: Referenced column "depdelay" not found in FROM clause!\nCandidate bindings: "dep_delay", "id"\n\nLINE 1: SELECT depdelay FROM flights',
  quotedColumn: 'Binder Error: Referenced column "Origin Code" not found in FROM clause!\nCandidate bindings: "origin", "id"',
  noFrom: 'Binder Error: Referenced column "x" was not found because the FROM clause is missing',
  qualifiedColumn: 'Binder Error: Table "f" does not have a column named "delay"\n\nCandidate bindings: : "id"\n\nLINE 1: SELECT f.delay FROM flights f',
  valuesColumn: 'Binder Error: Values list "v" does not have a column named "c"\n\nLINE 1: SELECT * FROM (VALUES (1,2)) v(a,b) WHERE v.c = 1',
  usingColumn: 'Binder Error: Column "code" does not exist on left side of join!',
  structKey: 'Binder Error: Could not find key "b" in struct\n\nCandidate Entries: "a"',
  syntax: 'Parser Error: syntax error at or near "flights"\n\nLINE 1: SELECT * FORM flights',
  syntaxEnd: "Parser Error: syntax error at end of input",
  unknownFunction: 'Catalog Error: Scalar Function with name median_x does not exist!\nDid you mean "median"?',
  unknownTableFunction: 'Catalog Error: Table Function with name nosuch_fn does not exist!\nDid you mean "json_each"?',
  typeMismatch: "Binder Error: No function matches the given name and argument types 'sum(VARCHAR)'. You might need to add explicit type casts.",
  grouping: 'Binder Error: column "id" must appear in the GROUP BY clause or must be part of an aggregate function.',
  conversion: "Conversion Error: Could not convert string 'SFO' to INT32 when casting from source column origin",
  overflow: "Out of Range Error: Overflow in addition of INT32 (2147483647 + 1)!",
  orderBy: 'Binder Error: Could not ORDER BY column "memory.main.flights.origin": add the expression/function to every SELECT, or move the UNION into a FROM clause.',
};

describe("classifyExecutionError", () => {
  it("classifies a missing table, schema or catalog as unknown_table", () => {
    expect(classifyExecutionError("binder", MESSAGES.missingTable)).toBe("unknown_table");
    expect(classifyExecutionError("binder", MESSAGES.missingSchema)).toBe("unknown_table");
    expect(classifyExecutionError("binder", MESSAGES.missingCatalog)).toBe("unknown_table");
    expect(classifyExecutionError("binder", MESSAGES.spacedTable)).toBe("unknown_table");
    expect(classifyExecutionError("binder", MESSAGES.unknownQualifier)).toBe("unknown_table");
  });

  it("classifies a missing column, qualified or not, as unknown_column", () => {
    for (const message of [MESSAGES.missingColumn, MESSAGES.quotedColumn, MESSAGES.noFrom, MESSAGES.qualifiedColumn, MESSAGES.valuesColumn, MESSAGES.usingColumn, MESSAGES.structKey]) {
      expect(classifyExecutionError("binder", message)).toBe("unknown_column");
    }
  });

  it("classifies parser errors as syntax, by kind or by message", () => {
    expect(classifyExecutionError("syntax", MESSAGES.syntax)).toBe("syntax");
    expect(classifyExecutionError("syntax", "anything")).toBe("syntax");
    expect(classifyExecutionError("runtime", MESSAGES.syntaxEnd)).toBe("syntax");
  });

  it("keeps unknown functions, type mismatches, grouping and conversion errors as runtime", () => {
    expect(classifyExecutionError("binder", MESSAGES.unknownFunction)).toBe("runtime");
    expect(classifyExecutionError("binder", MESSAGES.unknownTableFunction)).toBe("runtime");
    expect(classifyExecutionError("binder", MESSAGES.typeMismatch)).toBe("runtime");
    expect(classifyExecutionError("binder", MESSAGES.grouping)).toBe("runtime");
    expect(classifyExecutionError("binder", MESSAGES.orderBy)).toBe("runtime");
    expect(classifyExecutionError("runtime", MESSAGES.conversion)).toBe("runtime");
    expect(classifyExecutionError("runtime", MESSAGES.overflow)).toBe("runtime");
  });

  it("maps timeout and refusal by kind, whatever the message says", () => {
    expect(classifyExecutionError("timeout", "The query ran longer than 5 s and was stopped.")).toBe("timeout");
    expect(classifyExecutionError("refused", "Only a single read-only query starting with SELECT or WITH can run here")).toBe("refused");
    expect(classifyExecutionError("refused", MESSAGES.missingTable)).toBe("refused");
  });

  it("treats memory and row-limit failures as runtime", () => {
    expect(classifyExecutionError("memory", "Out of Memory Error: failed to allocate")).toBe("runtime");
    expect(classifyExecutionError("too_many_rows", "The result has more than 5000 rows")).toBe("runtime");
  });

  it("recognises other engines' wordings", () => {
    expect(classifyExecutionError("runtime", 'relation "orderz" does not exist')).toBe("unknown_table");
    expect(classifyExecutionError("runtime", "no such table: orderz")).toBe("unknown_table");
    expect(classifyExecutionError("runtime", "Table 'shop.orderz' doesn't exist")).toBe("unknown_table");
    expect(classifyExecutionError("runtime", 'column "totl" does not exist')).toBe("unknown_column");
    expect(classifyExecutionError("runtime", "no such column: totl")).toBe("unknown_column");
    expect(classifyExecutionError("runtime", "Unknown column 'totl' in 'field list'")).toBe("unknown_column");
  });
});

describe("hallucinatedName", () => {
  it("returns the invented table as written, schema included", () => {
    expect(hallucinatedName(MESSAGES.missingTable)).toBe("flightz");
    expect(hallucinatedName(MESSAGES.missingSchema)).toBe("nosuch.flights");
    expect(hallucinatedName(MESSAGES.missingCatalog)).toBe("nocat");
    expect(hallucinatedName(MESSAGES.spacedTable)).toBe("Weird Table");
    expect(hallucinatedName(MESSAGES.unknownQualifier)).toBe("x");
  });

  it("returns the invented column without its qualifier", () => {
    expect(hallucinatedName(MESSAGES.missingColumn)).toBe("depdelay");
    expect(hallucinatedName(MESSAGES.quotedColumn)).toBe("Origin Code");
    expect(hallucinatedName(MESSAGES.noFrom)).toBe("x");
    expect(hallucinatedName(MESSAGES.qualifiedColumn)).toBe("delay");
    expect(hallucinatedName(MESSAGES.valuesColumn)).toBe("c");
    expect(hallucinatedName(MESSAGES.usingColumn)).toBe("code");
  });

  it("keeps a quote inside a name, as DuckDB prints it unescaped", () => {
    expect(hallucinatedName('Binder Error: Referenced column "we"ird" not found in FROM clause!')).toBe('we"ird');
  });

  it("returns null when the message names no missing table or column", () => {
    expect(hallucinatedName(MESSAGES.syntax)).toBeNull();
    expect(hallucinatedName(MESSAGES.unknownFunction)).toBeNull();
    expect(hallucinatedName(MESSAGES.grouping)).toBeNull();
    expect(hallucinatedName(MESSAGES.conversion)).toBeNull();
  });
});

describe("errorClassReason", () => {
  it("has a sentence for every class", () => {
    for (const cls of ERROR_CLASSES) {
      expect(errorClassReason(cls)).toMatch(/^[A-Z].+\.$/);
    }
    expect(errorClassReason("unknown_table")).toMatch(/table/);
  });

  it("isErrorClass accepts only the listed classes", () => {
    expect(isErrorClass("unknown_column")).toBe(true);
    expect(isErrorClass("mismatch")).toBe(false);
    expect(isErrorClass(null)).toBe(false);
  });
});
