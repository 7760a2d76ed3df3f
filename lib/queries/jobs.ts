// Job types of the queries module, shared with modules that queue its work (a new sandbox queues
// re-execution of every query's ground truth).
export const QUERIES_JOB = "queries.generate";
export const QUERIES_IMPORT_JOB = "queries.import";

export interface QueriesJobPayload {
  max: number;
  seed: number;
  shapes?: string[];
  /** Generate nothing: only (re-)execute ground truth on the active sandbox and its variants. */
  executeOnly?: boolean;
}
