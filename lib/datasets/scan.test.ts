import { describe, expect, it } from "vitest";
import { isRedactable, jaccard, normalizeQuestion, scanItems, summarizeFindings, type ScanContext, type ScanItem } from "@/lib/datasets/scan";

const result = (rows: unknown[][] = [[1]], columns = ["n"]) => ({ columns, rows });
let seq = 0;
function item(over: Partial<ScanItem> = {}): ScanItem {
  seq++;
  return { id: `i${seq}`, question: `How many routes does airline number ${seq} fly?`, sql: `SELECT COUNT(*) FROM routes WHERE airline_id = ${seq}`, result: result([[seq]]), features: { tables: ["routes"] }, ...over };
}
// Enough train pairs that no size limit fires.
const filler = (n: number) => Array.from({ length: n }, () => item());
const ctx = (over: Partial<ScanContext> = {}): ScanContext => ({ sensitiveColumns: new Set(), ...over });
const itemFindings = (items: ScanItem[], c = ctx()) => scanItems(items, c).filter((f) => f.itemId !== null);

describe("scanItems: clean items", () => {
  it("finds nothing in clean pairs", () => {
    expect(scanItems(filler(120), ctx({ sensitiveColumns: new Set(["airlines.iata"]) }))).toEqual([]);
  });
});

describe("PII", () => {
  it("blocks an email in the question, redactable", () => {
    const planted = item({ question: "Which routes did jane@example.com book?" });
    const [f] = itemFindings([...filler(3), planted]);
    expect(f).toMatchObject({ itemId: planted.id, kind: "pii_email", severity: "blocking", detail: { field: "question", match: "jane@example.com", start: 17, end: 33 } });
    expect(f.message).toMatch(/Redact it in the question, exclude the pair, or waive/);
    expect(isRedactable(f)).toBe(true);
  });

  it("blocks a card in the question and an IBAN in a SQL literal, the latter not redactable", () => {
    const card = item({ question: "Bookings paid with 4111 1111 1111 1111?" });
    const iban = item({ sql: "SELECT COUNT(*) FROM payments WHERE iban = 'DE89 3704 0044 0532 0130 00'" });
    const found = itemFindings([card, iban]);
    expect(found.map((f) => [f.itemId, f.kind, f.detail.field])).toEqual([
      [card.id, "pii_card", "question"],
      [iban.id, "pii_iban", "sql"],
    ]);
    expect(iban.sql.slice(found[1].detail.start, found[1].detail.end)).toBe("DE89 3704 0044 0532 0130 00");
    expect(found[1].message).toMatch(/cannot be redacted: exclude the pair, or waive/);
    expect(isRedactable(found[1])).toBe(false);
  });

  it("ignores numbers outside SQL string literals and Luhn-invalid cards", () => {
    expect(itemFindings([item({ sql: "SELECT * FROM bookings WHERE id = 4111111111111111" }), item({ question: "Bookings with 4111 1111 1111 1112?" })])).toEqual([]);
  });
});

describe("sensitive columns", () => {
  const sensitive = new Set(["airlines.iata", "passengers.email"]);
  it("blocks SQL that reads or selects * from a sensitive column's table", () => {
    const reads = item({ sql: "SELECT name FROM airlines WHERE IATA = 'LH'", features: { tables: ["airlines"] } });
    const qualified = item({ sql: 'SELECT a."iata" FROM airlines a', features: { tables: ["airlines"] } });
    const star = item({ sql: "SELECT * FROM airlines", features: { tables: ["airlines"] } });
    const found = itemFindings([reads, qualified, star], ctx({ sensitiveColumns: sensitive }));
    expect(found.map((f) => [f.itemId, f.kind, f.severity, f.detail.column])).toEqual([
      [reads.id, "sensitive_column", "blocking", "airlines.iata"],
      [qualified.id, "sensitive_column", "blocking", "airlines.iata"],
      [star.id, "sensitive_column", "blocking", "airlines.iata"],
    ]);
    expect(found[0].message).toMatch(/marked sensitive in the glossary\. Exclude the pair, or waive/);
  });

  it("passes SQL on other tables, the column name inside a literal, and count(*)", () => {
    const clean = [
      item({ sql: "SELECT iata FROM airports", features: { tables: ["airports"] } }),
      item({ sql: "SELECT name FROM airlines WHERE name = 'iata'", features: { tables: ["airlines"] } }),
      item({ sql: "SELECT COUNT(*) FROM airlines", features: { tables: ["airlines"] } }),
    ];
    expect(itemFindings(clean, ctx({ sensitiveColumns: sensitive }))).toEqual([]);
  });

  it("falls back to the table names in the SQL when features are missing", () => {
    const f = itemFindings([item({ sql: "SELECT iata FROM airlines", features: null })], ctx({ sensitiveColumns: sensitive }));
    expect(f.map((x) => x.kind)).toEqual(["sensitive_column"]);
  });

  it("warns once per result column whose values look like PII", () => {
    const planted = item({ result: result([["a@b.io", "x"], ["c@d.io", "y"]], ["contact", "code"]) });
    const found = itemFindings([planted]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "sensitive_column", severity: "warning", detail: { field: "result", column: "contact", match: "a@b.io" } });
  });
});

