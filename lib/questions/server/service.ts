import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { ValidationError } from "@/lib/errors";
import { pickStyle, writeQuestion } from "@/lib/questions/templates";
import type { QuestionSeed } from "@/lib/queries/templates";

export const QUESTIONS_JOB = "questions.generate";

export async function requestQuestionGeneration(db: Db, projectId: string, userId?: string | null) {
  await getProject(db, projectId);
  const ready = await db.query.count({ where: { projectId, result: { not: null } } });
  if (!ready) throw new ValidationError("No executed queries yet. Generate queries on the Queries page first.");
  return enqueueJob(db, { type: QUESTIONS_JOB, projectId, activeKey: `questions:${projectId}`, createdById: userId });
}

/** Job handler: one question per executed query that has none yet (safe to re-run after a crash). */
export async function runQuestionsJob(db: Db, ctx: JobContext<Record<string, never>>) {
  const projectId = ctx.projectId!;
  const queries = await db.query.findMany({
    where: { projectId, result: { not: null }, questionSeed: { not: null }, pairs: { none: {} } },
    orderBy: { createdAt: "asc" },
    select: { id: true, questionSeed: true },
  });
  const offset = await db.pair.count({ where: { projectId } });
  let written = 0;
  for (const [i, q] of queries.entries()) {
    const seed = JSON.parse(q.questionSeed!) as QuestionSeed;
    const style = pickStyle(offset + i);
    await db.pair.create({ data: { projectId, queryId: q.id, question: writeQuestion(seed, style, offset + i), style } });
    written++;
    if (i % 25 === 0) await ctx.progress(Math.round((i / Math.max(1, queries.length)) * 98), `Wrote ${written} of ${queries.length} questions…`);
  }
  await db.$transaction((tx) => recordAudit(tx, { projectId, action: "questions.generate", entityType: "pair", summary: `Wrote ${written} template questions` }));
  return { message: `Wrote ${written} questions.`, result: { written } };
}
