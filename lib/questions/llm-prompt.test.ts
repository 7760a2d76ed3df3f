import { describe, expect, it } from "vitest";
import {
  buildQuestionPrompt, buildRoundTripPrompt, checkQuestion, MAX_QUESTION_CHARS, parseQuestionAnswer, questionAnswerSchema, sortAnswer,
  type QuestionRequestItem,
} from "@/lib/questions/llm-prompt";
import { llmQuestionsInput, roundTripInput, templateQuestionsInput } from "@/lib/questions/input";

const items: QuestionRequestItem[] = [
  { ref: "q1", sql: "SELECT count(*) FROM airports WHERE country = 'Peru'", styles: ["formal", "vague"], literals: ["Peru"] },
  { ref: "q2", sql: "SELECT name FROM airlines ORDER BY name LIMIT 5", styles: ["concise"], literals: ["5"] },
];

describe("buildQuestionPrompt", () => {
  it("gives the schema, every query with its values and styles, and what each style means", () => {
    const [system, user] = buildQuestionPrompt({ schemaText: "CREATE TABLE airports (name VARCHAR);", items });
    expect(system.role).toBe("system");
    expect(system.content).toMatch(/- vague: underspecified/);
    expect(system.content).toMatch(/- formal: /);
    expect(system.content).not.toMatch(/- metaphorical:/);
    expect(user.content).toContain("CREATE TABLE airports (name VARCHAR);");
    expect(user.content).toContain("Query q1:\nSELECT count(*) FROM airports WHERE country = 'Peru'\nValues to state: \"Peru\"\nWrite 2 questions, in these styles: formal, vague.");
    expect(user.content).toContain("Write 1 question, in these styles: concise.");
  });

  it("asks for structured output strict decoding accepts", () => {
    const schema = questionAnswerSchema(["formal", "vague", "formal"]) as { required: string[]; additionalProperties: boolean; properties: { questions: { items: { properties: { style: { enum: string[] } }; required: string[]; additionalProperties: boolean } } } };
    expect(schema).toMatchObject({ type: "object", required: ["questions"], additionalProperties: false });
    expect(schema.properties.questions.items.required).toEqual(["query", "style", "question"]);
    expect(schema.properties.questions.items.additionalProperties).toBe(false);
    expect(schema.properties.questions.items.properties.style.enum).toEqual(["formal", "vague"]);
  });

  it("sends only the schema and the question for the round trip", () => {
    const messages = buildRoundTripPrompt("CREATE TABLE t (a INT);", "How many rows?");
    expect(messages.at(-1)!.content).toBe("Database schema:\nCREATE TABLE t (a INT);\n\nQuestion: How many rows?");
    expect(messages[0].content).toMatch(/```sql/);
  });
});

describe("parseQuestionAnswer", () => {
  it("reads fenced or bare JSON, and a bare list", () => {
    const one = { query: "q1", style: "formal", question: "How many?" };
    expect(parseQuestionAnswer("```json\n" + JSON.stringify({ questions: [one] }) + "\n```")).toEqual([one]);
    expect(parseQuestionAnswer(JSON.stringify([one]))).toEqual([one]);
    expect(parseQuestionAnswer(JSON.stringify({ questions: [{ query: 1, question: null }] }))).toEqual([{ query: "", style: "", question: "" }]);
  });

  it("gives null for an answer without questions", () => {
    expect(parseQuestionAnswer("I cannot help with that.")).toBeNull();
    expect(parseQuestionAnswer('{"answer": 3}')).toBeNull();
  });
});

describe("checkQuestion", () => {
  it("requires the values except for vague and metaphorical questions", () => {
    expect(checkQuestion("  How many airports are in Peru? ", "formal", ["Peru"])).toEqual({ ok: true, question: "How many airports are in Peru?" });
    expect(checkQuestion("How many airports are in peru?", "formal", ["Peru"])).toEqual({ ok: false, reason: "missing_literal", detail: "Peru" });
    expect(checkQuestion("How many airports down south?", "vague", ["Peru"]).ok).toBe(true);
    expect(checkQuestion("How many nests does the condor's land hold?", "metaphorical", ["Peru"]).ok).toBe(true);
  });

  it("refuses empty and overlong questions", () => {
    expect(checkQuestion(" \n ", "vague", [])).toEqual({ ok: false, reason: "empty" });
    expect(checkQuestion("x".repeat(MAX_QUESTION_CHARS), "vague", [])).toEqual({ ok: false, reason: "too_long" });
    expect(checkQuestion("x".repeat(MAX_QUESTION_CHARS - 1), "vague", []).ok).toBe(true);
  });
});

describe("sortAnswer", () => {
  it("keeps one question per style asked and rejects the rest with a reason", () => {
    const sorted = sortAnswer(
      items,
      [
        { query: "q1", style: "formal", question: "How many airports are there in Peru?" },
        { query: "q1", style: "formal", question: "What number of airports does Peru have?" },
        { query: "q1", style: "vague", question: "how many airports are there in peru?" },
        { query: "q1", style: "concise", question: "Airports in Peru." },
        { query: "q2", style: "concise", question: "Some airline names." },
        { query: "q9", style: "formal", question: "Who?" },
      ],
      new Map([["q2", new Set(["Five airline names."])]]),
    );
    expect(sorted.accepted).toEqual([{ ref: "q1", style: "formal", question: "How many airports are there in Peru?" }]);
    expect(sorted.rejected.map((r) => `${r.ref}:${r.reason}`)).toEqual(["q1:too_many", "q1:duplicate", "q1:style_not_asked", "q2:missing_literal", "q9:unknown_query"]);
  });

  it("never keeps the text of a question the query already has", () => {
    const sorted = sortAnswer([items[1]], [{ query: "q2", style: "concise", question: "The first 5 airline names." }], new Map([["q2", new Set(["the first 5 airline names."])]]));
    expect(sorted.accepted).toEqual([]);
    expect(sorted.rejected).toEqual([{ ref: "q2", reason: "duplicate" }]);
  });
});

describe("inputs", () => {
  it("defaults the template job to one question per query in every template style", () => {
    expect(templateQuestionsInput.parse({})).toEqual({ styles: ["formal", "colloquial", "imperative", "interrogative", "descriptive", "concise"], perQuery: 1 });
  });

  it("explains what is wrong", () => {
    const message = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;
    expect(message(templateQuestionsInput, { styles: ["vague"] })).toMatch(/"vague" is not a template style.*need a model/);
    expect(message(templateQuestionsInput, { perQuery: 6 })).toBe("At most 5 questions per query.");
    expect(message(templateQuestionsInput, { perQuery: 0 })).toBe("Write at least one question per query.");
    expect(message(templateQuestionsInput, { styles: [] })).toBe("Pick at least one style.");
    expect(message(llmQuestionsInput, { styles: ["formal"] })).toBe("Pick the model endpoint that writes the questions.");
    expect(message(llmQuestionsInput, { endpointId: "e", styles: ["poetic"] })).toMatch(/"poetic" is not a question style/);
    expect(message(roundTripInput, { endpointId: "e", state: "done" })).toMatch(/review state must be one of pending, approved, rejected/);
    expect(llmQuestionsInput.parse({ endpointId: "e", styles: ["vague", "vague", "metaphorical"] })).toEqual({ endpointId: "e", styles: ["vague", "metaphorical"], perQuery: 1, limit: 50, roundTrip: true });
  });
});
