import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { renderSchemaPrompt } from "@/lib/schema/prompt";
import { toEffectiveSchema } from "@/lib/schema/model";
import { splitTrainTest } from "@/lib/datasets/split";
import { toFireworksRftLines, toFireworksSftLines, validateFireworksLines } from "@/lib/datasets/export-fireworks";
import { buildSystemPrompt } from "@/lib/datasets/prompt";

export const freezeDatasetInput = z.object({
  name: z.string().trim().max(120, "Keep the name under 120 characters.").optional(),
  testFraction: z.coerce.number().min(0.05, "Hold out at least 5% for testing.").max(0.5, "Hold out at most 50% for testing.").default(0.2),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).default(13),
});

export const EXPORT_FORMATS = ["fireworks_rft", "fireworks_sft"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Freeze the approved pairs (with their ground truth on the active sandbox) into an immutable
 * dataset version, split train/test so that no query structure lands on both sides.
 */
export async function freezeDatasetVersion(db: Db, projectId: string, input: z.infer<typeof freezeDatasetInput>, userId?: string | null) {
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
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const split = splitTrainTest(
    pairs.map((p) => ({ id: p.id, templateHash: p.query.templateHash || p.query.sql, complexity: p.query.complexity, shape: p.query.shape })),
    { testFraction: input.testFraction, seed: input.seed },
  );
  const effective = toEffectiveSchema(schema.model);
  // Sensitive columns never reach a prompt (and so never an export or a model).
  const sensitive = new Set(effective.tables.flatMap((t) => t.columns.filter((c) => c.sensitive).map((c) => `${t.name}.${c.name}`)));
  const systemPrompt = buildSystemPrompt(renderSchemaPrompt(effective, { excludeColumns: sensitive }));
  const items = pairs.map((p) => ({
    pairId: p.id,
    split: split.get(p.id) ?? "train",
    question: p.question,
    sql: p.query.sql,
    result: p.query.result!,
    topLevelOrderBy: p.query.topLevelOrderBy,
    complexity: p.query.complexity,
    shape: p.query.shape,
    templateHash: p.query.templateHash || p.query.sql,
  }));
  const testCount = items.filter((i) => i.split === "test").length;
  if (testCount === 0 || testCount === items.length) {
    throw new ValidationError("The approved pairs share too few query structures to split into train and test. Approve pairs of more shapes.");
  }
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
            seed: input.seed,
            testFraction: input.testFraction,
            systemPrompt,
            itemCount: items.length,
            trainCount: items.length - testCount,
            testCount,
            sandboxId: sandbox.id,
            createdById: userId ?? null,
          },
        });
        await tx.datasetItem.createMany({ data: items.map((i) => ({ ...i, datasetVersionId: version.id })) });
        await recordAudit(tx, {
          projectId,
          userId,
          action: "dataset.freeze",
          entityType: "dataset_version",
          entityId: version.id,
          summary: `Froze v${versionNo}: ${items.length} pairs (${items.length - testCount} train / ${testCount} test)`,
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

export async function listDatasetVersions(db: Db, projectId: string) {
  await getProject(db, projectId);
  const versions = await db.datasetVersion.findMany({ where: { projectId }, orderBy: { version: "desc" }, include: { _count: { select: { exports: true, evalRuns: true } } } });
  return versions.map((v) => ({
    id: v.id,
    version: v.version,
    name: v.name,
    approvalState: v.approvalState,
    itemCount: v.itemCount,
    trainCount: v.trainCount,
    testCount: v.testCount,
    createdAt: v.createdAt.toISOString(),
    approvedAt: v.approvedAt?.toISOString() ?? null,
    exportCount: v._count.exports,
    evalRunCount: v._count.evalRuns,
  }));
}

export async function getDatasetVersion(db: Db, projectId: string, versionId: string) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, include: { exports: { orderBy: { createdAt: "desc" } } } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  const groups = await db.datasetItem.groupBy({ by: ["split", "complexity"], where: { datasetVersionId: versionId }, _count: { _all: true } });
  const items = await db.datasetItem.findMany({
    where: { datasetVersionId: versionId },
    orderBy: [{ split: "asc" }, { complexity: "asc" }],
    select: { id: true, split: true, question: true, sql: true, complexity: true, shape: true },
    take: 500,
  });
  return {
    id: v.id,
    version: v.version,
    name: v.name,
    approvalState: v.approvalState,
    approvedAt: v.approvedAt?.toISOString() ?? null,
    seed: v.seed,
    testFraction: v.testFraction,
    systemPrompt: v.systemPrompt,
    itemCount: v.itemCount,
    trainCount: v.trainCount,
    testCount: v.testCount,
    createdAt: v.createdAt.toISOString(),
    bySplitComplexity: groups.map((g) => ({ split: g.split, complexity: g.complexity, count: g._count._all })),
    items,
    exports: v.exports.map((e) => ({ id: e.id, format: e.format, lineCount: e.lineCount, bytes: e.bytes, sha256: e.sha256, createdAt: e.createdAt.toISOString() })),
  };
}

/** A data lead's sign-off: only a signed-off version can be exported or trained on. */
export async function signOffDatasetVersion(db: Db, projectId: string, versionId: string, userId?: string | null) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  if (v.approvalState === "signed_off") throw new ConflictError(`Version ${v.version} is already signed off.`);
  return db.$transaction(async (tx) => {
    const { count } = await tx.datasetVersion.updateMany({
      where: { id: versionId, approvalState: v.approvalState },
      data: { approvalState: "signed_off", approvedById: userId ?? null, approvedAt: new Date() },
    });
    if (count !== 1) throw new ConflictError("This version changed while you were signing it off. Reload and try again.");
    await recordAudit(tx, { projectId, userId, action: "dataset.sign_off", entityType: "dataset_version", entityId: versionId, summary: `Signed off v${v.version}` });
    return { id: versionId, approvalState: "signed_off" };
  });
}

