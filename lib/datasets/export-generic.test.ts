import { describe, expect, it } from "vitest";
import {
  GENERIC_COLUMNS,
  neutralizeCsvCell,
  parseCsv,
  parseGenericCsv,
  parseGenericJsonl,
  toGenericCsv,
  toGenericJsonlLines,
  validateGenericRows,
  type GenericRow,
} from "@/lib/datasets/export-generic";

const rows: GenericRow[] = [
  {
    id: "p1",
    split: "train",
    question: "How many airports?",
    sql: "SELECT count(*) AS n FROM airports",
    result: { columns: ["n"], rows: [[42]] },
    complexity: "simple",
    shape: "count",
    tables: ["airports"],
    origin: "template",
  },
  {
    id: "p2",
    split: "validation",
    question: 'Names with a "quote", a comma\nand a newline?',
    sql: "-- names\nSELECT name FROM airports WHERE name LIKE '%,%'",
    result: { columns: ["name", "alt"], rows: [["O'Hare, \"big\"", null], ["=cmd|' /C calc'!A0", 1.5]] },
    complexity: "moderate",
    shape: "filter",
    tables: ["airports"],
    origin: "review",
  },
  {
    id: "p3",
    split: "test",
    question: "=HYPERLINK(\"http://evil\")",
    sql: "+SELECT 1",
    result: { columns: [], rows: [] },
    complexity: "complex",
    shape: "join",
    tables: ["airlines", "routes"],
    origin: "llm",
  },
  {
    id: "p4",
    split: "heldout",
    question: "@sum(1) and 'quoted' text",
    sql: "SELECT 1 AS \"a\r\nb\"",
    result: { columns: ["a\r\nb"], rows: [[true]] },
    complexity: "simple",
    shape: "scalar",
    tables: [],
    origin: "import",
  },
  {
    id: "p5",
    split: "train",
    question: "'-already guarded?",
    sql: "\tSELECT 2",
    result: { columns: ["x"], rows: [[{ nested: [1, "two"] }]] },
    complexity: "simple",
    shape: "scalar",
    tables: ["t"],
    origin: "template",
  },
];

describe("generic JSONL", () => {
  it("writes one object per item with the documented fields and round-trips", () => {
    const lines = toGenericJsonlLines(rows);
    expect(lines).toHaveLength(rows.length);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(["id", "split", "question", "sql", "result", "complexity", "shape", "tables", "origin"]);
    expect(parseGenericJsonl(lines.join("\n") + "\n")).toEqual(rows);
  });
});

describe("generic CSV", () => {
  const csv = toGenericCsv(rows);

  it("writes a header and RFC 4180 records separated by CRLF", () => {
    expect(csv.startsWith(GENERIC_COLUMNS.join(",") + "\r\n")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    const records = parseCsv(csv);
    expect(records).toHaveLength(rows.length + 1);
    expect(records.every((r) => r.length === GENERIC_COLUMNS.length)).toBe(true);
    // Quotes are doubled inside a quoted field.
    expect(csv).toContain('"Names with a ""quote"", a comma\nand a newline?"');
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    const records = parseCsv(csv);
    const p3 = records[3];
    expect(p3[2]).toBe("'=HYPERLINK(\"http://evil\")");
    expect(p3[3]).toBe("'+SELECT 1");
    expect(records[2][3].startsWith("'--")).toBe(true);
    expect(records[4][2]).toBe("'@sum(1) and 'quoted' text");
    expect(records[5][3]).toBe("'\tSELECT 2");
    // A leading apostrophe is doubled, so reading back is unambiguous.
    expect(records[5][2]).toBe("''-already guarded?");
    for (const record of records) for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(neutralizeCsvCell("SELECT 1")).toBe("SELECT 1");
    expect(neutralizeCsvCell("-1")).toBe("'-1");
  });

  it("keeps the result and tables as JSON text", () => {
    const records = parseCsv(csv);
    expect(JSON.parse(records[1][4])).toEqual({ columns: ["n"], rows: [[42]] });
    expect(JSON.parse(records[3][7])).toEqual(["airlines", "routes"]);
  });

  it("round-trips every id, split, question, SQL, result and field", () => {
    expect(parseGenericCsv(csv)).toEqual(rows);
  });

  it("parses quoted fields, empty fields and a last record without a line break", () => {
    expect(parseCsv('a,"b,c",\r\n"x""y",,"z\nw"')).toEqual([
      ["a", "b,c", ""],
      ['x"y', "", "z\nw"],
    ]);
    expect(() => parseCsv('"open')).toThrow(/inside a quoted field/);
    expect(() => parseGenericCsv("a,b\r\n")).toThrow(/header/);
  });
});

describe("validateGenericRows", () => {
  it("accepts the rows and reports empty files and broken items with record numbers", () => {
    expect(validateGenericRows(rows)).toEqual([]);
    expect(validateGenericRows([])).toEqual([{ line: 0, message: "the file has no items" }]);
    const broken: GenericRow[] = [rows[0], { ...rows[0], question: " " }, { ...rows[0], sql: "" }, { ...rows[0], result: { columns: ["a", "b"], rows: [[1]] } }, { ...rows[0], id: "" }];
    expect(validateGenericRows(broken)).toEqual([
      { line: 2, message: "the question is empty" },
      { line: 3, message: "the SQL is empty" },
      { line: 4, message: "a result row does not have 2 values" },
      { line: 5, message: "the item has no id" },
    ]);
  });
});
