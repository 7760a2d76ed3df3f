import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { ValidationError } from "@/lib/errors";
import { deriveSeed } from "@/lib/queries/rng";
import type { SchemaModel } from "@/lib/schema/model";
import type { QuestionSeed } from "@/lib/queries/templates";
import { applyVocabulary, buildVocabulary, type Vocabulary } from "@/lib/questions/glossary";
import { templateQuestionsInput, type TemplateQuestionsInput } from "@/lib/questions/input";
import { TEMPLATE_STYLES, type TemplateStyle } from "@/lib/questions/styles";
import { planQuestions } from "@/lib/questions/templates";

export const QUESTIONS_JOB = "questions.generate";

export interface QuestionsJobPayload {
  styles?: TemplateStyle[];
  perQuery?: number;
}

export interface QuestionsJobResult {
  written: number;
  /** Queries that got at least one new question. */
  queries: number;
  /** Queries that already had as many template questions as asked for. */
  complete: number;
  /** Queries whose templates have fewer distinct phrasings than asked for. */
  short: number;
}

/** One questions job per project at a time (templates, a model, or a round trip). */
export function questionsActiveKey(projectId: string): string {
  return `questions:${projectId}`;
}

export function parseTemplateQuestionsInput(raw: unknown): TemplateQuestionsInput {
  const parsed = templateQuestionsInput.safeParse(raw ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ValidationError(`${first?.path.length ? `${first.path.join(".")}: ` : ""}${first?.message ?? "The request is not valid."}`);
  }
  return parsed.data;
}

/** Queue template questions; without options, one question per query in rotating styles. */
export async function requestQuestionGeneration(db: Db, projectId: string, userId?: string | null, raw: unknown = {}) {
  const input = parseTemplateQuestionsInput(raw);
  await getProject(db, projectId);
  const ready = await db.query.count({ where: { projectId, result: { not: null } } });
  if (!ready) throw new ValidationError("No executed queries yet. Generate queries on the Queries page first.");
  const payload: QuestionsJobPayload = { styles: input.styles, perQuery: input.perQuery };
  return enqueueJob(db, { type: QUESTIONS_JOB, projectId, payload, activeKey: questionsActiveKey(projectId), createdById: userId });
}

/** The project's glossary as a vocabulary of short terms (sensitive entries left out). */
export async function getProjectVocabulary(db: Db, projectId: string): Promise<Vocabulary> {
  const entries = await db.glossaryEntry.findMany({ where: { projectId }, select: { tableName: true, columnName: true, description: true, sensitive: true } });
  return buildVocabulary(entries);
}

/**
 * Job handler: up to `perQuery` template questions per executed template query, each a different
 * text, in the glossary's words. Only what is missing is written (a query's template questions
 * are counted, and a text it already has is never written again), so a re-run or a resumed
 * attempt adds nothing twice.
 */
export async function runQuestionsJob(db: Db, ctx: JobContext<QuestionsJobPayload>) {
  const projectId = ctx.projectId!;
  const styles = ctx.payload.styles?.length ? ctx.payload.styles.filter((s) => (TEMPLATE_STYLES as readonly string[]).includes(s)) : [...TEMPLATE_STYLES];
  const perQuery = Math.max(1, Math.min(5, Math.floor(ctx.payload.perQuery ?? 1)));
  const vocabulary = await getProjectVocabulary(db, projectId);
  const queries = await db.query.findMany({
    where: { projectId, result: { not: null }, questionSeed: { not: null } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, sql: true, questionSeed: true, schemaVersionId: true, pairs: { select: { question: true, questionSource: true } } },
  });
  const models = new Map<string, SchemaModel | null>();
  const modelOf = async (id: string | null) => {
    if (!id || vocabulary.size === 0) return null;
    if (!models.has(id)) {
      const version = await db.schemaVersion.findUnique({ where: { id }, select: { model: true } });
      models.set(id, version ? (JSON.parse(version.model) as SchemaModel) : null);
    }
    return models.get(id) ?? null;
  };
  const result: QuestionsJobResult = { written: 0, queries: 0, complete: 0, short: 0 };
  for (const [i, q] of queries.entries()) {
    if (i % 25 === 0) await ctx.progress(Math.round((i / Math.max(1, queries.length)) * 98), `Wrote ${result.written} questions for ${i} of ${queries.length} queries…`);
    const have = q.pairs.filter((p) => p.questionSource === "template").length;
    if (have >= perQuery) {
      result.complete++;
      continue;
    }
    let seed = JSON.parse(q.questionSeed!) as QuestionSeed;
    const model = await modelOf(q.schemaVersionId);
    if (model) seed = applyVocabulary(seed, model, q.sql, vocabulary);
    const existing = new Set(q.pairs.map((p) => p.question));
    // Planned past the count so a text the query already has is replaced by the next phrasing.
    const plan = planQuestions(seed, styles, perQuery + existing.size, i, deriveSeed(7, q.id)).filter((p) => !existing.has(p.question));
    const fresh = plan.slice(0, perQuery - have);
    if (fresh.length < perQuery - have) result.short++;
    if (fresh.length === 0) continue;
    await db.pair.createMany({ data: fresh.map((p) => ({ projectId, queryId: q.id, question: p.question, style: p.style, questionSource: "template" })) });
    result.written += fresh.length;
    result.queries++;
  }
  await db.$transaction((tx) =>
    recordAudit(tx, { projectId, action: "questions.generate", entityType: "pair", summary: `Wrote ${result.written} template questions (${perQuery} per query, styles: ${styles.join(", ")})` }),
  );
  const message = `Wrote ${result.written} ${result.written === 1 ? "question" : "questions"} for ${result.queries} ${result.queries === 1 ? "query" : "queries"}.${result.short ? ` ${result.short} ${result.short === 1 ? "query has" : "queries have"} fewer distinct phrasings than asked for.` : ""}`;
  return { message, result };
}
