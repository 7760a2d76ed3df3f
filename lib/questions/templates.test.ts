import { describe, expect, it } from "vitest";
import { QUERY_SHAPES, type QueryShape } from "@/lib/queries/shapes";
import { hierarchyModel, sampleHierarchyValues } from "@/lib/queries/templates.fixture";
import { generateTemplateQueries, type QueryDraft } from "@/lib/queries/templates";
import { listQuestions, pickStyle, planQuestions, QUESTION_STYLES, STYLE_LABELS, TEMPLATE_STYLES, writeQuestion } from "@/lib/questions/templates";

// Every shape, the recursive one included (the fixture has a table of regions within regions).
const drafts = generateTemplateQueries(hierarchyModel, sampleHierarchyValues(), { seed: 11 });

function questionsOf(shape: QueryShape, where: (d: QueryDraft) => boolean = () => true): { draft: QueryDraft; questions: string[] }[] {
  return drafts
    .filter((d) => d.shape === shape && where(d))
    .map((draft) => ({ draft, questions: TEMPLATE_STYLES.map((style, i) => writeQuestion(draft.question, style, i)) }));
}

describe("writeQuestion", () => {
  it("writes a question in every style for every draft, stating its literal values", () => {
    expect(new Set(drafts.map((d) => d.shape))).toEqual(new Set(QUERY_SHAPES));
    for (const d of drafts) {
      for (const [i, style] of TEMPLATE_STYLES.entries()) {
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
      for (const style of TEMPLATE_STYLES) {
        const q = writeQuestion(d.question, style, 0);
        expect(q).toContain(String(d.question.k));
        expect(q).toMatch(d.sql.includes(" DESC") ? /highest/ : /lowest/);
      }
    }
  });

  it("mentions the ordering whenever the SQL has a top-level ORDER BY", () => {
    for (const d of drafts.filter((x) => /ORDER BY [^)]*$/.test(x.sql))) {
      for (const style of TEMPLATE_STYLES) {
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
  it("rotates through the six template styles, or the ones given", () => {
    expect([0, 1, 2, 3, 4, 5, 6, -1].map((i) => pickStyle(i))).toEqual([
      "formal", "colloquial", "imperative", "interrogative", "descriptive", "concise", "formal", "concise",
    ]);
    expect([0, 1, 2].map((i) => pickStyle(i, ["concise", "formal"]))).toEqual(["concise", "formal", "concise"]);
  });
});

describe("styles", () => {
  it("has eight styles, six of them written by templates", () => {
    expect(QUESTION_STYLES).toHaveLength(8);
    expect(TEMPLATE_STYLES).toEqual(["formal", "colloquial", "imperative", "interrogative", "descriptive", "concise"]);
    expect(QUESTION_STYLES.filter((s) => !(TEMPLATE_STYLES as readonly string[]).includes(s))).toEqual(["vague", "metaphorical"]);
    for (const s of QUESTION_STYLES) expect(STYLE_LABELS[s]).toMatch(/^[A-Z]/);
  });

  it("asks the interrogative as a question and states the descriptive as a sentence", () => {
    for (const d of drafts) {
      expect(writeQuestion(d.question, "interrogative", 1), d.sql).toMatch(/^(Can you|Could you|Would you please|For (each|every) [^,]+, (can|could|would) you) .+\?$/);
      expect(writeQuestion(d.question, "descriptive", 1), d.sql).toMatch(/^I (am looking for|would like to see) .+\.$|^This is a request for .+\.$/);
    }
  });

  it("refuses the styles only a model can write", () => {
    expect(() => writeQuestion(drafts[0].question, "vague", 0)).toThrow(/needs a model/);
    expect(() => listQuestions(drafts[0].question, "metaphorical")).toThrow(/needs a model/);
  });
});

describe("planQuestions", () => {
  it("plans distinct questions, one style each first, every one stating the literals", () => {
    for (const d of drafts) {
      const plan = planQuestions(d.question, TEMPLATE_STYLES, 5, 2, 9);
      expect(plan).toHaveLength(5);
      expect(new Set(plan.map((p) => p.question)).size).toBe(5);
      expect(new Set(plan.map((p) => p.style)).size).toBe(5);
      expect(plan[0].style).toBe("imperative");
      for (const p of plan) for (const literal of d.question.literals) expect(p.question).toContain(literal);
    }
  });

  it("uses further phrasings of a style when fewer styles than questions are asked for", () => {
    const plan = planQuestions(drafts[0].question, ["interrogative"], 3, 0, 1);
    expect(plan.map((p) => p.style)).toEqual(["interrogative", "interrogative", "interrogative"]);
    expect(new Set(plan.map((p) => p.question)).size).toBe(3);
    // Only one hand-written concise phrasing: one question, not a repeat.
    const single = drafts.find((d) => d.shape === "filter_is_null")!;
    expect(planQuestions(single.question, ["concise"], 4, 0, 1)).toHaveLength(1);
  });

  it("is the same plan for the same inputs", () => {
    const d = drafts[3];
    expect(planQuestions(d.question, ["formal", "concise"], 2, 1, 4)).toEqual(planQuestions(d.question, ["formal", "concise"], 2, 1, 4));
  });
});
