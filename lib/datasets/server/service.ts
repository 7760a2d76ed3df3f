import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { listReadyVariants, requireActiveSandbox } from "@/lib/sandbox/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema } from "@/lib/schema/model";
import { renderSchemaPrompt } from "@/lib/schema/prompt";
import { splitDataset, type SplitName } from "@/lib/datasets/split";
import { splitReport, tablesOf } from "@/lib/datasets/report";
import {
  buildSystemPrompt,
  DEFAULT_INSTRUCTIONS,
  PROMPT_FORMATS,
  promptFor,
  relevantTables,
  renderSchemaText,
  schemaSubset,
  userTemplateProblem,
} from "@/lib/datasets/prompt";
import { openBlockingFindings } from "@/lib/datasets/server/findings-gate";
import { runScan } from "@/lib/datasets/server/scan";
import { logger } from "@/lib/log";
import { listDatasetReviews, signOffDatasetVersion as signOff } from "@/lib/datasets/server/sign-off";
import { parseOrThrow } from "@/lib/validate";

export const freezeDatasetInput = z.object({
  name: z.string().trim().max(120, "Keep the name under 120 characters.").optional(),
  description: z.string().trim().max(2000, "Keep the description under 2,000 characters.").optional(),
  testFraction: z.coerce.number().min(0.05, "Hold out at least 5% for testing.").max(0.5, "Hold out at most 50% for testing.").default(0.2),
  validationFraction: z.coerce.number().min(0, "The validation share cannot be negative.").max(0.3, "Hold out at most 30% for validation.").default(0),
  seed: z.coerce.number().int("The seed must be a whole number.").min(0, "The seed cannot be negative.").max(2_147_483_647, "The seed is too large.").default(13),
  promptFormat: z.enum(PROMPT_FORMATS, { message: `The prompt format must be one of: ${PROMPT_FORMATS.join(", ")}.` }).default("full"),
  instructions: z.string().trim().max(4000, "Keep the instructions under 4,000 characters.").optional(),
  userTemplate: z
    .string()
    .max(4000, "Keep the user template under 4,000 characters.")
    .optional()
    .refine((t) => !t || userTemplateProblem(t) === null, { message: "The user template must contain {question} where the question goes, e.g. \"Question: {question}\"." }),
  heldOutFromImports: z.boolean().default(false),
});

export type FreezeDatasetInput = z.input<typeof freezeDatasetInput>;


function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Freeze the approved pairs (with their ground truth on the active sandbox) into an immutable
 * dataset version: items are copies, so later review edits never change it. Split train /
 * validation / test so that no query structure lands in two splits; pairs from imported query logs
 * (and every pair sharing their templates) can be kept apart as a held-out set.
 */
