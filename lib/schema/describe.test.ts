import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { parseCsv, parseDescribeExport, parseListValue } from "@/lib/schema/describe";

// The seed tutorial's SHOW ALL TABLES listing of the OpenFlights database, three ways.
const OPENFLIGHTS: [string, string[], string[]][] = [
  ["airlines", ["airline_id", "name", "alias", "iata", "icao", "callsign", "country", "active"], ["BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]],
  [
    "airports",
    ["airport_id", "name", "city", "country", "iata", "icao", "latitude", "longitude", "altitude", "timezone", "dst", "tz_db", "type", "source"],
    ["BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "DOUBLE", "BIGINT", "DOUBLE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"],
  ],
  ["countries", ["name", "iso_code", "dafif_code"], ["VARCHAR", "VARCHAR", "VARCHAR"]],
  ["planes", ["name", "iata", "icao"], ["VARCHAR", "VARCHAR", "VARCHAR"]],
  [
    "routes",
    ["airline", "airline_id", "source_airport", "source_airport_id", "destination_airport", "destination_airport_id", "codeshare", "stops", "equipment"],
    ["VARCHAR", "DOUBLE", "VARCHAR", "DOUBLE", "VARCHAR", "DOUBLE", "VARCHAR", "BIGINT", "VARCHAR"],
  ],
];

/** As DuckDB's COPY (SHOW ALL TABLES) TO 'x.csv' writes it. */
const DUCKDB_CSV = [
  "database,schema,name,column_names,column_types,temporary",
  ...OPENFLIGHTS.map(([t, names, types]) => `prod_openflights,main,${t},"[${names.join(", ")}]","[${types.join(", ")}]",false`),
].join("\n");

/** As pandas' DataFrame.to_csv writes the tutorial's result: NumPy arrays, wrapped at 75 characters. */
function numpyList(items: string[]): string {
  const lines: string[] = [];
  let current = "[";
  for (const [i, item] of items.entries()) {
    const token = `'${item}'${i === items.length - 1 ? "]" : ""}`;
    if (current.length + token.length + 1 > 75) {
      lines.push(current);
      current = " ";
    } else if (current !== "[") current += " ";
    current += token;
  }
  lines.push(current);
  return lines.join("\n");
}
const PANDAS_CSV = [
  ",database,schema,name,column_names,column_types,temporary",
  ...OPENFLIGHTS.map(([t, names, types], i) => `${i},prod_openflights,main,${t},"${numpyList(names)}","${numpyList(types)}",False`),
].join("\r\n");

const JSON_EXPORT = JSON.stringify(OPENFLIGHTS.map(([name, column_names, column_types]) => ({ database: "prod_openflights", schema: "main", name, column_names, column_types, temporary: false })));

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("parseDescribeExport: SHOW ALL TABLES listings", () => {
  for (const [label, text, format] of [
    ["DuckDB CSV", DUCKDB_CSV, "csv"],
    ["pandas CSV with NumPy lists", PANDAS_CSV, "auto"],
    ["JSON", JSON_EXPORT, "json"],
    ["newline-delimited JSON", JSON.parse(JSON_EXPORT).map((r: unknown) => JSON.stringify(r)).join("\n"), "auto"],
  ] as const) {
    it(`reads the OpenFlights listing from ${label}`, () => {
      const { model, warnings } = parseDescribeExport(text, format);
      expect(model.dialect).toBe("duckdb");
      expect(model.tables.map((t) => [t.name, t.columns.map((c) => c.name), t.columns.map((c) => c.type)])).toEqual(OPENFLIGHTS);
      for (const t of model.tables) {
        expect(t.primaryKey).toEqual([]);
        expect(t.foreignKeys).toEqual([]);
        expect(t.uniqueKeys).toEqual([]);
        for (const c of t.columns) expect(c).toMatchObject({ nullable: true, primaryKey: false, unique: false, checks: [], originalType: c.type });
      }
      expect(warnings.map((w) => w.message)).toEqual([
        "Foreign keys are not part of a DESCRIBE export: they will be inferred from column names and offered as suggestions to confirm.",
        "The export has no primary key for any table: mark the key columns in the schema editor so the sandbox keeps them unique.",
      ]);
    });
  }

  it("fills canonical and semantic types", () => {
    const { model } = parseDescribeExport(DUCKDB_CSV, "auto");
    const airports = model.tables[1]!;
    expect(airports.columns.find((c) => c.name === "latitude")).toMatchObject({ canonicalType: "float", semanticType: "latitude" });
    expect(airports.columns.find((c) => c.name === "airport_id")).toMatchObject({ canonicalType: "integer", semanticType: "id" });
    expect(airports.columns.find((c) => c.name === "city")).toMatchObject({ canonicalType: "text", semanticType: "city" });
  });

  it("names tables outside main as schema.table and keeps types with commas", () => {
    const csv = 'database,schema,name,column_names,column_types,temporary\nwh,sales,orders,"[order_id, total, tags, ""odd, name""]","[INTEGER, DECIMAL(10,2), VARCHAR[], VARCHAR]",false\n';
    const { model } = parseDescribeExport(csv, "csv");
    expect(model.tables[0]!.name).toBe("sales.orders");
    expect(model.tables[0]!.columns.map((c) => [c.name, c.type])).toEqual([
      ["order_id", "INTEGER"],
      ["total", "DECIMAL(10,2)"],
      ["tags", "VARCHAR[]"],
      ["odd, name", "VARCHAR"],
    ]);
  });

  it("refuses lists of different lengths, naming the table", () => {
    const csv = 'database,schema,name,column_names,column_types,temporary\ndb,main,routes,"[airline, airline_id, stops]","[VARCHAR, DOUBLE]",false\n';
    expect(rejection(() => parseDescribeExport(csv, "auto")).message).toBe(
      "Table routes lists 3 column names but 2 column types. Check that table's row in the export (a list may have been cut or wrapped), or export it again.",
    );
  });

  it("refuses a table listed twice", () => {
    const csv = 'name,column_names,column_types\nplanes,"[name]","[VARCHAR]"\nplanes,"[iata]","[VARCHAR]"\n';
    expect(rejection(() => parseDescribeExport(csv, "csv")).message).toMatch(/^Table planes appears twice/);
  });
});

describe("parseDescribeExport: one row per column", () => {
  it("reads table_name, column_name, column_type with null, key and default", () => {
    const csv = [
      "table_name,column_name,column_type,null,key,default,extra",
      "airlines,airline_id,BIGINT,NO,PRI,,",
      "airlines,name,VARCHAR,NO,,,",
      'airlines,active,VARCHAR,YES,,"\'Y\'",',
      "routes,route_id,INTEGER,NO,PRI,,",
      "routes,airline_id,BIGINT,YES,,,",
      "routes,code,VARCHAR,YES,UNI,,",
      "routes,fare,\"DECIMAL(8,2)\",YES,,,",
    ].join("\n");
    const { model, warnings } = parseDescribeExport(csv, "auto");
    expect(model.tables.map((t) => t.name)).toEqual(["airlines", "routes"]);
    const [airlines, routes] = model.tables;
    expect(airlines!.primaryKey).toEqual(["airline_id"]);
    expect(airlines!.columns[0]).toMatchObject({ name: "airline_id", type: "BIGINT", nullable: false, primaryKey: true });
    expect(airlines!.columns[2]).toMatchObject({ name: "active", nullable: true, defaultValue: "'Y'" });
    expect(routes!.columns.find((c) => c.name === "code")).toMatchObject({ unique: true });
    expect(routes!.columns.find((c) => c.name === "fare")).toMatchObject({ type: "DECIMAL(8,2)", canonicalType: "decimal", semanticType: "money" });
    expect(routes!.foreignKeys).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(["Foreign keys are not part of a DESCRIBE export: they will be inferred from column names and offered as suggestions to confirm."]);
  });

  it("reads a JSON array of column rows (information_schema style, tab-free)", () => {
    const json = JSON.stringify([
      { TABLE_NAME: "planes", COLUMN_NAME: "name", DATA_TYPE: "VARCHAR", IS_NULLABLE: "NO" },
      { TABLE_NAME: "planes", COLUMN_NAME: "iata", DATA_TYPE: "VARCHAR", IS_NULLABLE: "YES" },
    ]);
    const { model } = parseDescribeExport(json, "auto");
    expect(model.tables).toHaveLength(1);
    expect(model.tables[0]!.columns.map((c) => [c.name, c.nullable])).toEqual([
      ["name", false],
      ["iata", true],
    ]);
  });

  it("reads a tab-separated export", () => {
    const tsv = "table_name\tcolumn_name\tcolumn_type\nplanes\tname\tVARCHAR\nplanes\ticao\tVARCHAR\n";
    expect(parseDescribeExport(tsv, "csv").model.tables[0]!.columns.map((c) => c.name)).toEqual(["name", "icao"]);
  });

  it("asks for the table name when a single DESCRIBE is uploaded", () => {
    const csv = "column_name,column_type,null,key,default,extra\nairline_id,BIGINT,YES,,,\n";
    expect(rejection(() => parseDescribeExport(csv, "csv")).message).toMatch(/^The export lists columns but not the table they belong to\. Add a table_name column/);
  });
});

describe("parseDescribeExport: bad input", () => {
  it("refuses malformed CSV with the line", () => {
    expect(rejection(() => parseDescribeExport('name,column_names,column_types\nplanes,"[name, iata],[VARCHAR]\n', "csv")).message).toBe(
      "The CSV export has a quoted field opened on line 2 that is never closed. Check the quotes on that line, or export the file again.",
    );
    expect(rejection(() => parseDescribeExport("name,column_names,column_types\nplanes,[name, iata],[VARCHAR, VARCHAR]\n", "csv")).message).toMatch(
      /^Line 2 of the CSV export has 5 fields but the header has 3\. Quote fields that contain commas/,
    );
    expect(rejection(() => parseDescribeExport('name,column_names,column_types\nplanes,"[name]"x,"[VARCHAR]"\n', "csv")).message).toMatch(/text after a closing quote on line 2/);
  });

  it("refuses invalid JSON and JSON that is not a list of objects", () => {
    expect(rejection(() => parseDescribeExport('[{"name": "planes", ', "json")).message).toMatch(/^The JSON export is not valid JSON/);
    expect(rejection(() => parseDescribeExport("[1, 2]", "json")).message).toMatch(/^Item 1 of the JSON export is not an object/);
  });

  it("refuses an export with zero tables", () => {
    expect(rejection(() => parseDescribeExport("database,schema,name,column_names,column_types,temporary\n", "csv")).message).toMatch(/^The export has no rows, so the schema has no tables/);
    expect(rejection(() => parseDescribeExport("[]", "auto")).message).toMatch(/no tables/);
    expect(rejection(() => parseDescribeExport("   \n", "auto")).message).toMatch(/^The export is empty/);
  });

  it("refuses bytes that are not UTF-8", () => {
    const latin1 = Buffer.from("table_name,column_name,column_type\ncaf\xe9,nom,VARCHAR\n", "latin1");
    expect(rejection(() => parseDescribeExport(new Uint8Array(latin1), "csv")).message).toMatch(/^The export is not UTF-8 text/);
    expect(rejection(() => parseDescribeExport("table_name,column_name,column_type\ncaf\uFFFD,nom,VARCHAR\n", "csv")).message).toMatch(/^The export is not UTF-8 text/);
    const utf8 = new TextEncoder().encode("\uFEFFtable_name,column_name,column_type\ncafé,nom,VARCHAR\n");
    expect(parseDescribeExport(utf8, "csv").model.tables[0]!.name).toBe("café");
  });

  it("refuses an unrecognised layout, listing the columns it found", () => {
    expect(rejection(() => parseDescribeExport("a,b\n1,2\n", "csv")).message).toMatch(/^The export's columns \(a, b\) are not a DESCRIBE-style listing/);
  });
});

describe("parseListValue and parseCsv", () => {
  it("reads DuckDB, Python, NumPy and curly-quoted lists", () => {
    expect(parseListValue("[a, b, DECIMAL(10,2), STRUCT(x INTEGER, y VARCHAR)]")).toEqual(["a", "b", "DECIMAL(10,2)", "STRUCT(x INTEGER, y VARCHAR)"]);
    expect(parseListValue("['a', 'it''s', \"c\"]")).toEqual(["a", "it's", "c"]);
    expect(parseListValue("['a' 'b'\n 'c']")).toEqual(["a", "b", "c"]);
    expect(parseListValue("[\u2018stops\u2019 \u2018equipment']")).toEqual(["stops", "equipment"]);
    expect(parseListValue("[]")).toEqual([]);
  });

  it("keeps quoted delimiters, doubled quotes and newlines inside fields", () => {
    expect(parseCsv('a,b\n"x, y","say ""hi""\nthere"\n').map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"\nthere'],
    ]);
  });
});
