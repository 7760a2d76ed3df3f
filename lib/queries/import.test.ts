import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { decodeQueryLog, describeNonQuery, MAX_LOG_BYTES, MAX_LOG_STATEMENTS, parseQueryLog } from "@/lib/queries/import";

const NOT_A_QUERY = ": only SELECT statements become labels";

describe("parseQueryLog: .sql scripts", () => {
  it("keeps SELECT statements with the line they start on and skips the rest with a reason", () => {
    const script = [
      "-- nightly report", // 1
      "/* a block", // 2
      "   comment */", // 3
      "SELECT name FROM airports;", // 4
      "INSERT INTO airports VALUES (1, 'x');", // 5
      "", // 6
      "WITH big AS (SELECT * FROM routes WHERE stops > 0)", // 7
      "SELECT count(*) FROM big;", // 8
      "CREATE TABLE t (a INT); SET threads = 1;", // 9
      "BEGIN; COMMIT;", // 10
      "(SELECT 1) UNION (SELECT 2);", // 11
      "FROM airports SELECT city;", // 12
      "-- only a comment; and another", // 13
    ].join("\n");
    const log = parseQueryLog(script, "queries.sql");
    expect(log.format).toBe("sql");
    expect(log.entries).toEqual([
      { line: 4, sql: "SELECT name FROM airports" },
      { line: 7, sql: "WITH big AS (SELECT * FROM routes WHERE stops > 0)\nSELECT count(*) FROM big" },
      { line: 11, sql: "(SELECT 1) UNION (SELECT 2)" },
      { line: 12, sql: "FROM airports SELECT city" },
    ]);
    expect(log.skipped.map((s) => [s.line, s.reason])).toEqual([
      [5, `INSERT is not a query${NOT_A_QUERY}`],
      [9, `CREATE is not a query${NOT_A_QUERY}`],
      [9, `SET is not a query${NOT_A_QUERY}`],
      [10, `BEGIN is not a query${NOT_A_QUERY}`],
      [10, `COMMIT is not a query${NOT_A_QUERY}`],
    ]);
    expect(log.skipped[0]!.text).toBe("INSERT INTO airports VALUES (1, 'x')");
  });

  it("does not split on semicolons inside literals, quoted names, dollar quotes or comments", () => {
    const script = "SELECT 'a;b' AS s, \"odd;name\" FROM t -- trailing; comment\n;\nSELECT $$x;y$$;\nSELECT 1 /* ; */ + 1;";
    expect(parseQueryLog(script, "x.sql").entries.map((e) => e.sql)).toEqual([
      "SELECT 'a;b' AS s, \"odd;name\" FROM t -- trailing; comment",
      "SELECT $$x;y$$",
      "SELECT 1 /* ; */ + 1",
    ]);
  });

  it("reports repeated queries as duplicates of the first line", () => {
    const log = parseQueryLog("SELECT 1;\nSELECT 2;\n  SELECT 1 ;;\n", "x.sql");
    expect(log.entries.map((e) => e.line)).toEqual([1, 2]);
    expect(log.skipped).toEqual([{ line: 3, reason: "duplicate of line 1", text: "SELECT 1" }]);
  });

  it("handles CRLF line endings and a BOM", () => {
    const log = parseQueryLog("\uFEFF-- x\r\nSELECT 1;\r\n\r\nSELECT 2\r\n", "x.sql");
    expect(log.entries).toEqual([
      { line: 2, sql: "SELECT 1" },
      { line: 4, sql: "SELECT 2" },
    ]);
  });
});

