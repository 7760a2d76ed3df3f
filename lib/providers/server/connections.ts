import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { parseOrThrow } from "@/lib/validate";
import { openSecret, sealSecret } from "@/lib/secrets/server/crypto";
import {
  awsConnectionSettings,
  createConnectionInput,
  fireworksConnectionSettings,
  updateConnectionInput,
  type AwsConnectionSettings,
  type ConnectionKind,
  type ConnectionTestResult,
  type ConnectionView,
  type CreateConnectionRequest,
  type FireworksConnectionSettings,
  type UpdateConnectionRequest,
} from "@/lib/providers/connections";
import { createFireworksClient, type FireworksClientConfig } from "@/lib/providers/server/fireworks";
import { createBedrockControl } from "@/lib/providers/server/bedrock-control";
import { createS3Store, type AwsClientConfig } from "@/lib/providers/server/s3-store";
import { isFinalState } from "@/lib/finetune/types";

// Project-level provider connections (the Connections page): a Fireworks account or an AWS account
// with its S3 bucket and Bedrock role. Secrets are sealed (lib/secrets) and opened only here, on
// the way to a provider client; views carry a 4-character hint, never the secret.

export { createConnectionInput, updateConnectionInput };

const KINDS: readonly ConnectionKind[] = ["fireworks", "aws"];

type Row = NonNullable<Awaited<ReturnType<typeof findRow>>>;

function findRow(db: Db, projectId: string, connectionId: string) {
  return db.providerConnection.findFirst({
    where: { id: connectionId, projectId, shared: true },
    include: { _count: { select: { fineTuneJobs: true, endpoints: true } } },
  });
}

async function getRow(db: Db, projectId: string, connectionId: string): Promise<Row> {
  const row = typeof connectionId === "string" && connectionId ? await findRow(db, projectId, connectionId) : null;
  if (!row) throw new NotFoundError("That connection does not exist in this project. It may have been deleted; reload the page.");
  return row;
}

function settingsOf(row: { kind: string; settings: string }): FireworksConnectionSettings | AwsConnectionSettings {
  const raw = JSON.parse(row.settings || "{}");
  return row.kind === "fireworks" ? fireworksConnectionSettings.parse(raw) : awsConnectionSettings.parse(raw);
}