export async function freezeDatasetVersion(db: Db, projectId: string, raw: FreezeDatasetInput, userId?: string | null) {
  const input = parseOrThrow(freezeDatasetInput, raw);
  await getProject(db, projectId);
  const sandbox = await requireActiveSandbox(db, projectId);
  const pairs = await db.pair.findMany({
    where: { projectId, reviewState: "approved", query: { result: { not: null }, resultSandboxId: sandbox.id } },
    include: { query: true },
    orderBy: { createdAt: "asc" },
  });
  if (pairs.length < 2) {
    throw new ValidationError(
      pairs.length === 0
        ? "There are no approved pairs yet. Approve pairs on the Review page, then freeze a version."
        : "Only one pair is approved. Approve at least two so there is something to train on and something to test on.",
    );
  }
  const imported = pairs.filter((p) => p.query.origin === "imported").length;
  if (input.heldOutFromImports && imported === 0) {
    throw new ValidationError("None of the approved pairs come from imported query logs, so there is nothing to hold out. Import a query log and approve some of its pairs, or untick the held-out option.");
  }
  const templateOf = (p: (typeof pairs)[number]) => p.query.templateHash || p.query.sql;
  const split = splitDataset(
    pairs.map((p) => ({
      id: p.id,
      templateHash: templateOf(p),
      complexity: p.query.complexity,
      shape: p.query.shape,
      heldOut: input.heldOutFromImports && p.query.origin === "imported",
    })),
    { testFraction: input.testFraction, validationFraction: input.validationFraction, seed: input.seed },
  );
  const counts: Record<SplitName, number> = { train: 0, validation: 0, test: 0, heldout: 0 };
  for (const side of split.values()) counts[side]++;
  if (counts.train === 0 || counts.test === 0) {
    throw new ValidationError(
      counts.heldout > 0 && counts.train + counts.test + counts.validation < 2
        ? `Holding out the imported pairs leaves ${plural(counts.train + counts.test + counts.validation, "pair")} to train and test on. Approve more generated pairs, or untick the held-out option.`
        : "The approved pairs share too few query structures to split into train and test. Approve pairs of more shapes.",
    );
  }

  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const effective = toEffectiveSchema(schema.model);
  // Sensitive columns never reach a prompt (and so never an export or a model).
  const sensitive = new Set(effective.tables.flatMap((t) => t.columns.filter((c) => c.sensitive).map((c) => `${t.name}.${c.name}`)));
  const instructions = input.instructions || DEFAULT_INSTRUCTIONS;
  const systemPrompt = buildSystemPrompt(renderSchemaText(input.promptFormat === "compact" ? "compact" : "full", effective, { excludeColumns: sensitive }), instructions);
  // "relevant": each item carries only the tables its SQL reads and those its joins pass through.
  const itemPrompts = new Map<string, string>();
  const itemPrompt = (tables: string[]) => {
    const names = relevantTables(effective, tables);
    const key = names.join("\u0000");
    let text = itemPrompts.get(key);
    if (text === undefined) {
      text = buildSystemPrompt(renderSchemaPrompt(schemaSubset(effective, names.length ? names : effective.tables.map((t) => t.name)), { excludeColumns: sensitive }), instructions);
      itemPrompts.set(key, text);
    }
    return text;
  };
  const variants = await listReadyVariants(db, sandbox.id);
  const items = pairs.map((p) => ({
    pairId: p.id,
    split: split.get(p.id) ?? "train",
    question: p.question,
    style: p.style,
    sql: p.query.sql,
    result: p.query.result!,
    topLevelOrderBy: p.query.topLevelOrderBy,
    complexity: p.query.complexity,
    shape: p.query.shape,
    templateHash: templateOf(p),
    origin: p.query.origin,
    features: p.query.features,
    systemPrompt: input.promptFormat === "relevant" ? itemPrompt(tablesOf(p.query.features)) : null,
  }));
  const version = await insertVersion();
  // Every version is scanned as it is frozen (PII, sensitive columns, reserved strings, duplicates,
  // weak labels, size limits); its findings gate the sign-off.
  try {
    await runScan(db, projectId, version.id, userId);
  } catch (error) {
    // The version is kept; it stays unscanned (and so cannot be submitted) until "Scan again" works.
    logger.error("dataset.scan_failed", { versionId: version.id, error: error instanceof Error ? error.message : String(error) });
  }
  return version;

  async function insertVersion() {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.$transaction(async (tx) => {
          const last = await tx.datasetVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true } });
          const versionNo = (last?.version ?? 0) + 1;
          const version = await tx.datasetVersion.create({
            data: {
              projectId,
              version: versionNo,
              name: input.name || `Version ${versionNo}`,
              description: input.description ?? "",
              seed: input.seed,
              testFraction: input.testFraction,
              validationFraction: input.validationFraction,
              promptFormat: input.promptFormat,
              userTemplate: input.userTemplate?.trim() ? input.userTemplate : "",
              systemPrompt,
              itemCount: items.length,
              trainCount: counts.train,
              validationCount: counts.validation,
              testCount: counts.test,
              heldOutCount: counts.heldout,
              schemaVersionId: sandbox.schemaVersionId,
              sandboxId: sandbox.id,
              variantSandboxIds: JSON.stringify(variants.map((v) => v.id)),
              createdById: userId ?? null,
            },
          });
          await tx.datasetItem.createMany({ data: items.map((i) => ({ ...i, datasetVersionId: version.id })) });
          const parts = [`${counts.train} train`, ...(counts.validation ? [`${counts.validation} validation`] : []), `${counts.test} test`, ...(counts.heldout ? [`${counts.heldout} held out`] : [])];
          await recordAudit(tx, {
            projectId,
            userId,
            action: "dataset.freeze",
            entityType: "dataset_version",
            entityId: version.id,
            summary: `Froze v${versionNo}: ${items.length} pairs (${parts.join(" / ")}), ${input.promptFormat} prompt`,
          });
          return version;
        });
      } catch (error) {
        // Two freezes at once both read the same last version number; the loser tries the next one.
        if ((error as { code?: string }).code === "P2002" && attempt < 3) continue;
        throw error;
      }
    }
  }
}

