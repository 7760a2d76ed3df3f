import { describe, expect, it } from "vitest";
import {
  toFireworksRftLines,
  toFireworksRftRecords,
  toFireworksSftLines,
  validateFireworksLines,
  validateFireworksRecords,
} from "@/lib/datasets/export-fireworks";
import { promptFor } from "@/lib/datasets/prompt";

const items = [
  { id: "p1", question: "How many airports?", sql: "SELECT count(*) AS n FROM airports", result: { columns: ["n"], rows: [[42]] } },
  {
    id: "p2",
    question: 'Names with a "quote"\nand newline?',
    sql: "SELECT name FROM airports WHERE name LIKE '%\"%'",
    result: { columns: ["name"], rows: [["O'Hare"], [null]] },
  },
  { id: "p3", question: "Average altitude?", sql: "SELECT avg(altitude) FROM airports", result: { columns: ["avg"], rows: [[1.5]] } },
];

describe("toFireworksRftLines", () => {
  const lines = toFireworksRftLines(items, "You write DuckDB SQL.");

  it("writes one JSON object per line with the prompt, ground truth and extra fields", () => {
    expect(lines).toHaveLength(3);
    const row = JSON.parse(lines[0]);
    expect(row.messages).toEqual([
      { role: "system", content: "You write DuckDB SQL." },
      { role: "user", content: "How many airports?" },
    ]);
    expect(typeof row.ground_truth).toBe("string");
    expect(JSON.parse(row.ground_truth)).toEqual({ columns: ["n"], rows: [[42]] });
    expect(row.gold_sql).toBe("SELECT count(*) AS n FROM airports");
    expect(row.pair_id).toBe("p1");
  });

  it("escapes newlines and quotes so each example stays on one line", () => {
    expect(lines[1]).not.toContain("\n");
    expect(JSON.parse(lines[1]).messages[1].content).toBe('Names with a "quote"\nand newline?');
    expect(JSON.parse(JSON.parse(lines[1]).ground_truth).rows).toEqual([["O'Hare"], [null]]);
  });

  it("passes its own validation", () => {
    expect(validateFireworksLines(lines, "rft")).toEqual([]);
  });

  it("says whether row order matters, false unless the item's gold query orders its rows", () => {
    expect(lines.map((l) => JSON.parse(l).order_matters)).toEqual([false, false, false]);
    const ordered = toFireworksRftRecords([
      { ...items[0], orderMatters: true },
      { ...items[1], orderMatters: false },
      items[2],
    ]);
    expect(ordered.map((r) => r.order_matters)).toEqual([true, false, false]);
    expect(validateFireworksRecords(ordered, "rft")).toEqual([]);
  });

  it("omits an empty system prompt", () => {
    const [line] = toFireworksRftLines(items.slice(0, 1), "  ");
    expect(JSON.parse(line).messages).toEqual([{ role: "user", content: "How many airports?" }]);
  });
});

describe("toFireworksSftLines", () => {
  it("adds the SQL as the assistant's message and passes validation", () => {
    const lines = toFireworksSftLines(items, "sys");
    expect(JSON.parse(lines[2]).messages).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "Average altitude?" },
      { role: "assistant", content: "SELECT avg(altitude) FROM airports" },
    ]);
    expect(validateFireworksLines(lines, "sft")).toEqual([]);
  });
});