describe("reserved strings", () => {
  it.each([
    ["question", { question: "User: how many airports are there?" }],
    ["sql", { sql: "SELECT '<image>' AS x" }],
    ["result", { result: result([["the [eos] marker"]], ["note"]) }],
  ] as const)("blocks one in the %s, case-insensitively", (field, over) => {
    const found = itemFindings([item(over as Partial<ScanItem>)]);
    expect(found.map((f) => [f.kind, f.severity, f.detail.field])).toEqual([["reserved_string", "blocking", field]]);
  });

  it("checks the system prompt", () => {
    const found = scanItems(filler(120), ctx({ systemPrompt: "You are a model.\nSystem: answer" }));
    expect(found.map((f) => [f.itemId, f.kind, f.detail.field, f.detail.match])).toEqual([[null, "reserved_string", "system_prompt", "System:"]]);
  });

  it("passes near misses", () => {
    expect(itemFindings([item({ question: "Which user flew the most?" }), item({ question: "What does the system image show?" })])).toEqual([]);
  });
});

describe("duplicates", () => {
  it("warns on an exact duplicate (case, spaces, punctuation) against the first pair", () => {
    const a = item({ question: "How many airports are in France?" });
    const b = item({ question: "  how many AIRPORTS are in france " });
    const found = itemFindings([a, b]);
    expect(found.map((f) => [f.itemId, f.kind, f.severity, f.detail.otherItemId])).toEqual([[b.id, "duplicate_exact", "warning", a.id]]);
    expect(found[0].message).toMatch(/different SQL/);
  });

  it("is cleared when either pair is excluded", () => {
    const a = item({ question: "How many airports are in France?" });
    const b = item({ question: "How many airports are in France?" });
    expect(itemFindings([{ ...a, excluded: true }, b])).toEqual([]);
    expect(itemFindings([a, { ...b, excluded: true }]).map((f) => f.kind)).toEqual(["duplicate_exact"]);
  });

  it("warns on a near duplicate with the same result, not on one with a different result", () => {
    const base = "Which airlines based in Germany operate more than ten routes out of Frankfurt airport this year";
    const a = item({ question: base, result: result([["LH"]]) });
    const b = item({ question: `${base} please`, result: result([["LH"]]) });
    const c = item({ question: `${base} today`, result: result([["AB"]]) });
    const found = itemFindings([a, b, c]);
    expect(found.map((f) => [f.itemId, f.kind, f.detail.otherItemId])).toEqual([[b.id, "duplicate_near", a.id]]);
    expect(found[0].detail.similarity).toBeGreaterThanOrEqual(0.9);
  });

  it("passes questions below the threshold", () => {
    const a = item({ question: "How many airports are in France?", result: result([[3]]) });
    const b = item({ question: "How many airports are in Spain?", result: result([[3]]) });
    expect(itemFindings([a, b])).toEqual([]);
    expect(jaccard(["a", "b"], ["a", "b"])).toBe(1);
    expect(normalizeQuestion("What's  up?!")).toBe("what s up");
  });

  it("handles 10,000 items in well under two seconds", () => {
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    let state = 7;
    const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const items: ScanItem[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: `p${i}`,
      question: Array.from({ length: 8 + Math.floor(rand() * 10) }, () => words[Math.floor(rand() * words.length)]).join(" ") + " how many routes are there",
      sql: `SELECT COUNT(*) FROM routes WHERE airline_id = ${i}`,
      // Few distinct results, so the grouping alone does not do the work.
      result: result([[i % 3]]),
      features: { tables: ["routes"] },
    }));
    items[9_999] = { ...items[9_999], question: `${items[42].question} please`, result: items[42].result };
    const started = performance.now();
    const found = scanItems(items, ctx({ sensitiveColumns: new Set(["routes.codeshare"]) }));
    const elapsed = performance.now() - started;
    expect(found.filter((f) => f.kind === "duplicate_near").map((f) => [f.itemId, f.detail.otherItemId])).toEqual([["p9999", "p42"]]);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe("ground truth", () => {
  it("warns on an empty result and on lint errors, not on lint warnings", () => {
    const empty = item({ result: result([]) });
    const flagged = item({ lintFlags: [{ code: "join_fanout", severity: "error", message: "The join multiplies rows." }, { code: "select_star", severity: "warning", message: "x" }] });
    const found = itemFindings([empty, flagged]);
    expect(found.map((f) => [f.itemId, f.kind, f.severity, f.detail.match])).toEqual([
      [empty.id, "empty_result", "warning", ""],
      [flagged.id, "lint_error", "warning", "join_fanout"],
    ]);
  });
});

describe("size limits", () => {
  const version = (items: ScanItem[], targets?: ScanContext["targets"]) => scanItems(items, ctx({ targets })).filter((f) => f.itemId === null);

  // Size findings warn (a version need not go to every target); the export for that target is refused.
  it("warns below a target's minimum and below Bedrock's recommended size", () => {
    const found = version(filler(5));
    expect(found.map((f) => [f.kind, f.severity, f.detail.target, f.detail.limit])).toEqual([["size_limit", "warning", "bedrock_nova", 8]]);
    expect(version(filler(2), ["fireworks"]).map((f) => [f.severity, f.detail.limit])).toEqual([["warning", 3]]);
    expect(version(filler(50)).map((f) => [f.severity, f.detail.target, f.detail.limit])).toEqual([["warning", "bedrock_nova", 100]]);
    expect(version(filler(100))).toEqual([]);
  });

  it("counts only exported train pairs and checks a validation split on its own", () => {
    const items = [...filler(100), ...filler(5).map((i) => ({ ...i, split: "validation" })), ...filler(10).map((i) => ({ ...i, split: "test" }))];
    expect(version(items).map((f) => [f.severity, f.detail.split, f.detail.count])).toEqual([["warning", "validation", 5]]);
    const excluded = filler(100).map((i, n) => ({ ...i, excluded: n < 5 }));
    expect(version(excluded).map((f) => [f.severity, f.detail.count])).toEqual([["warning", 95]]);
  });

  it("warns above Bedrock's maximum", () => {
    const many = Array.from({ length: 20_001 }, (_, i) => ({ id: `m${i}`, question: `q${i}`, sql: "SELECT 1", result: result([[i]]) }));
    const found = version(many, ["bedrock_nova"]);
    expect(found.map((f) => [f.severity, f.detail.limit])).toEqual([["warning", 20_000]]);
    expect(found[0].message).toMatch(/accepts at most 20,000/);
  });
});

describe("summarizeFindings", () => {
  it("counts by kind and severity", () => {
    const s = summarizeFindings(
      [
        { kind: "pii_email", severity: "blocking" },
        { kind: "pii_email", severity: "blocking" },
        { kind: "empty_result", severity: "warning" },
      ],
      new Date("2026-01-01T00:00:00Z"),
    );
    expect(s).toEqual({ scannedAt: "2026-01-01T00:00:00.000Z", total: 3, bySeverity: { blocking: 2, warning: 1 }, byKind: { pii_email: { blocking: 2, warning: 0 }, empty_result: { blocking: 0, warning: 1 } } });
  });
});
