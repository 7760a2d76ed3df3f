// Drive the pipeline through its services, the way the pages and the demo do.
import type { Db } from "@/lib/db/server/client";
import { startWorker, type RunningWorker } from "@/lib/jobs/server/worker";
import { getJobHandlers } from "@/lib/jobs/server/handlers";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestQuestionGeneration } from "@/lib/questions/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

export const SMALL_ROWS: Record<string, number> = { countries: 30, airlines: 60, airports: 120, planes: 20, routes: 600 };

export function startTestWorker(db: Db): RunningWorker {
  return startWorker({ db, handlers: getJobHandlers(db), pollMs: 20 });
}

/** A project with schema, sandbox, executed queries and questions. */
export async function buildProjectToReview(db: Db, name = "Flights"): Promise<string> {
  const project = await createProject(db, { name, description: "" });
  await ingestDdl(db, project.id, OPENFLIGHTS_DDL);
  const worker = startTestWorker(db);
  try {
    // No test-suite variants: the tests that need them ask for them.
    await requestSandboxGeneration(db, project.id, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
    await worker.drain();
    await requestQueryGeneration(db, project.id, { max: 120, seed: 7 });
    await worker.drain();
    await requestQuestionGeneration(db, project.id);
    await worker.drain();
  } finally {
    await worker.stop();
  }
  return project.id;
}