describe("validateFireworksLines", () => {
  const ok = JSON.stringify({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }] });

  it("reports problems with line numbers", () => {
    const problems = validateFireworksLines([
      ok,
      "{not json",
      JSON.stringify({ prompt: "q" }),
      JSON.stringify({ messages: [{ role: "bot", content: "x" }] }),
      JSON.stringify({ messages: [{ role: "user", content: "" }] }),
      JSON.stringify({ messages: [{ role: "user", content: "q" }, { role: "system", content: "s" }] }),
      JSON.stringify({ messages: [{ role: "assistant", content: "a" }] }),
      JSON.stringify({ messages: [{ role: "user", content: "q" }, { role: "user", content: "q2" }] }),
      JSON.stringify({ messages: [] }),
      JSON.stringify([1]),
    ]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(problems[0].message).toBe("not valid JSON");
    expect(problems[1].message).toMatch(/missing "messages"/);
    expect(problems[2].message).toMatch(/role "bot"; allowed: system, user, assistant/);
    expect(problems[3].message).toMatch(/empty content/);
    expect(problems[4].message).toMatch(/system message may only come first/);
    expect(problems[5].message).toMatch(/must follow a user message/);
    expect(problems[6].message).toMatch(/two user messages/);
  });

  it("checks the ending for RFT and SFT", () => {
    expect(validateFireworksLines([ok], "rft")[0].message).toMatch(/end with the user's message/);
    const prompt = JSON.stringify({ messages: [{ role: "user", content: "q" }] });
    expect(validateFireworksLines([prompt, prompt, prompt], "sft")[0].message).toMatch(/end with the assistant's answer/);
    expect(validateFireworksLines([prompt], "rft")[0].message).toMatch(/ground_truth/);
  });

  it("flags too few SFT examples and an empty file", () => {
    expect(validateFireworksLines([ok], "sft")).toEqual([{ line: 0, message: expect.stringMatching(/at least 3/) }]);
    expect(validateFireworksLines([])[0]).toEqual({ line: 0, message: "The file has no examples." });
  });

  it("stops after the limit", () => {
    expect(validateFireworksLines(Array.from({ length: 50 }, () => "x"), undefined, 5)).toHaveLength(5);
  });

  it("accepts message weights 0 and 1 only", () => {
    const weighted = (w: unknown) =>
      JSON.stringify({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a", weight: w }] });
    expect(validateFireworksLines([weighted(0)])).toEqual([]);
    expect(validateFireworksLines([weighted(0.5)])[0].message).toMatch(/weight/);
  });
});

describe("per-item prompts", () => {
  const version = { systemPrompt: "Version prompt", userTemplate: "Question: {question}" };
  const stored = [
    { id: "p1", question: "Mail bob@example.com?", redactedQuestion: "Mail [EMAIL]?", systemPrompt: null, sql: "SELECT 1 AS one", result: { columns: ["one"], rows: [[1]] } },
    { id: "p2", question: "Airports?", redactedQuestion: null, systemPrompt: "Only airports(name)", sql: "SELECT name FROM airports", result: { columns: ["name"], rows: [["A"]] } },
  ];
  const prepared = stored.map((s) => {
    const prompt = promptFor(version, s);
    return { id: s.id, question: prompt.user, system: prompt.system, sql: s.sql, result: s.result };
  });

  it("uses each item's system prompt and the redacted question", () => {
    const rft = toFireworksRftLines(prepared, "ignored when an item has its own").map((l) => JSON.parse(l));
    expect(rft[0].messages).toEqual([
      { role: "system", content: "Version prompt" },
      { role: "user", content: "Question: Mail [EMAIL]?" },
    ]);
    expect(rft[1].messages[0]).toEqual({ role: "system", content: "Only airports(name)" });
    expect(JSON.stringify(rft)).not.toContain("bob@example.com");
  });

  it("round-trips: the parsed lines give back every id, prompt, SQL and result", () => {
    const rftLines = toFireworksRftLines(prepared);
    const sftLines = toFireworksSftLines(prepared);
    expect(validateFireworksLines(rftLines, "rft")).toEqual([]);
    const back = rftLines.map((l) => JSON.parse(l));
    expect(back.map((r) => r.pair_id)).toEqual(["p1", "p2"]);
    expect(back.map((r) => r.messages.at(-1).content)).toEqual(prepared.map((p) => p.question));
    expect(back.map((r) => r.gold_sql)).toEqual(prepared.map((p) => p.sql));
    expect(back.map((r) => JSON.parse(r.ground_truth))).toEqual(prepared.map((p) => p.result));
    expect(back.map((r) => r.order_matters)).toEqual([false, false]);
    const sft = sftLines.map((l) => JSON.parse(l));
    expect(sft.map((r) => r.messages.map((m: { role: string }) => m.role))).toEqual([
      ["system", "user", "assistant"],
      ["system", "user", "assistant"],
    ]);
    expect(sft.map((r) => r.messages[2].content)).toEqual(prepared.map((p) => p.sql));
  });

  it("checks records before they are serialised the same way as lines", () => {
    const records = toFireworksRftRecords(prepared);
    expect(validateFireworksRecords(records, "rft")).toEqual([]);
    const broken = [...records, { messages: [{ role: "user", content: "  " }], ground_truth: "{}" }];
    expect(validateFireworksRecords(broken, "rft")).toEqual([{ line: 3, message: "messages[0] (user) has empty content" }]);
    expect(validateFireworksRecords(records, "sft")[0]).toEqual({ line: 0, message: expect.stringMatching(/at least 3/) });
  });

  it("refuses more examples than Fireworks accepts", () => {
    const problems = validateFireworksRecords({ length: 3_000_001 } as unknown as unknown[], "sft", 1);
    expect(problems[0]).toEqual({ line: 0, message: expect.stringMatching(/at most 3,000,000/) });
  });
});