describe("describeNonQuery", () => {
  it("accepts SELECT, WITH … SELECT, parenthesised and FROM-first queries", () => {
    for (const sql of ["select 1", "  (  (SELECT 1))", "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n FROM t", "/* c */ -- d\nSELECT 1", "FROM t"]) {
      expect(describeNonQuery(sql), sql).toBeNull();
    }
  });

  it("names the statement it refuses", () => {
    const cases: [string, string][] = [
      ["update t set a = 1", "UPDATE"],
      ["DELETE FROM t", "DELETE"],
      ["DROP TABLE t", "DROP"],
      ["COPY t TO 'x.csv'", "COPY"],
      ["PRAGMA table_info('t')", "PRAGMA"],
      ["ATTACH 'x.db'", "ATTACH"],
      ["DESCRIBE t", "DESCRIBE"],
    ];
    for (const [sql, word] of cases) expect(describeNonQuery(sql)).toBe(`${word} is not a query${NOT_A_QUERY}`);
    expect(describeNonQuery("EXPLAIN SELECT 1")).toBe(`EXPLAIN is not a query${NOT_A_QUERY} (remove EXPLAIN to import the query it explains)`);
    expect(describeNonQuery("WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM x")).toBe(`WITH … INSERT is not a query${NOT_A_QUERY}`);
    expect(describeNonQuery("WITH x AS (SELECT 1) DELETE FROM t")).toBe(`WITH … DELETE is not a query${NOT_A_QUERY}`);
    expect(describeNonQuery("\\d airports")).toBe(`Not a SQL statement${NOT_A_QUERY}`);
    // A misspelt SELECT is left to the parser, which reports the syntax error.
    expect(describeNonQuery("SELEC name FROM airports")).toBeNull();
  });
});

describe("parseQueryLog: CSV", () => {
  it("reads quoted multi-line SQL with commas and doubled quotes, and the question column", () => {
    const csv = [
      "\uFEFFQuestion,SQL,author", // 1
      '"How many airports, per country?","SELECT country, count(*)', // 2
      'FROM airports', // 3
      'GROUP BY country",ana', // 4
      ',"SELECT name FROM airports WHERE city = ""Paris""",bo', // 5
      '"Unused question","INSERT INTO t VALUES (1)",cy', // 6
      '"Again?","SELECT name FROM airports WHERE city = ""Paris"";",di', // 7
      '"Empty",,ed', // 8
      '"two","SELECT 1; SELECT 2",fi', // 9
      "a,SELECT 3,b,c", // 10
    ].join("\r\n");
    const log = parseQueryLog(csv, "log.CSV");
    expect(log.format).toBe("csv");
    expect(log.entries).toEqual([
      { line: 2, sql: "SELECT country, count(*)\nFROM airports\nGROUP BY country", question: "How many airports, per country?" },
      { line: 5, sql: 'SELECT name FROM airports WHERE city = "Paris"' },
    ]);
    expect(log.skipped.map((s) => [s.line, s.reason])).toEqual([
      [6, `INSERT is not a query${NOT_A_QUERY}`],
      [7, "duplicate of line 5"],
      [8, "The sql field is empty"],
      [9, "The sql field holds 2 statements: put one query per row"],
      [10, 'The row has 4 fields but the header has 3: put SQL that contains commas in double quotes ("…")'],
    ]);
  });

  it("accepts nl and prompt as the question column, and tab-separated files", () => {
    expect(parseQueryLog("sql\tnl\nSELECT 1\tone\n", "log.tsv").entries).toEqual([{ line: 2, sql: "SELECT 1", question: "one" }]);
    expect(parseQueryLog("prompt,sql\nwhat,SELECT 2\n", "log.csv").entries).toEqual([{ line: 2, sql: "SELECT 2", question: "what" }]);
  });

  it("refuses a CSV file without a sql column, saying how to fix it", () => {
    expect(() => parseQueryLog("question,text\na,SELECT 1\n", "log.csv")).toThrow(/no "sql" column \(its first row is: question, text\)\. Start the file with a header row/);
    expect(() => parseQueryLog('sql\n"SELECT 1\n', "log.csv")).toThrow(ValidationError);
  });
});

