import { describe, expect, it } from "vitest";
import {
  BEDROCK_RESERVED_STRINGS,
  checkBedrockFileName,
  toBedrockLines,
  validateBedrockLines,
  validateBedrockRecords,
  type BedrockItem,
} from "@/lib/datasets/export-bedrock";
import { promptFor } from "@/lib/datasets/prompt";

const item = (n: number): BedrockItem => ({ system: "You write DuckDB SQL.\nCREATE TABLE airports (name VARCHAR);", user: `How many airports in zone ${n}?`, sql: `SELECT count(*) FROM airports WHERE zone = ${n}` });
const items = (count: number) => Array.from({ length: count }, (_, i) => item(i + 1));
const train = { part: "train", model: "nova-micro" } as const;
const record = (messages: unknown, system?: unknown) => JSON.stringify({ schemaVersion: "bedrock-conversation-2024", ...(system === undefined ? {} : { system }), messages });
const user = (text: string) => ({ role: "user", content: [{ text }] });
const assistant = (text: string) => ({ role: "assistant", content: [{ text }] });

describe("toBedrockLines", () => {
  it("writes bedrock-conversation-2024 records: system, then the user's question and the SQL as the answer", () => {
    const [line] = toBedrockLines([item(1)]);
    expect(JSON.parse(line)).toEqual({
      schemaVersion: "bedrock-conversation-2024",
      system: [{ text: "You write DuckDB SQL.\nCREATE TABLE airports (name VARCHAR);" }],
      messages: [
        { role: "user", content: [{ text: "How many airports in zone 1?" }] },
        { role: "assistant", content: [{ text: "SELECT count(*) FROM airports WHERE zone = 1" }] },
      ],
    });
    expect(line).not.toContain("\n");
  });

  it("omits an empty system prompt", () => {
    expect(JSON.parse(toBedrockLines([{ ...item(1), system: " " }])[0]).system).toBeUndefined();
  });

  it("round-trips: parsing the file gives back each prompt (redacted where set) and SQL", () => {
    const version = { systemPrompt: "Schema A", userTemplate: "" };
    const stored = [
      { question: "Who is 555-0100?", redactedQuestion: "Who is [PHONE]?", systemPrompt: null, sql: "SELECT 1" },
      { question: "Names?", redactedQuestion: null, systemPrompt: "Schema for names only", sql: "SELECT name FROM t" },
    ];
    const lines = toBedrockLines(stored.map((s) => ({ ...promptFor(version, s), sql: s.sql })));
    const back = lines.map((l) => JSON.parse(l));
    expect(back.map((r) => [r.system[0].text, r.messages[0].content[0].text, r.messages[1].content[0].text])).toEqual([
      ["Schema A", "Who is [PHONE]?", "SELECT 1"],
      ["Schema for names only", "Names?", "SELECT name FROM t"],
    ]);
  });
});

