import "server-only";
import { abortable } from "@/lib/abort";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { AppError, ConflictError, NotFoundError, ProviderError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { createExampleIndex } from "@/lib/evaluation/retrieval-baseline";
import { fewShotMessages, pickFewShotExamples, type FewShotExample } from "@/lib/evaluation/few-shot";
import { ENDPOINT_KIND_LABELS, readEndpointSettings, type EndpointKind, type EndpointSettings, type Pricing } from "@/lib/evaluation/endpoints";
import {
  createEndpointInput,
  openAiEndpointInput,
  updateEndpointInput,
  type CreateEndpointInput,
  type CreateEndpointRequest,
  type UpdateEndpointRequest,
} from "@/lib/evaluation/endpoint-input";
import type { ModelAnswer, Predictor, PredictorItem } from "@/lib/evaluation/predictor";
import type { ChatClient, ChatMessage } from "@/lib/providers/chat";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import { createBedrockChatClient } from "@/lib/providers/server/bedrock-converse";
import { openSecret, sealSecret } from "@/lib/secrets/server/crypto";
import { promptFor, questionOf, type VersionPrompt } from "@/lib/datasets/prompt";
import { parseOrThrow } from "@/lib/validate";

// Model endpoints a project evaluates: the built-in retrieval baseline, OpenAI-compatible chat
// endpoints, Amazon Bedrock (Converse) and few-shot prompting over another endpoint. Keys are
// sealed in a ProviderConnection and only opened here, to build a client; nothing this module
// returns or records (lists, audit events, predictor identities, error messages) holds a secret.

export const BASELINE_NAME = "Retrieval baseline (no LLM)";

export { createEndpointInput, updateEndpointInput };
export type { CreateEndpointInput, CreateEndpointRequest, UpdateEndpointRequest };

/** The kinds that call an LLM, and so can be a few-shot endpoint's base. */
const LLM_KINDS: readonly string[] = ["openai_compatible", "bedrock_converse"];
const ACTIVE_RUN_STATES = ["queued", "running"];

/** What the UI and the API see of an endpoint. Never a secret: a key is shown by its last 4 characters. */
export interface EndpointSummary {
  id: string;
  name: string;
  kind: EndpointKind;
  /** The model called; for a few-shot endpoint, its base endpoint's. "" for the baseline. */
  model: string;
  /** OpenAI-compatible: the base URL; Bedrock: the endpoint URL override, if any. */
  baseUrl: string | null;
  /** Bedrock: the AWS region. */
  region: string | null;
  /** "…abcd" (last 4 of the API key or access key id), "set" for a short key, null for none. */
  keyHint: string | null;
  /** Bedrock without stored keys: the server's default AWS credential chain signs the calls. */
  usesDefaultCredentials: boolean;
  settings: {
    /** For a few-shot endpoint these three are its base endpoint's (change them there). */
    temperature: number | null;
    maxTokens: number | null;
    pricing: Pricing | null;
    /** Few-shot only. */
    k: number | null;
    baseEndpointId: string | null;
    baseEndpointName: string | null;
  };
  /** ISO 8601 */
  createdAt: string;
  /** Evaluation runs of this endpoint (deleting it deletes them). */
  runCount: number;
}

export interface EndpointTestResult {
  ok: boolean;
  /** Wall time of the call (of the whole attempt sequence when it failed). */
  latencyMs: number;
  model: string;
  /** What the model answered, or what went wrong and what to do. */
  message: string;
}

interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

type EndpointRow = NonNullable<Awaited<ReturnType<typeof findEndpointRow>>>;

function findEndpointRow(db: Db, projectId: string, endpointId: string) {
  return db.modelEndpoint.findFirst({
    where: { id: endpointId, projectId },
    include: { connection: true, _count: { select: { evalRuns: true } } },
  });
}

async function getEndpointRow(db: Db, projectId: string, endpointId: string): Promise<EndpointRow> {
  // An empty id would match any endpoint in a Prisma filter.
  const row = typeof endpointId === "string" && endpointId ? await findEndpointRow(db, projectId, endpointId) : null;
  if (!row) throw new NotFoundError("That model endpoint does not exist in this project. It may have been deleted; reload the page.");
  return row;
}

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


async function assertNameFree(db: Db, projectId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.modelEndpoint.findFirst({ where: { projectId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) } });
  if (clash) throw new ConflictError(`An endpoint named "${name}" already exists in this project. Pick another name.`);
}

