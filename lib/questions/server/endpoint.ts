import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ProviderError, ValidationError } from "@/lib/errors";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import type { ChatClient } from "@/lib/providers/chat";
import { openSecret } from "@/lib/secrets/server/crypto";
import { redactSecrets } from "@/lib/redact";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { renderSchemaPrompt } from "@/lib/schema/prompt";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { sqlIdentifiers } from "@/lib/questions/glossary";

// What the model-backed question jobs share: the project's OpenAI-compatible endpoint and its
// client, and the schema as the model may see it. Sensitive columns never leave: the schema text
// leaves them out, and a query naming one is not sent at all (nor a question about it).

export interface ClientOptions {
  /** Per attempt; default 120 s. */
  timeoutMs?: number;
  /** Retries of a 429/5xx or a network error; default 2. */
  maxRetries?: number;
  retryBaseMs?: number;
}

export interface QuestionEndpoint {
  id: string;
  name: string;
  model: string;
  client: ChatClient;
}

export async function findQuestionEndpoint(db: Db, projectId: string, endpointId: string) {
  const endpoint = await db.modelEndpoint.findFirst({ where: { id: endpointId, projectId }, include: { connection: true } });
  if (!endpoint) throw new NotFoundError("That model endpoint does not exist in this project. Pick one of the project's endpoints.");
  if (endpoint.kind !== "openai_compatible" || !endpoint.connection?.baseUrl) {
    throw new ValidationError(`${endpoint.name} cannot write questions: pick an OpenAI-compatible endpoint (add one on the Evaluations page).`);
  }
  return { ...endpoint, connection: endpoint.connection, baseUrl: endpoint.connection.baseUrl };
}

/** The endpoint of a job and its client; an endpoint deleted since the job was queued is a clear error. */
export async function openQuestionEndpoint(db: Db, projectId: string, endpointId: string, opts: ClientOptions = {}): Promise<QuestionEndpoint> {
  const endpoint = await findQuestionEndpoint(db, projectId, endpointId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new ValidationError("The endpoint chosen for this job no longer exists. Pick another and ask again.");
    throw error;
  });
  const apiKey = endpoint.connection.secretCipher ? openSecret(endpoint.connection.secretCipher) : "";
  const client = createChatClient({
    baseUrl: endpoint.baseUrl,
    apiKey,
    model: endpoint.model,
    timeoutMs: opts.timeoutMs ?? 120_000,
    maxRetries: opts.maxRetries ?? 2,
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
  });
  return { id: endpoint.id, name: endpoint.name, model: endpoint.model, client };
}

export interface PromptSchema {
  sandbox: { id: string; path: string };
  model: SchemaModel;
  /** "table.column" of every sensitive column. */
  sensitive: Set<string>;
  /** The schema as the model sees it, sensitive columns left out. */
  schemaText: string;
  /** Whether a SQL text names a sensitive column (by its bare name: a false match only holds a query back). */
  mentionsSensitive(sql: string): boolean;
}

export async function loadPromptSchema(db: Db, projectId: string): Promise<PromptSchema> {
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  const sensitive = new Set(model.tables.flatMap((t) => t.columns.filter((c) => c.sensitive).map((c) => `${t.name}.${c.name}`)));
  const names = new Set([...sensitive].map((key) => key.slice(key.lastIndexOf(".") + 1).toLowerCase()));
  return {
    sandbox,
    model,
    sensitive,
    schemaText: renderSchemaPrompt(model, { excludeColumns: sensitive }),
    mentionsSensitive: (sql) => {
      if (names.size === 0) return false;
      const used = sqlIdentifiers(sql);
      return [...names].some((n) => used.has(n));
    },
  };
}

/** The job's error when the endpoint answered none of the first requests. */
export function endpointNotWorking(what: string, name: string, model: string, failed: number, last: ProviderError): ProviderError {
  const message = redactSecrets(
    `${what} stopped: ${name} (model "${model}") failed on ${failed === 1 ? "the only request" : `each of the first ${failed} requests`}, so nothing more was asked. ` +
      `Check the endpoint's base URL, API key and model name, that it is reachable and answers in time, and that the model supports structured output (response_format json_schema). Last error: ${last.message}`,
  );
  return new ProviderError(message, { model, failedRequests: failed, status: last.details?.status });
}
