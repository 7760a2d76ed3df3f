import { describe, expect, it } from "vitest";
import { openFlightsModel, sampleFixtureValues } from "@/lib/queries/openflights.fixture";
import { generateTemplateQueries } from "@/lib/queries/templates";
import { pickStyle, QUESTION_STYLES, writeQuestion } from "@/lib/questions/templates";

const drafts = generateTemplateQueries(openFlightsModel, sampleFixtureValues(), { seed: 11 });

describe("writeQuestion", () => {
  it("writes a question in every style for every draft, stating its literal values", () => {
    expect(drafts.length).toBeGreaterThan(40);
    for (const d of drafts) {
      for (const [i, style] of QUESTION_STYLES.entries()) {
        const q = writeQuestion(d.question, style, i);
        expect(q.trim().length, `${d.shape} ${style}`).toBeGreaterThan(10);
        expect(q).not.toMatch(/undefined|NaN|\[object/);
        for (const literal of d.question.literals) expect(q, `${d.sql}\n${style}: ${q}`).toContain(literal);
      }
    }
  });

  it("says the limit and the direction of a top-k query", () => {
    const topK = drafts.filter((d) => d.shape === "top_k");
    expect(topK.length).toBeGreaterThan(0);
    for (const d of topK) {
      for (const style of QUESTION_STYLES) {
        const q = writeQuestion(d.question, style, 0);
        expect(q).toContain(String(d.question.k));
        expect(q).toMatch(d.sql.includes(" DESC") ? /highest/ : /lowest/);
      }
    }
  });

  it("mentions the ordering whenever the SQL has a top-level ORDER BY", () => {
    for (const d of drafts.filter((x) => /ORDER BY [^)]*$/.test(x.sql))) {
      for (const style of QUESTION_STYLES) {
        expect(writeQuestion(d.question, style, 3), d.sql).toMatch(/highest|lowest|most|order|sort|top|by year|first/i);
      }
    }
  });

  it("is deterministic for the same seed", () => {
    const d = drafts[0];
    expect(writeQuestion(d.question, "formal", 5)).toBe(writeQuestion(d.question, "formal", 5));
  });

  it("refuses a seed missing a slot its shape needs", () => {
    expect(() => writeQuestion({ kind: "top_k", entity: "airports", literals: [] }, "formal", 0)).toThrow(/column/);
  });
});

describe("pickStyle", () => {
  it("rotates through the styles", () => {
    expect([0, 1, 2, 3, 4, -1].map(pickStyle)).toEqual(["formal", "colloquial", "imperative", "concise", "formal", "concise"]);
  });
});