function toView(row: Row): ConnectionView {
  return {
    id: row.id,
    kind: row.kind as ConnectionKind,
    name: row.name,
    settings: settingsOf(row),
    secretHint: row.secretHint,
    testedAt: row.testedAt?.toISOString() ?? null,
    testOk: row.testOk,
    testMessage: row.testMessage,
    jobCount: row._count.fineTuneJobs,
    endpointCount: row._count.endpoints,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listConnections(db: Db, projectId: string, kind?: ConnectionKind): Promise<ConnectionView[]> {
  const rows = await db.providerConnection.findMany({
    where: { projectId, shared: true, kind: kind ? kind : { in: [...KINDS] } },
    include: { _count: { select: { fineTuneJobs: true, endpoints: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toView);
}

export async function getConnection(db: Db, projectId: string, connectionId: string): Promise<ConnectionView> {
  return toView(await getRow(db, projectId, connectionId));
}

async function assertNameFree(db: Db, projectId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.providerConnection.findFirst({ where: { projectId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) } });
  if (clash) throw new ConflictError(`A connection named "${name}" already exists in this project. Pick another name.`);
}

function sealAws(accessKeyId: string, secretAccessKey: string) {
  const sealed = sealSecret(JSON.stringify({ accessKeyId, secretAccessKey }));
  return { secretCipher: sealed.cipher, secretKeyId: sealed.keyId, secretHint: accessKeyId.slice(-4) };
}

function sealKey(apiKey: string) {
  const sealed = sealSecret(apiKey);
  return { secretCipher: sealed.cipher, secretKeyId: sealed.keyId, secretHint: sealed.hint };
}

export async function createConnection(db: Db, projectId: string, request: CreateConnectionRequest, userId?: string | null): Promise<ConnectionView> {
  const input = parseOrThrow(createConnectionInput, request);
  await getProject(db, projectId);
  await assertNameFree(db, projectId, input.name);
  const secret =
    input.kind === "fireworks"
      ? sealKey(input.apiKey)
      : input.settings.credentialMode === "keys" && input.accessKeyId && input.secretAccessKey
        ? sealAws(input.accessKeyId, input.secretAccessKey)
        : { secretCipher: null, secretKeyId: null, secretHint: null };
  try {
    const id = await db.$transaction(async (tx) => {
      const row = await tx.providerConnection.create({
        data: { projectId, kind: input.kind, name: input.name, shared: true, settings: JSON.stringify(input.settings), createdById: userId ?? null, ...secret },
      });
      await recordAudit(tx, {
        projectId,
        userId,
        action: "connection.create",
        entityType: "provider_connection",
        entityId: row.id,
        summary: `Added ${input.kind === "fireworks" ? "Fireworks" : "AWS"} connection ${input.name}`,
        after: { kind: input.kind, name: input.name, settings: input.settings },
      });
      return row.id;
    });
    return getConnection(db, projectId, id);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError(`A connection named "${input.name}" already exists in this project. Pick another name.`);
    throw error;
  }
}

export async function updateConnection(db: Db, projectId: string, connectionId: string, request: UpdateConnectionRequest, userId?: string | null): Promise<ConnectionView> {
  const input = parseOrThrow(updateConnectionInput, request);
  const row = await getRow(db, projectId, connectionId);
  const before = settingsOf(row);
  const merged = { ...before, ...(input.settings ?? {}) };
  const settings = row.kind === "fireworks" ? parseOrThrow(fireworksConnectionSettings, merged) : parseOrThrow(awsConnectionSettings, merged);
  if (input.name) await assertNameFree(db, projectId, input.name, row.id);
  let secret: { secretCipher: string | null; secretKeyId: string | null; secretHint: string | null } | undefined;
  if (row.kind === "fireworks" && input.apiKey) secret = sealKey(input.apiKey);
  if (row.kind === "aws") {
    const mode = (settings as AwsConnectionSettings).credentialMode;
    if (mode === "chain") secret = { secretCipher: null, secretKeyId: null, secretHint: null };
    else if (input.accessKeyId || input.secretAccessKey) {
      if (!input.accessKeyId || !input.secretAccessKey) throw new ValidationError("Give both the access key id and the secret access key to replace the keys.");
      secret = sealAws(input.accessKeyId, input.secretAccessKey);
    } else if (!row.secretCipher) throw new ValidationError('With "keys", give both the access key id and the secret access key (or use the default credential chain).');
  }
  await db.$transaction(async (tx) => {
    await tx.providerConnection.update({
      where: { id: row.id },
      // A changed key or address makes the last test result stale.
      data: { name: input.name ?? row.name, settings: JSON.stringify(settings), ...(secret ?? {}), testedAt: null, testOk: null, testMessage: null },
    });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "connection.update",
      entityType: "provider_connection",
      entityId: row.id,
      summary: `Updated connection ${input.name ?? row.name}${secret?.secretCipher ? " (new key)" : ""}`,
      before,
      after: settings,
    });
  });
  return getConnection(db, projectId, row.id);
}

export async function deleteConnection(db: Db, projectId: string, connectionId: string, userId?: string | null): Promise<{ id: string }> {
  const row = await getRow(db, projectId, connectionId);
  const active = await db.fineTuneJob.findMany({ where: { connectionId: row.id }, select: { name: true, state: true } });
  const running = active.filter((j) => !isFinalState(j.state));
  if (running.length) {
    throw new ConflictError(`Fine-tune job "${running[0].name}" still uses this connection. Cancel it or wait until it ends, then delete the connection.`);
  }
  const endpoints = await db.modelEndpoint.findMany({ where: { connectionId: row.id }, select: { name: true } });
  if (endpoints.length) {
    throw new ConflictError(`Endpoint "${endpoints[0].name}" calls the model through this connection. Delete that endpoint first.`);
  }
  await db.$transaction(async (tx) => {
    await tx.providerConnection.delete({ where: { id: row.id } });
    await recordAudit(tx, { projectId, userId, action: "connection.delete", entityType: "provider_connection", entityId: row.id, summary: `Deleted connection ${row.name}` });
  });
  return { id: row.id };
}

/** A Fireworks client's configuration with the key opened; for services only. */
export function fireworksConfigOf(row: { kind: string; settings: string; secretCipher: string | null; name: string }): { config: FireworksClientConfig; settings: FireworksConnectionSettings } {
  if (row.kind !== "fireworks") throw new ValidationError(`"${row.name}" is not a Fireworks connection.`);
  if (!row.secretCipher) throw new ValidationError(`Connection "${row.name}" has no API key. Add one on the Connections page.`);
  const settings = fireworksConnectionSettings.parse(JSON.parse(row.settings || "{}"));
  return {
    settings,
    config: { apiKey: openSecret(row.secretCipher), accountId: settings.accountId, apiBaseUrl: settings.apiBaseUrl, inferenceBaseUrl: settings.inferenceBaseUrl },
  };
}

/** AWS clients' configuration with the keys opened (or the default chain); for services only. */
export function awsConfigOf(row: { kind: string; settings: string; secretCipher: string | null; name: string }): { config: AwsClientConfig; settings: AwsConnectionSettings } {
  if (row.kind !== "aws") throw new ValidationError(`"${row.name}" is not an AWS connection.`);
  const settings = awsConnectionSettings.parse(JSON.parse(row.settings || "{}"));
  let credentials: AwsClientConfig["credentials"];
  if (settings.credentialMode === "keys") {
    if (!row.secretCipher) throw new ValidationError(`Connection "${row.name}" uses stored keys but has none. Add them on the Connections page.`);
    const keys = JSON.parse(openSecret(row.secretCipher)) as { accessKeyId: string; secretAccessKey: string };
    credentials = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
  }
  return {
    settings,
    config: { region: settings.region, credentials, bedrockEndpoint: settings.bedrockEndpoint, s3Endpoint: settings.s3Endpoint },
  };
}

/** The row behind a connection id, for services that open it. */
export async function getConnectionRow(db: Db, projectId: string, connectionId: string) {
  return getRow(db, projectId, connectionId);
}

/** Checks the connection against the provider and keeps the result on the connection. */
export async function testConnection(db: Db, projectId: string, connectionId: string): Promise<ConnectionTestResult> {
  const row = await getRow(db, projectId, connectionId);
  let result: ConnectionTestResult;
  try {
    if (row.kind === "fireworks") {
      result = await createFireworksClient({ ...fireworksConfigOf(row).config, timeoutMs: 10_000, maxRetries: 1 }).testConnection();
    } else {
      const { config, settings } = awsConfigOf(row);
      const s3 = createS3Store({ ...config, maxAttempts: 2, timeoutMs: 10_000 });
      result = await createBedrockControl({ ...config, maxAttempts: 2, timeoutMs: 10_000 }).testConnection({ bucket: settings.bucket, prefix: settings.prefix, roleArn: settings.roleArn }, s3);
    }
  } catch (error) {
    result = { ok: false, message: (error as Error).message, checks: [] };
  }
  await db.providerConnection.update({ where: { id: row.id }, data: { testedAt: new Date(), testOk: result.ok, testMessage: result.message.slice(0, 500) } });
  return result;
}
