import { describe, expect, it } from "vitest";
import { createExampleIndex, createRetrievalBaseline, tokenize } from "@/lib/evaluation/retrieval-baseline";

const train = [
  { question: "How many airports are in France?", sql: "SELECT count(*) FROM airports WHERE country = 'France'" },
  { question: "List the airlines based in Germany", sql: "SELECT name FROM airlines WHERE country = 'Germany'" },
  { question: "What is the average altitude of airports?", sql: "SELECT avg(altitude) FROM airports" },
  { question: "Which routes use an A320 aircraft?", sql: "SELECT * FROM routes WHERE equipment LIKE '%320%'" },
];

describe("tokenize", () => {
  it("lowercases, splits on non-words and drops stopwords", () => {
    expect(tokenize("What is the AVERAGE altitude of Airports?")).toEqual(["average", "altitude", "airports"]);
    expect(tokenize("Zürich's élan_2")).toEqual(["zürich", "s", "élan_2"]);
  });
});

describe("createRetrievalBaseline", () => {
  const baseline = createRetrievalBaseline(train);

  it("returns the SQL of the most similar training question", () => {
    const out = baseline.answer("mean altitude of all airports");
    expect(out.sql).toBe("SELECT avg(altitude) FROM airports");
    expect(out.matchedQuestion).toBe("What is the average altitude of airports?");
    expect(out.score).toBeGreaterThan(0.3);
  });

  it("weights rare words above common ones", () => {
    // "airports" occurs twice in training, "france" once: France decides.
    expect(baseline.answer("airports in france").sql).toContain("France");
  });

  it("scores an identical question at 1", () => {
    expect(baseline.answer(train[1].question).score).toBeCloseTo(1, 6);
  });

  it("scores an unrelated question at 0 and still answers deterministically", () => {
    const out = baseline.answer("zzz qqq");
    expect(out.score).toBe(0);
    expect(out.sql).toBe(train[0].sql);
  });

  it("handles an empty training set", () => {
    expect(createRetrievalBaseline([]).answer("anything")).toEqual({ sql: "", score: 0, matchedQuestion: "" });
  });
});

describe("createExampleIndex", () => {
  const index = createExampleIndex(train);

  it("ranks examples by similarity, best first, with scores in [0, 1]", () => {
    const out = index.nearest("average altitude of airports in France", 4);
    expect(out[0].example.question).toBe("What is the average altitude of airports?");
    expect(out.map((n) => n.index)).toHaveLength(4);
    for (let i = 1; i < out.length; i++) expect(out[i - 1].score).toBeGreaterThanOrEqual(out[i].score);
    expect(out.every((n) => n.score >= 0 && n.score <= 1)).toBe(true);
  });

  it("keeps the earlier example on ties and counts examples that share nothing", () => {
    expect(index.nearest("zzz", 4).map((n) => n.index)).toEqual([0, 1, 2, 3]);
  });

  it("leaves out excluded examples", () => {
    const out = index.nearest(train[2].question, 2, (_example, i) => i === 2);
    expect(out.map((n) => n.index)).not.toContain(2);
    expect(out).toHaveLength(2);
  });
});