async function userNames(db: Db, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  if (unique.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true, email: true } });
  return new Map(users.map((u) => [u.id, u.name || u.email]));
}

export async function listDatasetVersions(db: Db, projectId: string) {
  await getProject(db, projectId);
  const versions = await db.datasetVersion.findMany({ where: { projectId }, orderBy: { version: "desc" }, include: { _count: { select: { exports: true, evalRuns: true } } } });
  const names = await userNames(db, versions.flatMap((v) => [v.approvedById, v.createdById]));
  return versions.map((v) => ({
    id: v.id,
    version: v.version,
    name: v.name,
    description: v.description,
    approvalState: v.approvalState,
    promptFormat: v.promptFormat,
    itemCount: v.itemCount,
    trainCount: v.trainCount,
    validationCount: v.validationCount,
    testCount: v.testCount,
    heldOutCount: v.heldOutCount,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdById ? (names.get(v.createdById) ?? null) : null,
    approvedAt: v.approvedAt?.toISOString() ?? null,
    approvedBy: v.approvedById ? (names.get(v.approvedById) ?? null) : null,
    exportCount: v._count.exports,
    evalRunCount: v._count.evalRuns,
  }));
}

export async function getDatasetVersion(db: Db, projectId: string, versionId: string) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, include: { exports: { orderBy: { createdAt: "desc" } } } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  const [reportItems, items, example, reviews, openBlocking, names] = await Promise.all([
    db.datasetItem.findMany({ where: { datasetVersionId: versionId }, select: { split: true, complexity: true, shape: true, templateHash: true, features: true } }),
    db.datasetItem.findMany({
      where: { datasetVersionId: versionId },
      orderBy: [{ split: "asc" }, { complexity: "asc" }, { id: "asc" }],
      select: { id: true, pairId: true, split: true, question: true, sql: true, complexity: true, shape: true, excluded: true },
      take: 500,
    }),
    db.datasetItem.findFirst({ where: { datasetVersionId: versionId }, orderBy: { id: "asc" }, select: { question: true, redactedQuestion: true, systemPrompt: true, split: true } }),
    listDatasetReviews(db, versionId),
    openBlockingFindings(db, versionId),
    userNames(db, [v.approvedById, v.submittedById, v.createdById]),
  ]);
  const report = splitReport(reportItems);
  return {
    id: v.id,
    version: v.version,
    name: v.name,
    description: v.description,
    approvalState: v.approvalState,
    approvedAt: v.approvedAt?.toISOString() ?? null,
    approvedBy: v.approvedById ? (names.get(v.approvedById) ?? null) : null,
    approvedById: v.approvedById,
    submittedAt: v.submittedAt?.toISOString() ?? null,
    submittedBy: v.submittedById ? (names.get(v.submittedById) ?? null) : null,
    submittedById: v.submittedById,
    createdBy: v.createdById ? (names.get(v.createdById) ?? null) : null,
    seed: v.seed,
    testFraction: v.testFraction,
    validationFraction: v.validationFraction,
    promptFormat: v.promptFormat,
    systemPrompt: v.systemPrompt,
    userTemplate: v.userTemplate,
    /** The messages of the first item, as a model sees them (its own system prompt when "relevant"). */
    examplePrompt: example ? { ...promptFor(v, example), split: example.split } : null,
    itemCount: v.itemCount,
    trainCount: v.trainCount,
    validationCount: v.validationCount,
    testCount: v.testCount,
    heldOutCount: v.heldOutCount,
    schemaVersionId: v.schemaVersionId,
    sandboxId: v.sandboxId,
    variantCount: (JSON.parse(v.variantSandboxIds) as string[]).length,
    createdAt: v.createdAt.toISOString(),
    openBlockingFindings: openBlocking,
    bySplitComplexity: report.byComplexity.flatMap((row) => report.splits.map((split) => ({ split, complexity: row.key, count: row.counts[split] }))).filter((g) => g.count > 0),
    report,
    reviews,
    items,
    exports: v.exports.map((e) => ({ id: e.id, format: e.format, part: e.part, lineCount: e.lineCount, bytes: e.bytes, sha256: e.sha256, createdAt: e.createdAt.toISOString() })),
  };
}

/** A data lead's sign-off in one step (submit and approve); see sign-off.ts for the workflow. */
export async function signOffDatasetVersion(db: Db, projectId: string, versionId: string, userId?: string | null) {
  return signOff(db, projectId, versionId, userId);
}

