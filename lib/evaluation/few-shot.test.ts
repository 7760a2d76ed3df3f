import { describe, expect, it } from "vitest";
import { fewShotMessages, pickFewShotExamples, type FewShotExample } from "@/lib/evaluation/few-shot";
import { createExampleIndex } from "@/lib/evaluation/retrieval-baseline";

const train: FewShotExample[] = [
  { id: "a", question: "How many airports are in France?", sql: "SELECT count(*) FROM airports WHERE country = 'France'" },
  { id: "b", question: "List the airlines based in Germany", sql: "SELECT name FROM airlines WHERE country = 'Germany'" },
  { id: "c", question: "What is the average altitude of airports?", sql: "SELECT avg(altitude) FROM airports" },
  { id: "d", question: "Which routes use an A320 aircraft?", sql: "SELECT * FROM routes WHERE equipment LIKE '%320%'" },
  { id: "e", question: "How many airports are in Spain?", sql: "SELECT count(*) FROM airports WHERE country = 'Spain'" },
];
const index = createExampleIndex(train);

describe("pickFewShotExamples", () => {
  it("returns the k nearest examples, the closest last", () => {
    const picked = pickFewShotExamples(index, { question: "How many airports are in Italy?" }, 2);
    expect(picked.map((e) => e.id)).toEqual(["e", "a"]);
    // The nearest example is the one just before the real question.
    expect(index.nearest("How many airports are in Italy?", 1)[0].example.id).toBe("a");
  });

  it("never offers the item as its own example, by id or by identical question", () => {
    const byId = pickFewShotExamples(index, { id: "c", question: "What is the average altitude of airports?" }, 5);
    expect(byId.map((e) => e.id)).not.toContain("c");
    expect(byId).toHaveLength(4);
    const byText = pickFewShotExamples(index, { question: "  How many airports are in France?" }, 5);
    expect(byText.map((e) => e.id)).not.toContain("a");
  });

  it("returns fewer than k when there are fewer examples, and none for k = 0 or an empty index", () => {
    expect(pickFewShotExamples(index, { question: "anything" }, 20)).toHaveLength(5);
    expect(pickFewShotExamples(index, { question: "anything" }, 0)).toEqual([]);
    expect(pickFewShotExamples(createExampleIndex([]), { question: "anything" }, 3)).toEqual([]);
  });
});

describe("fewShotMessages", () => {
  it("lays out system, example pairs rendered like the real question, then the real user turn", () => {
    const render = (q: string) => `Question: ${q}`;
    const messages = fewShotMessages({ system: "Write DuckDB SQL.", user: render("How many airports are in Italy?") }, train.slice(0, 2), render);
    expect(messages).toEqual([
      { role: "system", content: "Write DuckDB SQL." },
      { role: "user", content: "Question: How many airports are in France?" },
      { role: "assistant", content: "SELECT count(*) FROM airports WHERE country = 'France'" },
      { role: "user", content: "Question: List the airlines based in Germany" },
      { role: "assistant", content: "SELECT name FROM airlines WHERE country = 'Germany'" },
      { role: "user", content: "Question: How many airports are in Italy?" },
    ]);
  });

  it("is the plain prompt without examples, and renders the question alone by default", () => {
    expect(fewShotMessages({ system: "s", user: "u" }, [])).toEqual([
      { role: "system", content: "s" },
      { role: "user", content: "u" },
    ]);
    expect(fewShotMessages({ system: "s", user: "u" }, [train[0]])[1]).toEqual({ role: "user", content: train[0].question });
  });
});
