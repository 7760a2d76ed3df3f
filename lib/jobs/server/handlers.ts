import "server-only";
import type { Db } from "@/lib/db/server/client";
import { startWorker, type JobContext, type JobHandler } from "@/lib/jobs/server/worker";
import { startFineTuneFollower } from "@/lib/finetune/server/follow";
import { runAugmentJob, runSandboxJob, SANDBOX_AUGMENT_JOB, SANDBOX_JOB } from "@/lib/sandbox/server/service";
import { QUERIES_JOB, runQueriesJob } from "@/lib/queries/server/service";
import { LLM_QUERIES_JOB, runLlmQueriesJob } from "@/lib/queries/server/llm-generate";
import { runImportJob } from "@/lib/queries/server/import";
import { QUERIES_IMPORT_JOB } from "@/lib/queries/jobs";
import { QUESTIONS_JOB, runQuestionsJob } from "@/lib/questions/server/service";
import { LLM_QUESTIONS_JOB, runLlmQuestionsJob } from "@/lib/questions/server/llm";
import { ROUND_TRIP_JOB, runRoundTripJob } from "@/lib/questions/server/round-trip";
import { EVAL_JOB } from "@/lib/evaluation/server/service";
import { runEvalJob } from "@/lib/evaluation/server/runner";
import { FINETUNE_LAUNCH_JOB } from "@/lib/finetune/server/service";
import { runFineTuneLaunchJob } from "@/lib/finetune/server/launch";

// Job type → service. Handlers hold no logic of their own.
export function getJobHandlers(db: Db): Record<string, JobHandler> {
  return {
    [SANDBOX_JOB]: (ctx) => runSandboxJob(db, ctx as JobContext<never>),
    [SANDBOX_AUGMENT_JOB]: (ctx) => runAugmentJob(db, ctx as JobContext<never>),
    [QUERIES_JOB]: (ctx) => runQueriesJob(db, ctx as JobContext<never>),
    [LLM_QUERIES_JOB]: (ctx) => runLlmQueriesJob(db, ctx as JobContext<never>),
    [QUERIES_IMPORT_JOB]: (ctx) => runImportJob(db, ctx as JobContext<never>),
    [QUESTIONS_JOB]: (ctx) => runQuestionsJob(db, ctx as JobContext<never>),
    [LLM_QUESTIONS_JOB]: (ctx) => runLlmQuestionsJob(db, ctx as JobContext<never>),
    [ROUND_TRIP_JOB]: (ctx) => runRoundTripJob(db, ctx as JobContext<never>),
    [EVAL_JOB]: (ctx) => runEvalJob(db, ctx as JobContext<never>),
    [FINETUNE_LAUNCH_JOB]: (ctx) => runFineTuneLaunchJob(db, ctx as JobContext<never>),
  };
}

export const JOB_LABELS: Record<string, string> = {
  [SANDBOX_JOB]: "Generate sandbox",
  [SANDBOX_AUGMENT_JOB]: "Add rows for empty queries",
  [QUERIES_JOB]: "Generate queries and ground truth",
  [LLM_QUERIES_JOB]: "Generate queries with a model",
  [QUERIES_IMPORT_JOB]: "Import a query log",
  [QUESTIONS_JOB]: "Write questions",
  [LLM_QUESTIONS_JOB]: "Write questions with a model",
  [ROUND_TRIP_JOB]: "Round-trip check of questions",
  [EVAL_JOB]: "Evaluate a model",
  [FINETUNE_LAUNCH_JOB]: "Launch a fine-tune job",
};

/**
 * The studio's background work in one process: a worker for every job type but fine-tune launches,
 * a second one for the launches (they wait on the provider's validation for minutes, and nothing
 * else should queue behind them), and the fine-tune follower.
 */
export function startStudioWorkers(db: Db): { stop(): Promise<void> } {
  const { [FINETUNE_LAUNCH_JOB]: launch, ...rest } = getJobHandlers(db);
  const lanes = [startWorker({ db, handlers: rest }), startWorker({ db, handlers: { [FINETUNE_LAUNCH_JOB]: launch } })];
  const follower = startFineTuneFollower(db);
  return {
    async stop() {
      await Promise.all([...lanes.map((w) => w.stop()), follower.stop()]);
    },
  };
}