/** "<endpoint> connection", numbered when an older connection holds the name. */
async function freeConnectionName(db: Pick<Db, "providerConnection">, projectId: string, endpointName: string, exceptId?: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${endpointName} connection` : `${endpointName} connection (${n})`;
    const taken = await db.providerConnection.findFirst({ where: { projectId, name: candidate, ...(exceptId ? { NOT: { id: exceptId } } : {}) } });
    if (!taken) return candidate;
  }
}

/** AWS keys are sealed as one JSON secret; the hint is the access key id's end, never the secret's. */
function sealAwsKeys(keys: AwsKeys) {
  const sealed = sealSecret(JSON.stringify({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }));
  return { cipher: sealed.cipher, keyId: sealed.keyId, hint: keys.accessKeyId.slice(-4) };
}

/**
 * Adds an endpoint of any kind. Secrets are sealed in the endpoint's ProviderConnection
 * ("openai_compatible": the API key; "aws": the access key pair as one JSON secret, the endpoint
 * URL override as its baseUrl); the region, temperature, max tokens, prices, few-shot base and k
 * are the endpoint's settings.
 */
export async function createEndpoint(db: Db, projectId: string, request: CreateEndpointRequest, userId?: string | null): Promise<EndpointSummary> {
  const input = parseOrThrow(createEndpointInput, request);
  await getProject(db, projectId);
  await assertNameFree(db, projectId, input.name);

  let settings: Partial<EndpointSettings>;
  let model = "";
  let summary: string;
  if (input.kind === "few_shot") {
    const base = await db.modelEndpoint.findFirst({ where: { id: input.baseEndpointId, projectId } });
    if (!base) throw new ValidationError("The base endpoint does not exist in this project. Pick one of the project's endpoints.");
    if (!LLM_KINDS.includes(base.kind)) {
      throw new ValidationError(
        `A few-shot endpoint prompts an LLM: pick an OpenAI-compatible or Bedrock endpoint as its base, not "${base.name}" (${ENDPOINT_KIND_LABELS[base.kind as EndpointKind] ?? base.kind}).`,
      );
    }
    settings = { baseEndpointId: base.id, k: input.k };
    summary = `Added few-shot endpoint ${input.name} (${input.k} examples, prompting ${base.name})`;
  } else {
    settings = {
      temperature: input.settings.temperature,
      maxTokens: input.settings.maxTokens,
      ...(input.settings.pricing ? { pricing: input.settings.pricing } : {}),
      ...(input.kind === "bedrock_converse" ? { region: input.region } : {}),
    };
    model = input.model;
    summary =
      input.kind === "bedrock_converse"
        ? `Added Bedrock endpoint ${input.name} (${input.model} in ${input.region}${input.accessKeyId ? "" : ", default credentials"})`
        : `Added endpoint ${input.name} (${input.model})`;
  }

  const sealed =
    input.kind === "openai_compatible"
      ? input.apiKey
        ? sealSecret(input.apiKey)
        : null
      : input.kind === "bedrock_converse" && input.accessKeyId && input.secretAccessKey
        ? sealAwsKeys({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey })
        : null;

  const id = await db.$transaction(async (tx) => {
    let connectionId: string | null = null;
    if (input.kind !== "few_shot") {
      const connection = await tx.providerConnection.create({
        data: {
          projectId,
          kind: input.kind === "bedrock_converse" ? "aws" : "openai_compatible",
          name: await freeConnectionName(tx, projectId, input.name),
          baseUrl: input.kind === "bedrock_converse" ? (input.endpointUrl?.replace(/\/+$/, "") ?? null) : input.baseUrl.replace(/\/+$/, ""),
          secretCipher: sealed?.cipher ?? null,
          secretKeyId: sealed?.keyId ?? null,
          secretHint: sealed?.hint ?? null,
        },
      });
      connectionId = connection.id;
    }
    const endpoint = await tx.modelEndpoint.create({
      data: { projectId, name: input.name, kind: input.kind, connectionId, model, settings: JSON.stringify(settings) },
    });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "endpoint.create",
      entityType: "model_endpoint",
      entityId: endpoint.id,
      summary,
      after: { kind: input.kind, model, settings },
    });
    return endpoint.id;
  });
  return getEndpointSummary(db, projectId, id);
}

/** An OpenAI-compatible chat endpoint (the shape callers used before endpoint kinds). */
export async function createOpenAiEndpoint(
  db: Db,
  projectId: string,
  input: Omit<z.input<typeof openAiEndpointInput>, "kind">,
  userId?: string | null,
): Promise<EndpointSummary> {
  return createEndpoint(db, projectId, { ...input, kind: "openai_compatible" }, userId);
}

export async function listEndpoints(db: Db, projectId: string): Promise<EndpointSummary[]> {
  await getProject(db, projectId);
  await ensureBaselineEndpoint(db, projectId);
  const rows = await db.modelEndpoint.findMany({
    where: { projectId },
    orderBy: { createdAt: "asc" },
    include: { connection: true, _count: { select: { evalRuns: true } } },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return rows.map((row) => summarize(row, byId));
}

async function getEndpointSummary(db: Db, projectId: string, endpointId: string): Promise<EndpointSummary> {
  const endpoints = await listEndpoints(db, projectId);
  const found = endpoints.find((e) => e.id === endpointId);
  if (!found) throw new NotFoundError("That model endpoint does not exist in this project.");
  return found;
}

function summarize(row: EndpointRow, byId: Map<string, EndpointRow>): EndpointSummary {
  const settings = readEndpointSettings(row.settings);
  const kind = row.kind as EndpointKind;
  const base = kind === "few_shot" && settings.baseEndpointId ? byId.get(settings.baseEndpointId) : undefined;
  const callSettings = kind === "few_shot" ? (base ? readEndpointSettings(base.settings) : undefined) : settings;
  const llm = LLM_KINDS.includes(kind) || (kind === "few_shot" && !!base);
  const connection = row.connection;
  return {
    id: row.id,
    name: row.name,
    kind,
    model: kind === "few_shot" ? (base?.model ?? "") : row.model,
    baseUrl: connection ? endpointBaseUrl(connection) : null,
    region: kind === "bedrock_converse" ? (settings.region ?? null) : null,
    keyHint: connection?.secretHint ? `…${connection.secretHint}` : connection?.secretCipher ? "set" : null,
    usesDefaultCredentials: kind === "bedrock_converse" && !connection?.secretCipher,
    settings: {
      temperature: llm && callSettings ? callSettings.temperature : null,
      maxTokens: llm && callSettings ? callSettings.maxTokens : null,
      pricing: (llm && callSettings?.pricing) || null,
      k: kind === "few_shot" ? settings.k : null,
      baseEndpointId: kind === "few_shot" ? (settings.baseEndpointId ?? null) : null,
      baseEndpointName: base?.name ?? null,
    },
    createdAt: row.createdAt.toISOString(),
    runCount: row._count.evalRuns,
  };
}

/**
 * Renames an endpoint, changes how it is called (temperature, max tokens, prices), its few-shot k,
 * or replaces its key. Fields that do not apply to the endpoint's kind are refused, not ignored.
 */
export async function updateEndpointSettings(
  db: Db,
  projectId: string,
  endpointId: string,
  request: UpdateEndpointRequest,
  userId?: string | null,
): Promise<EndpointSummary> {
  const input = parseOrThrow(updateEndpointInput, request);
  const row = await getEndpointRow(db, projectId, endpointId);
  const kind = row.kind as EndpointKind;
  if (kind === "retrieval_baseline") {
    throw new ValidationError("The built-in retrieval baseline has no settings to change: it answers from the training split without a model.");
  }
  const settingsGiven = input.settings && Object.values(input.settings).some((v) => v !== undefined);
  if (kind === "few_shot" && settingsGiven) {
    throw new ValidationError("A few-shot endpoint uses its base endpoint's temperature, max tokens and prices: change them on the base endpoint.");
  }
  if (input.k !== undefined && kind !== "few_shot") throw new ValidationError("Only a few-shot endpoint has a number of examples (k).");
  if (input.apiKey !== undefined && kind !== "openai_compatible") {
    throw new ValidationError(kind === "bedrock_converse" ? "A Bedrock endpoint takes an access key id and secret, not an API key." : "This endpoint has no key of its own.");
  }
  if ((input.accessKeyId !== undefined || input.useDefaultCredentials) && kind !== "bedrock_converse") {
    throw new ValidationError("Only a Bedrock endpoint takes AWS credentials.");
  }
  if (!row.connection && (input.apiKey !== undefined || input.accessKeyId !== undefined || input.useDefaultCredentials)) {
    throw new ValidationError("This endpoint has lost its connection. Delete it and add it again.");
  }

  const before = readEndpointSettings(row.settings);
  const next: EndpointSettings = { ...before };
  const changes: string[] = [];
  if (input.name !== undefined && input.name !== row.name) {
    await assertNameFree(db, projectId, input.name, row.id);
    changes.push(`renamed from ${row.name}`);
  }
  if (input.settings?.temperature !== undefined && input.settings.temperature !== before.temperature) {
    if (kind === "bedrock_converse" && input.settings.temperature > 1) throw new ValidationError("settings.temperature: Bedrock takes a temperature between 0 and 1.");
    next.temperature = input.settings.temperature;
    changes.push(`temperature ${before.temperature} → ${next.temperature}`);
  }
  if (input.settings?.maxTokens !== undefined && input.settings.maxTokens !== before.maxTokens) {
    next.maxTokens = input.settings.maxTokens;
    changes.push(`max tokens ${before.maxTokens} → ${next.maxTokens}`);
  }
  if (input.settings?.pricing !== undefined) {
    const pricing = input.settings.pricing ?? undefined;
    if (JSON.stringify(pricing ?? null) !== JSON.stringify(before.pricing ?? null)) {
      next.pricing = pricing;
      changes.push(pricing ? `prices $${pricing.inputPerMillion} / $${pricing.outputPerMillion} per million tokens` : "prices removed");
    }
  }
  if (input.k !== undefined && input.k !== before.k) {
    next.k = input.k;
    changes.push(`k ${before.k} → ${input.k}`);
  }
  let secret: { cipher: string | null; keyId: string | null; hint: string | null } | undefined;
  if (input.apiKey !== undefined) {
    const sealed = sealSecret(input.apiKey);
    secret = { cipher: sealed.cipher, keyId: sealed.keyId, hint: sealed.hint };
    changes.push("API key replaced");
  } else if (input.accessKeyId && input.secretAccessKey) {
    secret = sealAwsKeys({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey });
    changes.push("AWS keys replaced");
  } else if (input.useDefaultCredentials && row.connection?.secretCipher) {
    secret = { cipher: null, keyId: null, hint: null };
    changes.push("AWS keys removed (default credentials)");
  }
  if (changes.length === 0) return getEndpointSummary(db, projectId, row.id);
  if (secret && row.connection?.shared) {
    throw new ValidationError(`"${row.name}" calls its model through the shared connection "${row.connection.name}": change the key on the Connections page.`);
  }

  const name = input.name ?? row.name;
  await db.$transaction(async (tx) => {
    await tx.modelEndpoint.update({ where: { id: row.id }, data: { name, settings: JSON.stringify(next) } });
    if (row.connection && !row.connection.shared && (secret || name !== row.name)) {
      await tx.providerConnection.update({
        where: { id: row.connection.id },
        data: {
          ...(name !== row.name ? { name: await freeConnectionName(tx, projectId, name, row.connection.id) } : {}),
          ...(secret ? { secretCipher: secret.cipher, secretKeyId: secret.keyId, secretHint: secret.hint } : {}),
        },
      });
    }
    await recordAudit(tx, {
      projectId,
      userId,
      action: "endpoint.update",
      entityType: "model_endpoint",
      entityId: row.id,
      summary: `Updated endpoint ${name}: ${changes.join(", ")}`,
      before: { name: row.name, settings: before },
      after: { name, settings: next },
    });
  });
  return getEndpointSummary(db, projectId, row.id);
}

/**
 * Deletes an endpoint with its evaluation runs. Refused for the built-in baseline, while a run of
 * the endpoint is queued or running, and while a few-shot endpoint prompts it.
 */
export async function deleteEndpoint(
  db: Db,
  projectId: string,
  endpointId: string,
  userId?: string | null,
): Promise<{ id: string; name: string; deletedRuns: number }> {
  const row = await getEndpointRow(db, projectId, endpointId);
  if (row.kind === "retrieval_baseline") {
    throw new ValidationError("The built-in retrieval baseline cannot be deleted: every scorecard compares against it.");
  }
  const active = await db.evalRun.count({ where: { endpointId: row.id, status: { in: ACTIVE_RUN_STATES } } });
  if (active > 0) {
    throw new ConflictError(
      `An evaluation of "${row.name}" is ${active === 1 ? "queued or running" : `queued or running (${active} runs)`}. Cancel it or wait until it finishes, then delete the endpoint.`,
    );
  }
  const fewShot = await db.modelEndpoint.findMany({ where: { projectId, kind: "few_shot" }, select: { name: true, settings: true } });
  const dependants = fewShot.filter((e) => readEndpointSettings(e.settings).baseEndpointId === row.id).map((e) => `"${e.name}"`);
  if (dependants.length > 0) {
    throw new ConflictError(
      `The few-shot endpoint${dependants.length === 1 ? "" : "s"} ${dependants.join(", ")} prompt${dependants.length === 1 ? "s" : ""} "${row.name}". Delete ${dependants.length === 1 ? "it" : "them"} first.`,
    );
  }
  const deletedRuns = row._count.evalRuns;
  await db.$transaction(async (tx) => {
    await tx.modelEndpoint.delete({ where: { id: row.id } });
    // The connection was made for this endpoint; it goes with it unless another endpoint shares it.
    if (row.connectionId && !row.connection?.shared && (await tx.modelEndpoint.count({ where: { connectionId: row.connectionId } })) === 0) {
      await tx.providerConnection.delete({ where: { id: row.connectionId } });
    }
    await recordAudit(tx, {
      projectId,
      userId,
      action: "endpoint.delete",
      entityType: "model_endpoint",
      entityId: row.id,
      summary: `Deleted endpoint ${row.name}${deletedRuns > 0 ? ` and its ${deletedRuns} evaluation run${deletedRuns === 1 ? "" : "s"}` : ""}`,
      before: { name: row.name, kind: row.kind, model: row.model, settings: readEndpointSettings(row.settings) },
    });
  });
  return { id: row.id, name: row.name, deletedRuns };
}

/**
 * Where an endpoint's calls go. An endpoint's own connection keeps the address as its baseUrl; a
 * shared Fireworks connection keeps the inference address in its settings (its baseUrl is unused),
 * a shared AWS connection the runtime override.
 */
function endpointBaseUrl(connection: { kind: string; shared: boolean; baseUrl: string | null; settings: string }): string | null {
  if (!connection.shared) return connection.baseUrl;
  const settings = JSON.parse(connection.settings || "{}") as { inferenceBaseUrl?: string; runtimeEndpoint?: string };
  if (connection.kind === "fireworks") return settings.inferenceBaseUrl ?? null;
  if (connection.kind === "aws") return settings.runtimeEndpoint ?? null;
  return connection.baseUrl;
}

interface CallableEndpoint {
  client: ChatClient;
  settings: EndpointSettings;
  /** The cache-key part of the endpoint (no secret). */
  identity: Record<string, unknown>;
}

/** Opens a sealed secret; a secret that cannot be opened is the user's to re-enter. */
function openConnectionSecret(cipher: string, endpointName: string): string {
  try {
    return openSecret(cipher);
  } catch (error) {
    throw new ValidationError(`The stored key of "${endpointName}" cannot be read: ${(error as Error).message}`);
  }
}

function callableEndpoint(row: Pick<EndpointRow, "name" | "kind" | "model" | "settings" | "connection">, opts: { timeoutMs: number; maxRetries: number }): CallableEndpoint {
  const settings = readEndpointSettings(row.settings);
  const connection = row.connection;
  if (row.kind === "openai_compatible") {
    const baseUrl = connection ? endpointBaseUrl(connection) : null;
    if (!connection || !baseUrl) throw new ValidationError(`The endpoint "${row.name}" has no base URL. Delete it and add it again.`);
    const apiKey = connection.secretCipher ? openConnectionSecret(connection.secretCipher, row.name) : "";
    return {
      client: createChatClient({ baseUrl, apiKey, model: row.model, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries }),
      settings,
      // The connection (its credentials) is part of the identity: another key may be another account,
      // and a key that fails must not be answered from a working key's cache.
      identity: { kind: row.kind, connection: connection.id, baseUrl, model: row.model, temperature: settings.temperature, maxTokens: settings.maxTokens },
    };
  }
  if (row.kind === "bedrock_converse") {
    if (!settings.region) throw new ValidationError(`The Bedrock endpoint "${row.name}" has no region. Delete it and add it again with its region.`);
    let credentials: AwsKeys | undefined;
    if (connection?.secretCipher) {
      const parsed = JSON.parse(openConnectionSecret(connection.secretCipher, row.name)) as Partial<AwsKeys>;
      if (!parsed.accessKeyId || !parsed.secretAccessKey) throw new ValidationError(`The stored AWS keys of "${row.name}" are incomplete. Enter them again.`);
      credentials = { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
    }
    return {
      client: createBedrockChatClient({
        region: settings.region,
        modelId: row.model,
        endpointUrl: (connection && endpointBaseUrl(connection)) ?? undefined,
        credentials,
        timeoutMs: opts.timeoutMs,
        maxRetries: opts.maxRetries,
      }),
      settings,
      identity: {
        kind: row.kind,
        connection: connection?.id ?? null,
        region: settings.region,
        endpointUrl: (connection && endpointBaseUrl(connection)) ?? null,
        model: row.model,
        temperature: settings.temperature,
        maxTokens: settings.maxTokens,
      },
    };
  }
  throw new ValidationError(`"${row.name}" is not an LLM endpoint.`);
}

/** A few-shot endpoint's base: an LLM endpoint of the same project. */
async function loadFewShotBase(db: Db, row: { name: string; projectId: string; settings: string }) {
  const baseId = readEndpointSettings(row.settings).baseEndpointId;
  const base = baseId ? await db.modelEndpoint.findFirst({ where: { id: baseId, projectId: row.projectId }, include: { connection: true } }) : null;
  if (!base || !LLM_KINDS.includes(base.kind)) {
    throw new ValidationError(`The few-shot endpoint "${row.name}" has lost its base endpoint. Delete it and add it again over an LLM endpoint.`);
  }
  return base;
}

/**
 * Makes one small real call ("Answer with: SELECT 1") to check the address, the key and the
 * model. Provider failures are reported, not thrown: `ok: false` with the provider's message.
 */
export async function testEndpoint(db: Db, projectId: string, endpointId: string): Promise<EndpointTestResult> {
  const row = await getEndpointRow(db, projectId, endpointId);
  if (row.kind === "retrieval_baseline") {
    return { ok: true, latencyMs: 0, model: "", message: "The retrieval baseline answers locally from the training split: there is nothing to call." };
  }
  const started = performance.now();
  let model = row.model;
  let via = "";
  try {
    let target: Pick<EndpointRow, "name" | "kind" | "model" | "settings" | "connection"> = row;
    if (row.kind === "few_shot") {
      target = await loadFewShotBase(db, row);
      model = target.model;
      via = `Through ${target.name}: `;
    }
    const { client } = callableEndpoint(target, { timeoutMs: 30_000, maxRetries: 1 });
    const out = await client.complete(
      [
        { role: "system", content: "This is a connection check. Follow the instruction exactly." },
        { role: "user", content: "Answer with: SELECT 1" },
      ],
      { temperature: 0, maxTokens: 32 },
    );
    const answer = out.text.replace(/\s+/g, " ").trim();
    const quoted = answer ? `"${answer.length > 80 ? `${answer.slice(0, 79)}…` : answer}"` : "an empty message";
    const tokens = out.usage?.totalTokens !== undefined ? `, ${out.usage.totalTokens} tokens` : "";
    return {
      ok: true,
      latencyMs: Math.round(out.latencyMs),
      model,
      message: `${via}${model} answered ${quoted} in ${Math.round(out.latencyMs)} ms${tokens}${out.attempts > 1 ? ` (after ${out.attempts} attempts)` : ""}.`,
    };
  } catch (error) {
    if (error instanceof ProviderError || error instanceof ValidationError) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), model, message: `${via}${error.message}` };
    }
    throw error;
  }
}


function llmAnswer(client: ChatClient, settings: EndpointSettings) {
  return async (_item: PredictorItem, messages: ChatMessage[], signal?: AbortSignal): Promise<ModelAnswer> => {
    const out = await abortable(client.complete(messages, { temperature: settings.temperature, maxTokens: settings.maxTokens }), signal, () => signal?.reason ?? new AppError("Cancelled."));
    return {
      text: out.text,
      promptTokens: out.usage?.promptTokens ?? 0,
      completionTokens: out.usage?.completionTokens ?? 0,
      latencyMs: Math.round(out.latencyMs),
      attempts: out.attempts,
    };
  };
}

/** The version's approved training pairs, as the model would see their questions (redacted where redacted). */
async function loadTrainExamples(db: Db, datasetVersionId: string): Promise<Required<FewShotExample>[]> {
  // Items a scan resolution left out of the exports are left out here too: a model trained on
  // this version never saw them.
  const rows = await db.datasetItem.findMany({
    where: { datasetVersionId, split: "train", excluded: false },
    select: { id: true, question: true, redactedQuestion: true, sql: true },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => ({ id: row.id, question: questionOf(row), sql: row.sql }));
}

function plainMessages(version: VersionPrompt, item: PredictorItem): ChatMessage[] {
  // The same messages the version's exports train on.
  const prompt = promptFor(version, item);
  return [
    { role: "system", content: prompt.system },
    { role: "user", content: prompt.user },
  ];
}

/**
 * The evaluation runner's view of an endpoint (lib/evaluation/predictor.ts) for one dataset
 * version. `opts` applies to every call: the per-attempt timeout and the retries after it.
 */
export async function createPredictor(
  db: Db,
  endpointId: string,
  version: VersionPrompt & { id: string },
  opts: { timeoutMs: number; maxRetries: number },
): Promise<Predictor> {
  const row = await db.modelEndpoint.findUnique({ where: { id: endpointId }, include: { connection: true } });
  if (!row) throw new NotFoundError("The model endpoint of this evaluation no longer exists.");

  if (row.kind === "retrieval_baseline") {
    const train = await loadTrainExamples(db, version.id);
    // The retrieval baseline's own index, used directly so an item can be left out of it.
    const index = createExampleIndex(train);
    return {
      kind: row.kind,
      identity: JSON.stringify({ kind: row.kind, datasetVersionId: version.id }),
      local: true,
      messages: (item) => plainMessages(version, item),
      async answer(item) {
        const started = performance.now();
        // A train item evaluated against its own split is not its own answer (leave-one-out).
        const [best] = index.nearest(questionOf(item), 1, (example) => example.id === item.id);
        const sql = best?.example.sql ?? "";
        return { text: sql, promptTokens: 0, completionTokens: 0, latencyMs: Math.round(performance.now() - started), attempts: 0 };
      },
    };
  }

  if (row.kind === "openai_compatible" || row.kind === "bedrock_converse") {
    const { client, settings, identity } = callableEndpoint(row, opts);
    return {
      kind: row.kind,
      identity: JSON.stringify(identity),
      pricing: settings.pricing,
      local: false,
      messages: (item) => plainMessages(version, item),
      answer: llmAnswer(client, settings),
    };
  }

  if (row.kind === "few_shot") {
    const k = readEndpointSettings(row.settings).k;
    const base = await loadFewShotBase(db, row);
    const { client, settings, identity } = callableEndpoint(base, opts);
    const index = createExampleIndex(await loadTrainExamples(db, version.id));
    const renderQuestion = (question: string) => promptFor(version, { question }).user;
    return {
      kind: row.kind,
      identity: JSON.stringify({ kind: row.kind, k, base: identity }),
      pricing: settings.pricing,
      local: false,
      messages(item) {
        const examples = pickFewShotExamples(index, { id: item.id, question: questionOf(item) }, k);
        return fewShotMessages(promptFor(version, item), examples, renderQuestion);
      },
      answer: llmAnswer(client, settings),
    };
  }

  throw new ValidationError(`Endpoints of kind "${row.kind}" cannot be evaluated.`);
}