/** Build an export file of the train split (the test split is kept for evaluation). */
export async function exportDatasetVersion(db: Db, projectId: string, versionId: string, format: ExportFormat, userId?: string | null) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, include: { project: { select: { name: true } } } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  if (v.approvalState !== "signed_off") {
    throw new ConflictError(`Version ${v.version} is not signed off yet. A data lead must sign it off before it can be exported.`);
  }
  const items = await db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: "train" }, orderBy: { id: "asc" } });
  const rows = items.map((i) => ({ id: i.pairId, question: i.question, sql: i.sql, result: JSON.parse(i.result) as { columns: string[]; rows: unknown[][] } }));
  const lines =
    format === "fireworks_rft"
      ? toFireworksRftLines(rows as Parameters<typeof toFireworksRftLines>[0], v.systemPrompt)
      : toFireworksSftLines(rows as Parameters<typeof toFireworksSftLines>[0], v.systemPrompt);
  const problems = validateFireworksLines(lines, format === "fireworks_rft" ? "rft" : "sft");
  if (problems.length) throw new ValidationError(`The export failed its own format check: ${problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join("; ")}`);
  const body = lines.join("\n") + "\n";
  const sha256 = createHash("sha256").update(body).digest("hex");
  await db.$transaction(async (tx) => {
    await tx.datasetExport.create({ data: { datasetVersionId: versionId, format, lineCount: lines.length, bytes: Buffer.byteLength(body), sha256, createdById: userId ?? null } });
    await recordAudit(tx, { projectId, userId, action: "dataset.export", entityType: "dataset_version", entityId: versionId, summary: `Exported v${v.version} as ${format} (${lines.length} lines)` });
  });
  const slug = v.project.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "dataset";
  return { filename: `${slug}-v${v.version}-${format.replace("_", "-")}-train.jsonl`, body, lineCount: lines.length, sha256 };
}
