import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { createEmptyFeatures, type QueryFeatures } from "@/lib/queries/features";
import { analyzeSql } from "@/lib/queries/server/analyze";
import {
  ALIGNMENT_TARGETS,
  DEFAULT_NGRAM_MAX,
  MAX_NGRAM,
  SMOOTHING_ALPHA,
  compareWorkloads,
  countWorkloads,
  readStoredFeatures,
  selectAligned,
  type AlignmentQuery,
  type AlignmentSelection,
  type AlignmentTarget,
  type DistributionComparison,
  type RepresentationRow,
} from "@/lib/datasets/alignment";

export const DEFAULT_SELECTION_SIZE = 200;
const MAX_SELECTION_SIZE = 100_000;
const TOP_FEATURES = 30;
const TOP_REPRESENTATION = 8;
const TOP_NGRAMS = 15;
/** Query origins that mean "a person's query log": what importQueryLog stores, and the item origin it becomes. */
const IMPORTED_ORIGINS = ["imported", "import"];
const SQL_LOOKUP_CHUNK = 500;

export const alignmentReportInput = z.object({
  target: z.enum(ALIGNMENT_TARGETS, { message: `Compare against one of: ${ALIGNMENT_TARGETS.join(", ")}.` }).optional(),
  size: z.coerce
    .number()
    .int("The subset size is a whole number of items.")
    .min(1, "Propose a subset of at least 1 item.")
    .max(MAX_SELECTION_SIZE, `Propose a subset of at most ${MAX_SELECTION_SIZE.toLocaleString("en-US")} items.`)
    .optional(),
  ngramMax: z.coerce.number().int().min(1, "n-grams start at n = 1.").max(MAX_NGRAM, `n-grams go up to n = ${MAX_NGRAM}.`).optional(),
});
export type AlignmentReportInput = z.infer<typeof alignmentReportInput>;

export interface FeatureRow {
  key: string;
  /** Share of train's feature tokens (the distribution KL compares). */
  p: number;
  /** Share of the target's feature tokens. */
  q: number;
  /** Share of train queries that have the feature. */
  trainQueryShare: number;
  /** Share of target queries that have the feature. */
  targetQueryShare: number;
}

export interface ScoreSummary {
  /** exp(−kl / c) ∈ [1/e, 1]. */
  akl: number;
  kl: number;
  c: number;
  /** Histogram intersection Σ min(P, Q) ∈ [0, 1]. */
  overlap: number;
  support: number;
  trainTotal: number;
  targetTotal: number;
  over: RepresentationRow[];
  under: RepresentationRow[];
}

export interface AlignmentReport {
  target: AlignmentTarget;
  /** No target was asked for: imported logs when the project has any, else the test split. */
  targetChosen: boolean;
  versionNumber: number;
  sizes: { train: number; target: number };
  ngramMax: number;
  smoothingAlpha: number;
  features: ScoreSummary & { rows: FeatureRow[] };
  ngrams: ScoreSummary & {
    trainDistinct: number;
    targetDistinct: number;
    shared: number;
    /** Share of the target's n-gram mass on n-grams train also has. */
    targetCoverage: number;
    /** Shared n-grams with the most common mass (min of both shares) first. */
    topShared: { ngram: string; p: number; q: number }[];
    /** The target's most frequent n-grams that train never has. */
    topMissing: { ngram: string; q: number }[];
  };
  selection: AlignmentSelection;
}

function summarize(cmp: DistributionComparison): ScoreSummary {
  return {
    akl: cmp.akl,
    kl: cmp.kl,
    c: cmp.c,
    overlap: cmp.overlap,
    support: cmp.support,
    trainTotal: cmp.trainTotal,
    targetTotal: cmp.targetTotal,
    over: cmp.over.slice(0, TOP_REPRESENTATION),
    under: cmp.under.slice(0, TOP_REPRESENTATION),
  };
}

interface StoredQuery {
  id: string;
  sql: string;
  features: string;
}

/**
 * Parsed features of each stored query. Items frozen before features were copied onto them read
 * them from the project's query with the same SQL; a SQL no query holds any more is analysed again.
 */
async function withFeatures(db: Db, projectId: string, rows: StoredQuery[]): Promise<AlignmentQuery[]> {
  const out: AlignmentQuery[] = [];
  const missing: { index: number; sql: string }[] = [];
  for (const row of rows) {
    const features = readStoredFeatures(row.features);
    if (!features) missing.push({ index: out.length, sql: row.sql });
    out.push({ id: row.id, sql: row.sql, features: features ?? createEmptyFeatures() });
  }
  if (missing.length === 0) return out;
  const known = new Map<string, QueryFeatures>();
  const sqls = [...new Set(missing.map((m) => m.sql))];
  for (let i = 0; i < sqls.length; i += SQL_LOOKUP_CHUNK) {
    const found = await db.query.findMany({ where: { projectId, sql: { in: sqls.slice(i, i + SQL_LOOKUP_CHUNK) } }, select: { sql: true, features: true } });
    for (const q of found) {
      const features = readStoredFeatures(q.features);
      if (features) known.set(q.sql, features);
    }
  }
  for (const { index, sql } of missing) {
    let features = known.get(sql);
    if (!features) {
      const analysis = await analyzeSql(sql);
      features = analysis.ok ? analysis.features : createEmptyFeatures();
      known.set(sql, features);
    }
    out[index]!.features = features;
  }
  return out;
}