describe("parseQueryLog: JSON Lines and JSON arrays", () => {
  it("reads one object per line and skips bad lines with their line number", () => {
    const jsonl = [
      '{"sql": "SELECT 1;", "question": "One?"}', // 1
      "", // 2
      '{"sql": "SELECT 2", "question": ""}', // 3
      '{"sql": "SELECT 3"', // 4
      '{"question": "no sql"}', // 5
      '"SELECT 4"', // 6
      '{"SQL": "DROP TABLE x"}', // 7
      '{"sql": 5}', // 8
    ].join("\n");
    const log = parseQueryLog(jsonl, "log.jsonl");
    expect(log.format).toBe("jsonl");
    expect(log.entries).toEqual([
      { line: 1, sql: "SELECT 1", question: "One?" },
      { line: 3, sql: "SELECT 2" },
    ]);
    expect(log.skipped.map((s) => s.line)).toEqual([4, 5, 6, 7, 8]);
    expect(log.skipped[0]!.reason).toMatch(/^Not valid JSON: /);
    expect(log.skipped[0]!.text).toBe('{"sql": "SELECT 3"');
    expect(log.skipped.slice(1).map((s) => s.reason)).toEqual([
      'No "sql" field',
      'Not a JSON object: each line must be an object with a "sql" field',
      `DROP is not a query${NOT_A_QUERY}`,
      'The "sql" field is not a string',
    ]);
  });

  it("reads a JSON array with the line each element starts on", () => {
    const json = '[\n  {"sql": "SELECT 1", "prompt": "one"},\n  {\n    "sql": "SELECT \\"a,]\\" FROM t",\n    "question": "a"\n  },\n  {"sql": "SELECT 1"}\n]\n';
    const log = parseQueryLog(json, "export.json");
    expect(log.entries).toEqual([
      { line: 2, sql: "SELECT 1", question: "one" },
      { line: 3, sql: 'SELECT "a,]" FROM t', question: "a" },
    ]);
    expect(log.skipped).toEqual([{ line: 7, reason: "duplicate of line 2", text: "SELECT 1" }]);
    expect(() => parseQueryLog('[{"sql": "SELECT 1"},', "export.json")).toThrow(/not valid JSON/);
  });

  it("reads a single pretty-printed object", () => {
    expect(parseQueryLog('\n{\n  "sql": "SELECT 1"\n}\n', "one.json").entries).toEqual([{ line: 2, sql: "SELECT 1" }]);
  });
});

describe("parseQueryLog: format sniffing", () => {
  it("falls back to the content when the extension says nothing", () => {
    expect(parseQueryLog('{"sql": "SELECT 1"}\n{"sql": "SELECT 2"}', "log.txt").format).toBe("jsonl");
    expect(parseQueryLog('[{"sql": "SELECT 1"}]', "log").format).toBe("jsonl");
    expect(parseQueryLog('"question","sql"\nq,SELECT 1', "history.log").format).toBe("csv");
    expect(parseQueryLog("SELECT 1;\nSELECT 2;", "history.log").format).toBe("sql");
  });
});

describe("parseQueryLog and decodeQueryLog: limits", () => {
  it("refuses empty, binary, oversized and overlong input with what to do", () => {
    expect(() => parseQueryLog("  \n ", "x.sql")).toThrow(/The file is empty/);
    expect(() => parseQueryLog("SELECT 1;\u0000\u0001", "x.sql")).toThrow(/binary data, not text/);
    expect(() => parseQueryLog("x".repeat(MAX_LOG_BYTES + 1), "x.sql")).toThrow(/a query log can be at most 20 MB\. Split it/);
    // Multi-byte characters count as bytes, not characters.
    expect(() => parseQueryLog("é".repeat(MAX_LOG_BYTES / 2 + 1), "x.sql")).toThrow(/at most 20 MB/);
    expect(() => parseQueryLog("SELECT 1;\n".repeat(MAX_LOG_STATEMENTS + 1), "x.sql")).toThrow(/holds 20,001 statements; at most 20,000/);
    expect(() => parseQueryLog(`SELECT 1;\nSELECT '${"x".repeat(100 * 1024)}';`, "x.sql")).toThrow(/query on line 2 is 101 KB; a query can be at most 100 KB/);
  });

  it("skips an overlong statement that is not a query instead of refusing the file", () => {
    const log = parseQueryLog(`INSERT INTO t VALUES ('${"x".repeat(100 * 1024)}');\nSELECT 1;`, "dump.sql");
    expect(log.entries).toEqual([{ line: 2, sql: "SELECT 1" }]);
    expect(log.skipped[0]!.text.length).toBeLessThanOrEqual(200);
  });

  it("decodes UTF-8 and refuses other encodings and binary files", () => {
    const encoder = new TextEncoder();
    expect(decodeQueryLog(encoder.encode("\uFEFFSELECT 'café'"))).toBe("SELECT 'café'");
    expect(() => decodeQueryLog(new Uint8Array([0x53, 0x45, 0xe9, 0x4c]))).toThrow(/not UTF-8 text\. Save it as UTF-8/);
    expect(() => decodeQueryLog(new Uint8Array([0xff, 0xfe, 0x53, 0x00]))).toThrow(/UTF-16/);
    expect(() => decodeQueryLog(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toThrow(/binary data/);
    expect(() => decodeQueryLog(new Uint8Array(MAX_LOG_BYTES + 1))).toThrow(/at most 20 MB/);
  });
});