export const compareDatasetVersionsInput = z.object({
  a: z.string().min(1, "Choose the first version to compare (a)."),
  b: z.string().min(1, "Choose the second version to compare (b)."),
  offset: z.coerce.number().int().min(0, "The offset cannot be negative.").default(0),
});

export const COMPARE_PAGE_SIZE = 500;

interface CompareItem {
  pairId: string;
  split: string;
  question: string;
  sql: string;
  result: string;
  systemPrompt: string | null;
}

/**
 * What changed from version a to version b, by pair: added, removed, changed (question, SQL, result
 * or split), the counts per split and whether the prompt changed. Each list holds at most 500
 * entries from `offset`; `total` and `capped` say how many there are.
 */
export async function compareDatasetVersions(db: Db, projectId: string, aId: string, bId: string, opts: { offset?: number } = {}) {
  const offset = Math.max(0, opts.offset ?? 0);
  const load = async (id: string, label: string) => {
    const v = await db.datasetVersion.findFirst({ where: { id, projectId } });
    if (!v) throw new NotFoundError(`Dataset version ${label} does not exist in this project. Pick two versions from the list.`);
    const items: CompareItem[] = await db.datasetItem.findMany({
      where: { datasetVersionId: id },
      select: { pairId: true, split: true, question: true, sql: true, result: true, systemPrompt: true },
    });
    return { v, items: new Map(items.map((i) => [i.pairId, i])) };
  };
  const a = await load(aId, "a");
  const b = await load(bId, "b");
  const brief = (i: CompareItem) => ({ pairId: i.pairId, split: i.split, question: i.question, sql: i.sql });
  const byPair = (x: { pairId: string }, y: { pairId: string }) => (x.pairId < y.pairId ? -1 : x.pairId > y.pairId ? 1 : 0);
  const added = [...b.items.values()].filter((i) => !a.items.has(i.pairId)).map(brief).sort(byPair);
  const removed = [...a.items.values()].filter((i) => !b.items.has(i.pairId)).map(brief).sort(byPair);
  const changed: { pairId: string; fields: ("question" | "sql" | "result" | "split")[]; before: ReturnType<typeof brief>; after: ReturnType<typeof brief> }[] = [];
  let itemPromptsChanged = 0;
  for (const [pairId, before] of a.items) {
    const after = b.items.get(pairId);
    if (!after) continue;
    const fields = (["question", "sql", "result", "split"] as const).filter((f) => before[f] !== after[f]);
    if (fields.length) changed.push({ pairId, fields: [...fields], before: brief(before), after: brief(after) });
    if ((before.systemPrompt ?? a.v.systemPrompt) !== (after.systemPrompt ?? b.v.systemPrompt)) itemPromptsChanged++;
  }
  changed.sort(byPair);
  const page = <T>(list: T[]) => {
    const items = list.slice(offset, offset + COMPARE_PAGE_SIZE);
    return { items, total: list.length, offset, capped: offset + items.length < list.length };
  };
  const splits = ["train", "validation", "test", "heldout"].map((split) => ({
    split,
    a: [...a.items.values()].filter((i) => i.split === split).length,
    b: [...b.items.values()].filter((i) => i.split === split).length,
  }));
  const summary = (v: typeof a.v) => ({ id: v.id, version: v.version, name: v.name, approvalState: v.approvalState, itemCount: v.itemCount, promptFormat: v.promptFormat, createdAt: v.createdAt.toISOString() });
  const prompt = {
    formatChanged: a.v.promptFormat !== b.v.promptFormat,
    systemPromptChanged: a.v.systemPrompt !== b.v.systemPrompt,
    userTemplateChanged: a.v.userTemplate !== b.v.userTemplate,
    /** Pairs in both versions whose system prompt (their own or the version's) differs. */
    itemPromptsChanged,
  };
  return {
    a: summary(a.v),
    b: summary(b.v),
    pageSize: COMPARE_PAGE_SIZE,
    added: page(added),
    removed: page(removed),
    changed: page(changed),
    unchanged: [...a.items.keys()].filter((id) => b.items.has(id)).length - changed.length,
    splits: splits.filter((s) => s.a > 0 || s.b > 0),
    prompt: { ...prompt, changed: prompt.formatChanged || prompt.systemPromptChanged || prompt.userTemplateChanged || itemPromptsChanged > 0 },
  };
}
