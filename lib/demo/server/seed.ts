import "server-only";
import type { Db } from "@/lib/db/server/client";
import { startWorker } from "@/lib/jobs/server/worker";
import { getJobHandlers } from "@/lib/jobs/server/handlers";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestQuestionGeneration } from "@/lib/questions/server/service";
import { decidePair } from "@/lib/review/server/service";
import { submitSecondReview } from "@/lib/review/server/second-review";
import { freezeDatasetVersion, signOffDatasetVersion } from "@/lib/datasets/server/service";
import { ensureBaselineEndpoint } from "@/lib/evaluation/server/endpoints";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { DEMO_USERS, ensureDemoUsers } from "@/lib/auth/server/users";

export const DEMO_PROJECT_NAME = "OpenFlights demo";

/**
 * Create (or finish creating) the demo project: every stage from schema to an evaluated baseline.
 * Each step checks what is already there, so running it again, or after an interrupted run,
 * neither duplicates nor breaks anything.
 */
export async function ensureDemoProject(db: Db, log: (line: string) => void = () => {}): Promise<{ projectId: string; created: boolean }> {
  let project = await db.project.findFirst({ where: { isDemo: true } });
  const created = !project;
  if (!project) {
    project = await createProject(db, { name: DEMO_PROJECT_NAME, description: "Airlines, airports, countries, planes and routes, shaped like OpenFlights. Built offline from the schema alone." });
    await db.project.update({ where: { id: project.id }, data: { isDemo: true } });
  }
  const projectId = project.id;
  await ensureDemoUsers(db, projectId);
  const idOf = async (role: string) => (await db.user.findUniqueOrThrow({ where: { email: DEMO_USERS.find((u) => u.role === role)!.email } })).id;
  const [leadId, analystId] = [await idOf("data_lead"), await idOf("analyst")];
  const worker = startWorker({ db, handlers: getJobHandlers(db), pollMs: 50 });
  try {
    if (!(await db.schemaVersion.count({ where: { projectId } }))) {
      await ingestDdl(db, projectId, OPENFLIGHTS_DDL, leadId);
      log("schema: 5 tables");
    }
    if (!(await db.project.findUniqueOrThrow({ where: { id: projectId } })).activeSandboxId) {
      await requestSandboxGeneration(db, projectId, { seed: 42, tableRows: OPENFLIGHTS_ROWS }, leadId);
      await worker.drain();
      log("sandbox: generated");
    }
    if (!(await db.query.count({ where: { projectId } }))) {
      await requestQueryGeneration(db, projectId, { max: 200, seed: 7 }, analystId);
      await worker.drain();
      log(`queries: ${await db.query.count({ where: { projectId, result: { not: null } } })} executed`);
    }
    if (!(await db.pair.count({ where: { projectId } }))) {
      await requestQuestionGeneration(db, projectId, analystId);
      await worker.drain();
      log(`questions: ${await db.pair.count({ where: { projectId } })} pairs`);
    }
    if (!(await db.pair.count({ where: { projectId, reviewState: { not: "pending" } } }))) {
      // A first review pass, as an analyst would do it: approve pairs whose SQL returns rows,
      // reject the ones that return nothing, and leave some pending to try the workspace on.
      const pairs = await db.pair.findMany({ where: { projectId }, include: { query: { select: { resultRowCount: true } } }, orderBy: { createdAt: "asc" } });
      for (const [i, p] of pairs.entries()) {
        if (i % 6 === 5) continue;
        await decidePair(db, projectId, p.id, { action: p.query.resultRowCount ? "approve" : "reject", revision: p.revision }, analystId);
      }
      log("review: first pass done");
    }
    if (!(await db.secondReview.count({ where: { projectId } }))) {
      // A blind second review by the data lead of 30 of the analyst's decisions: 24 judged (three of
      // them differently), 6 left in the lead's queue, so progress and agreement have something to show.
      const decided = await db.pair.findMany({
        where: { projectId, reviewState: { not: "pending" }, secondReviewerId: null },
        orderBy: { createdAt: "asc" },
        take: 30,
        select: { id: true, reviewState: true },
      });
      await db.pair.updateMany({ where: { id: { in: decided.map((p) => p.id) } }, data: { assigneeId: analystId, secondReviewerId: leadId } });
      for (const [i, p] of decided.slice(0, 24).entries()) {
        const agrees = i % 8 !== 3;
        const approve = (p.reviewState === "approved") === agrees;
        await submitSecondReview(db, projectId, p.id, leadId, approve ? { decision: "approve" } : { decision: "reject", reason: "ambiguous_question" });
      }
      log("review: blind second review of 24 pairs by the data lead");
    }
    let version = await db.datasetVersion.findFirst({ where: { projectId }, orderBy: { version: "asc" } });
    if (!version) {
      version = await freezeDatasetVersion(db, projectId, { name: "Demo baseline set", testFraction: 0.2, seed: 13 }, leadId);
      log(`dataset: v${version.version} (${version.trainCount} train / ${version.testCount} test)`);
    }
    if (version.approvalState !== "signed_off") await signOffDatasetVersion(db, projectId, version.id, leadId);
    if (!(await db.evalRun.count({ where: { projectId } }))) {
      const endpoint = await ensureBaselineEndpoint(db, projectId);
      await startEvalRun(db, projectId, { datasetVersionId: version.id, endpointId: endpoint.id, compare: {} }, leadId);
      await worker.drain();
      const run = await db.evalRun.findFirst({ where: { projectId } });
      log(`evaluation: retrieval baseline ${((run?.accuracy ?? 0) * 100).toFixed(1)}% on ${run?.total} test questions`);
    }
  } finally {
    await worker.stop();
  }
  return { projectId, created };
}