function emptyTargetMessage(target: AlignmentTarget, versionNumber: number): string {
  switch (target) {
    case "imported":
      return "No imported queries yet: import a query log on the Queries page to compare this version's training split against your real workload, or compare against the test split.";
    case "test":
      return `Version ${versionNumber} has no test items to compare against. Compare against imported query logs, or freeze a version with a test split.`;
    case "heldout":
      return `Version ${versionNumber} has no held-out items. Held-out items come from imported query logs when a version is frozen: import a query log on the Queries page and freeze a new version, or compare against the test split.`;
  }
}

/**
 * How well the version's training split (items not excluded) matches a target workload: the
 * project's imported queries (executed or not) or the version's test or held-out split. Without a
 * target, imported queries are used when the project has any, else the test split.
 */
export async function getAlignmentReport(db: Db, projectId: string, versionId: string, input: AlignmentReportInput = {}): Promise<AlignmentReport> {
  const version = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, select: { id: true, version: true } });
  if (!version) throw new NotFoundError("This dataset version does not exist in this project.");
  const ngramMax = input.ngramMax ?? DEFAULT_NGRAM_MAX;

  let target: AlignmentTarget;
  if (input.target) target = input.target;
  else target = (await db.query.count({ where: { projectId, origin: { in: IMPORTED_ORIGINS } } })) > 0 ? "imported" : "test";

  const itemSelect = { id: true, sql: true, features: true } as const;
  const [trainRows, targetRows] = await Promise.all([
    db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: "train", excluded: false }, select: itemSelect, orderBy: { id: "asc" } }),
    target === "imported"
      ? db.query.findMany({ where: { projectId, origin: { in: IMPORTED_ORIGINS } }, select: itemSelect, orderBy: { id: "asc" } })
      : db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: target, excluded: false }, select: itemSelect, orderBy: { id: "asc" } }),
  ]);
  if (targetRows.length === 0) throw new ValidationError(emptyTargetMessage(target, version.version));
  if (trainRows.length === 0) {
    throw new ValidationError(`Version ${version.version} has no training items to compare (all of them are excluded). Freeze a new version with training pairs.`);
  }
  const train = await withFeatures(db, projectId, trainRows);
  const targetQueries = await withFeatures(db, projectId, targetRows);

  const counts = countWorkloads(train, targetQueries, ngramMax);
  const cmp = compareWorkloads(counts, { topK: TOP_REPRESENTATION });
  const size = Math.min(input.size ?? DEFAULT_SELECTION_SIZE, train.length);
  const selection = selectAligned(train, targetQueries, { size, ngramMax, counts });

  const featureRows = cmp.features.rows.slice(0, TOP_FEATURES).map((r) => ({
    key: r.key,
    p: r.p,
    q: r.q,
    trainQueryShare: r.trainCount / train.length,
    targetQueryShare: r.targetCount / targetQueries.length,
  }));
  let trainDistinct = 0;
  let targetDistinct = 0;
  let shared = 0;
  const sharedRows: { ngram: string; p: number; q: number }[] = [];
  const missingRows: { ngram: string; q: number }[] = [];
  for (const r of cmp.ngrams.rows) {
    if (r.trainCount > 0) trainDistinct++;
    if (r.targetCount > 0) targetDistinct++;
    if (r.trainCount > 0 && r.targetCount > 0) {
      shared++;
      sharedRows.push({ ngram: r.key, p: r.p, q: r.q });
    } else if (r.targetCount > 0) missingRows.push({ ngram: r.key, q: r.q });
  }
  sharedRows.sort((a, b) => Math.min(b.p, b.q) - Math.min(a.p, a.q) || a.ngram.localeCompare(b.ngram));
  // Rows come by max(p, q) first, so the missing ones are already by q.

  return {
    target,
    targetChosen: !input.target,
    versionNumber: version.version,
    sizes: { train: train.length, target: targetQueries.length },
    ngramMax,
    smoothingAlpha: SMOOTHING_ALPHA,
    features: { ...summarize(cmp.features), rows: featureRows },
    ngrams: {
      ...summarize(cmp.ngrams),
      trainDistinct,
      targetDistinct,
      shared,
      targetCoverage: cmp.ngrams.targetCoverage,
      topShared: sharedRows.slice(0, TOP_NGRAMS),
      topMissing: missingRows.slice(0, TOP_NGRAMS),
    },
    selection,
  };
}