describe("validateBedrockLines", () => {
  it("accepts a well-formed file", () => {
    expect(validateBedrockLines(toBedrockLines(items(120)), train)).toEqual({ errors: [], warnings: [] });
  });

  it("enforces the 8 to 20,000 records per file bound on both files", () => {
    const seven = validateBedrockLines(toBedrockLines(items(7)), train);
    expect(seven.errors).toEqual([{ line: 0, message: "the training file has 7 records; Nova Micro needs between 8 and 20,000 per file" }]);
    const validation = validateBedrockLines(toBedrockLines(items(3)), { part: "validation", model: "nova-lite" });
    expect(validation.errors[0].message).toBe("the validation file has 3 records; Nova Lite needs between 8 and 20,000 per file");
    expect(validateBedrockLines(toBedrockLines(items(8)), { part: "validation", model: "nova-micro" }).errors).toEqual([]);
    const tooMany = validateBedrockRecords(new Array(20_001).fill(JSON.parse(toBedrockLines([item(1)])[0])), train);
    expect(tooMany.errors).toEqual([{ line: 0, message: expect.stringMatching(/20,001 records.*between 8 and 20,000/) }]);
    expect(validateBedrockRecords(new Array(20_000).fill(JSON.parse(toBedrockLines([item(1)])[0])), train).errors).toEqual([]);
  });

  it("warns (does not refuse) below the recommended 100 training records and above 20,000 combined", () => {
    const small = validateBedrockLines(toBedrockLines(items(20)), train);
    expect(small.errors).toEqual([]);
    expect(small.warnings).toEqual([{ line: 0, message: "the training file has 20 records; AWS recommends at least 100" }]);
    const combined = validateBedrockLines(toBedrockLines(items(120)), { ...train, otherPartCount: 19_900 });
    expect(combined.errors).toEqual([]);
    expect(combined.warnings[0].message).toMatch(/20,020 records together/);
    expect(validateBedrockLines(toBedrockLines(items(20)), { part: "validation", model: "nova-micro" }).warnings).toEqual([]);
  });

  it("reports role order, counts and empty text with line numbers", () => {
    const good = toBedrockLines(items(8));
    const planted = [
      ...good,
      record([assistant("SELECT 1"), user("q")]),
      record([user("q"), user("q again"), assistant("SELECT 1")]),
      record([user("q")]),
      record([user("q"), assistant("SELECT 1"), user("more?")]),
      record([{ role: "system", content: [{ text: "x" }] }, assistant("SELECT 1")]),
      record([user("  "), assistant("SELECT 1")]),
      record([user("q"), assistant("")]),
      record([user("q"), assistant("SELECT 1")], [{ text: "" }]),
      record([user("q"), { role: "assistant", content: [{ image: { format: "png" } }] }]),
      record([user("q"), { role: "assistant", content: [] }]),
      "{not json",
      JSON.stringify({ messages: "nope" }),
      "[]",
    ];
    const { errors } = validateBedrockLines(planted, train);
    expect(errors.map((e) => e.line)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(errors[0].message).toMatch(/messages\[0\] must be the user's/);
    expect(errors[1].message).toMatch(/messages\[1\] is a second user message in a row/);
    expect(errors[2].message).toMatch(/at least a user and an assistant message/);
    expect(errors[3].message).toBe("the last message must be the assistant's");
    expect(errors[4].message).toMatch(/role "system"; only user and assistant/);
    expect(errors[5].message).toBe("messages[0].content[0] is empty");
    expect(errors[6].message).toBe("messages[1].content[0] is empty");
    expect(errors[7].message).toBe("system[0] is empty");
    expect(errors[8].message).toMatch(/holds image; only text content/);
    expect(errors[9].message).toMatch(/non-empty array/);
    expect(errors[10].message).toBe("not valid JSON");
    expect(errors[11].message).toMatch(/missing "messages"/);
    expect(errors[12].message).toBe("not a JSON object");
  });

  it("refuses every reserved string anywhere, in any case", () => {
    for (const reserved of BEDROCK_RESERVED_STRINGS) {
      const variants = [reserved, reserved.toLowerCase(), reserved.toUpperCase()];
      for (const text of variants) {
        const inSql = [...toBedrockLines(items(8)), ...toBedrockLines([{ ...item(9), sql: `SELECT '${text} hi' AS x` }])];
        const { errors } = validateBedrockLines(inSql, train);
        expect(errors, text).toHaveLength(1);
        expect(errors[0].line).toBe(9);
        expect(errors[0].message.toLowerCase()).toContain(`reserved string "${reserved.toLowerCase()}`);
      }
    }
    const inSystem = toBedrockLines(items(8).map((i, n) => (n === 4 ? { ...i, system: `${i.system}\n-- System: notes` } : i)));
    expect(validateBedrockLines(inSystem, train).errors).toEqual([{ line: 5, message: expect.stringMatching(/^system\[0\] contains the reserved string "System:"/) }]);
    const inQuestion = toBedrockLines(items(8).map((i, n) => (n === 7 ? { ...i, user: "Count <unk> tokens" } : i)));
    expect(validateBedrockLines(inQuestion, train).errors[0]).toMatchObject({ line: 8, message: expect.stringMatching(/messages\[0\]\.content\[0\].*"<unk>"/) });
  });

  it("reports a long shared system prompt with a reserved string on every line it appears", () => {
    const system = "x".repeat(1000) + " Assistant: ";
    const { errors } = validateBedrockLines(toBedrockLines(items(10).map((i) => ({ ...i, system }))), { ...train, limit: 3 });
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(errors.every((e) => /reserved string "Assistant:"/.test(e.message))).toBe(true);
  });

  it("checks the file name", () => {
    expect(checkBedrockFileName("flights-v3-bedrock-train.jsonl")).toBeUndefined();
    expect(checkBedrockFileName("data/train_v1.jsonl")).toBeUndefined();
    expect(checkBedrockFileName("my file (1).jsonl")).toMatch(/" ", "\(", "\)"; Bedrock accepts only letters, digits and _ - \/ \./);
    expect(checkBedrockFileName("données.jsonl")).toMatch(/"é"/);
    expect(checkBedrockFileName("")).toBe("the file name is empty");
    const named = validateBedrockLines(toBedrockLines(items(8)), { ...train, fileName: "train+1.jsonl" });
    expect(named.errors).toEqual([{ line: 0, message: expect.stringMatching(/"\+"/) }]);
  });
});
