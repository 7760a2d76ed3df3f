import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { createRetrievalBaseline } from "@/lib/evaluation/retrieval-baseline";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import { extractSql } from "@/lib/providers/extract-sql";
import { openSecret, sealSecret } from "@/lib/secrets/server/crypto";
import { promptFor, questionOf, type ItemPrompt, type VersionPrompt } from "@/lib/datasets/prompt";

export const BASELINE_NAME = "Retrieval baseline (no LLM)";

export const createEndpointInput = z.object({
  name: z.string().trim().min(1, "Name the endpoint.").max(80, "Keep the name under 80 characters."),
  baseUrl: z
    .string()
    .trim()
    .url("The base URL must be a full URL, e.g. https://api.example.com/v1.")
    .refine((u) => /^https?:\/\//i.test(u), "The base URL must start with http:// or https://."),
  model: z.string().trim().min(1, "Give the model name the endpoint expects.").max(200),
  apiKey: z.string().trim().max(4_000, "That key is too long to be an API key.").default(""),
});

/** Every project has the no-LLM baseline; it needs no key and no network. */
export async function ensureBaselineEndpoint(db: Db, projectId: string) {
  const existing = await db.modelEndpoint.findFirst({ where: { projectId, kind: "retrieval_baseline" } });
  if (existing) return existing;
  try {
    return await db.modelEndpoint.create({ data: { projectId, name: BASELINE_NAME, kind: "retrieval_baseline" } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return db.modelEndpoint.findFirstOrThrow({ where: { projectId, kind: "retrieval_baseline" } });
    throw error;
  }
}

/** An OpenAI-compatible chat endpoint. The key is sealed at rest and never returned to the browser. */
export async function createOpenAiEndpoint(db: Db, projectId: string, input: z.infer<typeof createEndpointInput>, userId?: string | null) {
  await getProject(db, projectId);
  if (await db.modelEndpoint.findFirst({ where: { projectId, name: input.name } })) {
    throw new ConflictError(`An endpoint named "${input.name}" already exists in this project. Pick another name.`);
  }
  const sealed = input.apiKey ? sealSecret(input.apiKey) : null;
  return db.$transaction(async (tx) => {
    const connection = await tx.providerConnection.create({
      data: {
        projectId,
        kind: "openai_compatible",
        name: `${input.name} connection`,
        baseUrl: input.baseUrl.replace(/\/+$/, ""),
        secretCipher: sealed?.cipher ?? null,
        secretKeyId: sealed?.keyId ?? null,
        secretHint: sealed?.hint ?? null,
      },
    });
    const endpoint = await tx.modelEndpoint.create({
      data: { projectId, name: input.name, kind: "openai_compatible", connectionId: connection.id, model: input.model },
    });
    await recordAudit(tx, { projectId, userId, action: "endpoint.create", entityType: "model_endpoint", entityId: endpoint.id, summary: `Added endpoint ${input.name} (${input.model})` });
    return { id: endpoint.id, name: endpoint.name };
  });
}

export async function listEndpoints(db: Db, projectId: string) {
  await getProject(db, projectId);
  await ensureBaselineEndpoint(db, projectId);
  const endpoints = await db.modelEndpoint.findMany({ where: { projectId }, orderBy: { createdAt: "asc" }, include: { connection: true } });
  return endpoints.map((e) => ({
    id: e.id,
    name: e.name,
    kind: e.kind,
    model: e.model,
    baseUrl: e.connection?.baseUrl ?? null,
    keyHint: e.connection?.secretHint ? `…${e.connection.secretHint}` : e.connection?.secretCipher ? "set" : null,
  }));
}

export interface LegacyPredictor {
  predict(item: ItemPrompt): Promise<{ sql: string; latencyMs: number }>;
  concurrency: number;
}

export async function createPredictor(db: Db, endpointId: string, datasetVersionId: string, version: VersionPrompt): Promise<LegacyPredictor> {
  const endpoint = await db.modelEndpoint.findUniqueOrThrow({ where: { id: endpointId }, include: { connection: true } });
  if (endpoint.kind === "retrieval_baseline") {
    const train = await db.datasetItem.findMany({ where: { datasetVersionId, split: "train" }, select: { question: true, sql: true } });
    const baseline = createRetrievalBaseline(train);
    return {
      concurrency: 1,
      async predict(item) {
        const started = performance.now();
        const { sql } = baseline.answer(questionOf(item));
        return { sql, latencyMs: Math.round(performance.now() - started) };
      },
    };
  }
  if (endpoint.kind === "openai_compatible") {
    if (!endpoint.connection?.baseUrl) throw new ValidationError("This endpoint has no base URL. Add the endpoint again.");
    const apiKey = endpoint.connection.secretCipher ? openSecret(endpoint.connection.secretCipher) : "";
    const client = createChatClient({ baseUrl: endpoint.connection.baseUrl, apiKey, model: endpoint.model, timeoutMs: 60_000, maxRetries: 3 });
    return {
      concurrency: 4,
      async predict(item) {
        // The same messages the version's exports train on.
        const prompt = promptFor(version, item);
        const out = await client.complete(
          [
            { role: "system", content: prompt.system },
            { role: "user", content: prompt.user },
          ],
          { temperature: 0, maxTokens: 1024 },
        );
        return { sql: extractSql(out.text), latencyMs: Math.round(out.latencyMs) };
      },
    };
  }
  throw new ValidationError(`Endpoints of kind "${endpoint.kind}" cannot be evaluated yet.`);
}

