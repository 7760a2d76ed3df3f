import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { CreateProjectInput } from "@/lib/projects/schemas";

export async function createProject(db: Db, input: CreateProjectInput, userId?: string | null) {
  const clash = await db.project.findFirst({ where: { name: input.name }, select: { id: true } });
  if (clash) throw new ConflictError(`A project named "${input.name}" already exists. Pick another name or open the existing project.`);
  try {
    return await db.$transaction(async (tx) => {
      const project = await tx.project.create({ data: { name: input.name, description: input.description } });
      // The creator administers the project.
      if (userId) await tx.projectMember.create({ data: { projectId: project.id, userId, role: "admin" } });
      await recordAudit(tx, { projectId: project.id, userId, action: "project.create", entityType: "project", entityId: project.id, summary: `Created project ${project.name}` });
      return project;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError(`A project named "${input.name}" already exists. Pick another name or open the existing project.`);
    throw error;
  }
}

export async function getProject(db: Db, projectId: string) {
  const project = await db.project.findUnique({ where: { id: projectId } });
  if (!project) throw new NotFoundError("This project does not exist. It may have been deleted; pick one from the project list.");
  return project;
}

/** The projects a person can see: those they are a member of (a studio admin sees all). */
export async function listProjects(db: Db, user: { id: string; isAdmin: boolean }) {
  const projects = await db.project.findMany({
    where: user.isAdmin ? {} : { members: { some: { userId: user.id } } },
    orderBy: { createdAt: "desc" },
    include: { _count: { select: { pairs: true, datasetVersions: true, evalRuns: true } } },
  });
  return projects.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    isDemo: p.isDemo,
    createdAt: p.createdAt.toISOString(),
    pairCount: p._count.pairs,
    datasetCount: p._count.datasetVersions,
    evalRunCount: p._count.evalRuns,
  }));
}

export type StageKey = "schema" | "sandbox" | "queries" | "review" | "datasets" | "jobs" | "evaluations";

/** What each pipeline stage holds, for the project overview and the stage navigation. */
export async function getProjectOverview(db: Db, projectId: string) {
  const project = await getProject(db, projectId);
  const [schema, sandbox, queryCount, executed, pairsByState, datasets, runs, bestRun, fineTunes] = await Promise.all([
    db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true, tableCount: true } }),
    project.activeSandboxId ? db.sandbox.findUnique({ where: { id: project.activeSandboxId }, select: { rowCounts: true, bytes: true, seed: true } }) : null,
    db.query.count({ where: { projectId } }),
    db.query.count({ where: { projectId, result: { not: null } } }),
    db.pair.groupBy({ by: ["reviewState"], where: { projectId }, _count: { _all: true } }),
    db.datasetVersion.count({ where: { projectId } }),
    db.evalRun.count({ where: { projectId } }),
    db.evalRun.findFirst({ where: { projectId, status: "succeeded" }, orderBy: { accuracy: "desc" }, include: { endpoint: { select: { name: true } } } }),
    db.fineTuneJob.groupBy({ by: ["state"], where: { projectId }, _count: { _all: true } }),
  ]);
  const jobsByState = Object.fromEntries(fineTunes.map((g) => [g.state, g._count._all])) as Record<string, number>;
  const jobCount = Object.values(jobsByState).reduce((a, b) => a + b, 0);
  const jobsActive = jobCount - (jobsByState.completed ?? 0) - (jobsByState.failed ?? 0) - (jobsByState.cancelled ?? 0);
  const pairs = Object.fromEntries(pairsByState.map((g) => [g.reviewState, g._count._all])) as Record<string, number>;
  const rows = sandbox ? Object.values(JSON.parse(sandbox.rowCounts) as Record<string, number>).reduce((a, b) => a + b, 0) : 0;
  return {
    project: { id: project.id, name: project.name, description: project.description, isDemo: project.isDemo },
    stages: {
      schema: schema ? { done: true, label: `v${schema.version} · ${schema.tableCount} tables` } : { done: false, label: "Paste your DDL" },
      sandbox: sandbox ? { done: true, label: `${rows.toLocaleString("en-US")} rows · seed ${sandbox.seed}` } : { done: false, label: "Not generated" },
      queries: queryCount ? { done: executed > 0, label: `${queryCount} queries · ${executed} executed` } : { done: false, label: "None yet" },
      review: {
        done: (pairs.approved ?? 0) > 0,
        label: `${pairs.pending ?? 0} pending · ${pairs.approved ?? 0} approved · ${pairs.rejected ?? 0} rejected`,
      },
      datasets: datasets ? { done: true, label: `${datasets} version${datasets === 1 ? "" : "s"}` } : { done: false, label: "None frozen" },
      jobs: jobCount
        ? { done: (jobsByState.completed ?? 0) > 0, label: `${jobCount} job${jobCount === 1 ? "" : "s"} · ${jobsActive ? `${jobsActive} active` : `${jobsByState.completed ?? 0} completed`}` }
        : { done: false, label: "No jobs" },
      evaluations: runs
        ? { done: true, label: bestRun?.accuracy != null ? `${runs} run${runs === 1 ? "" : "s"} · best ${(bestRun.accuracy * 100).toFixed(1)}% (${bestRun.endpoint.name})` : `${runs} runs` }
        : { done: false, label: "No runs" },
    } satisfies Record<StageKey, { done: boolean; label: string }>,
  };
}
