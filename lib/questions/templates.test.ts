import { describe, expect, it } from "vitest";
import { QUERY_SHAPES, type QueryShape } from "@/lib/queries/shapes";
import { hierarchyModel, sampleHierarchyValues } from "@/lib/queries/templates.fixture";
import { generateTemplateQueries, type QueryDraft } from "@/lib/queries/templates";
import { pickStyle, QUESTION_STYLES, writeQuestion } from "@/lib/questions/templates";

// Every shape, the recursive one included (the fixture has a table of regions within regions).
const drafts = generateTemplateQueries(hierarchyModel, sampleHierarchyValues(), { seed: 11 });

function questionsOf(shape: QueryShape, where: (d: QueryDraft) => boolean = () => true): { draft: QueryDraft; questions: string[] }[] {
  return drafts
    .filter((d) => d.shape === shape && where(d))
    .map((draft) => ({ draft, questions: QUESTION_STYLES.map((style, i) => writeQuestion(draft.question, style, i)) }));
}

describe("writeQuestion", () => {
  it("writes a question in every style for every draft, stating its literal values", () => {
    expect(new Set(drafts.map((d) => d.shape))).toEqual(new Set(QUERY_SHAPES));
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

  it("names every value of an IN list and every condition of a compound filter", () => {
    for (const { draft, questions } of questionsOf("filter_in_list")) {
      for (const q of questions) for (const value of draft.question.values!) expect(q).toContain(String(value));
    }
    for (const { draft, questions } of questionsOf("filter_compound")) {
      const connector = draft.sql.includes(" OR ") ? " or " : " and ";
      for (const q of questions) {
        expect(q).toContain(connector);
        for (const c of draft.question.conditions!) expect(q).toContain(c.column);
      }
    }
  });

  it("says how NULLs, the month or year bucket, the hierarchy and the dense rank are meant", () => {
    for (const { questions } of questionsOf("filter_is_null")) for (const q of questions) expect(q).toMatch(/no |missing|empty|without/);
    for (const { draft, questions } of questionsOf("date_bucket")) for (const q of questions) expect(q).toContain(draft.question.unit!);
    for (const { questions } of questionsOf("recursive_cte")) for (const q of questions) expect(q).toMatch(/any depth/);
    for (const { questions } of questionsOf("window_dense_rank")) for (const q of questions) expect(q).toMatch(/rank/);
    for (const { questions } of questionsOf("join_self", (d) => d.question.compare !== undefined)) {
      for (const q of questions) expect(q).toMatch(/same|different|share/);
    }
  });

  it("says the direction of every ranking and extreme", () => {
    for (const shape of ["group_count_top", "group_aggregate_top", "window_rank", "window_dense_rank", "subquery_extreme"] as const) {
      for (const { draft, questions } of questionsOf(shape)) {
        const low = shape === "subquery_extreme" ? draft.question.agg === "min" : draft.question.direction === "asc";
        expect(draft.sql).toContain(low ? (shape === "subquery_extreme" ? "(SELECT min(" : " ASC") : shape === "subquery_extreme" ? "(SELECT max(" : " DESC");
        for (const q of questions) expect(q, `${draft.sql}\n${q}`).toMatch(low ? /lowest|fewest|bottom/i : /highest|most|top/i);
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
