import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import type { Db } from "@/lib/db/server/client";
import { ConflictError, NotFoundError, RateLimitError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/server/audit";
import { hashToken } from "@/lib/auth/server/session";
import { logger } from "@/lib/log";
import { resolveSandboxPath } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import type { QueryResult } from "@/lib/sql/result";
import { DEFAULT_RATE, parseRateSetting, TokenBucketLimiter } from "@/lib/sandbox-access/rate-limit";
import {
  createAccessTokenInput,
  DEFAULT_MAX_ROWS,
  MAX_ROWS_LIMIT,
  QUERY_TIMEOUT_MS,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  TOKEN_RANDOM_LENGTH,
  type AccessTokenState,
  type AccessTokenSummary,
  type CreateAccessTokenInput,
} from "@/lib/sandbox-access/schemas";

// Sandbox access tokens let a program outside the studio (a Fireworks RFT evaluator) run read-only
// queries on one dataset version's sandbox. The token is shown once; only its sha256 is stored, the
// same way sessions and API tokens are. Queries go through executeReadOnly like every other piece of
// untrusted SQL, with a fixed timeout, a row cap and a per-token rate limit.

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LAST_USED_EVERY_MS = 60_000;
export const AUTH_CHALLENGE = 'Bearer realm="sandpiper-sandbox"';

const MISSING_TOKEN =
  "Send a sandbox access token as `Authorization: Bearer sbx_…`. A data lead creates one on the dataset version's page, under Evaluator access.";
// Unknown, malformed and revoked tokens get the same answer, so the response tells a prober nothing.
const INVALID_TOKEN =
  "This sandbox access token is not valid (sandbox tokens start with sbx_; revoked tokens stop working). Ask a data lead for a new one on the dataset version's page, under Evaluator access.";

/** What a valid token grants: one dataset version's sandbox file. */
export interface SandboxAccess {
  tokenId: string;
  projectId: string;
  projectName: string;
  datasetVersionId: string;
  version: number;
  versionName: string;
  sandboxPath: string;
}

/** `sbx_` and 40 base62 characters (about 238 random bits). */
export function newSandboxToken(): string {
  let out = "";
  while (out.length < TOKEN_RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === TOKEN_RANDOM_LENGTH) break;
    }
  }
  return TOKEN_PREFIX + out;
}

function stateOf(t: { revokedAt: Date | null; expiresAt: Date | null }, now = Date.now()): AccessTokenState {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && t.expiresAt.getTime() <= now) return "expired";
  return "active";
}

async function requireVersion(db: Db, projectId: string, versionId: string) {
  const version = await db.datasetVersion.findFirst({ where: { id: versionId, projectId }, select: { id: true, version: true, name: true, sandboxId: true } });
  if (!version) throw new NotFoundError("This dataset version does not exist in this project.");
  return version;
}

/** The sandbox file a version was frozen on; a clear error when it has none or it is gone. */
async function versionSandboxPath(db: Db, version: { version: number; sandboxId: string | null }): Promise<string> {
  if (!version.sandboxId) {
    throw new ConflictError(`Dataset version v${version.version} has no sandbox, so there is nothing to query. Freeze a new version from pairs executed on a sandbox.`);
  }
  const sandbox = await db.sandbox.findUnique({ where: { id: version.sandboxId }, select: { filePath: true } });
  const file = sandbox?.filePath ? resolveSandboxPath(sandbox.filePath) : null;
  if (!file || !existsSync(file)) {
    throw new ConflictError(
      `The sandbox dataset version v${version.version} was frozen on is no longer on the server, so its queries cannot run. Freeze a new version on the current sandbox.`,
    );
  }
  return file;
}

/** Creates a token for one version. The returned `token` is the only time its value is seen. */
export async function createAccessToken(db: Db, projectId: string, versionId: string, raw: CreateAccessTokenInput, userId?: string | null) {
  const parsed = createAccessTokenInput.safeParse(raw);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? "The token's name or expiry is not valid.");
  const input = parsed.data;
  const version = await requireVersion(db, projectId, versionId);
  await versionSandboxPath(db, version);
  const token = newSandboxToken();
  const hint = token.slice(-4);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 24 * 60 * 60 * 1000) : null;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.sandboxAccessToken.create({
      data: { projectId, datasetVersionId: versionId, name: input.name, tokenHash: hashToken(token), hint, createdById: userId ?? null, expiresAt },
    });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "dataset.access_token.create",
      entityType: "sandbox_access_token",
      entityId: created.id,
      summary: `Evaluator access token "${input.name}" (…${hint}) created for dataset version v${version.version}${expiresAt ? `, expires ${expiresAt.toISOString().slice(0, 10)}` : ""}`,
      after: { name: input.name, hint, datasetVersionId: versionId, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return {
    id: row.id,
    name: row.name,
    hint,
    token,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/** Every token of a version, newest first: names and states, never values or hashes. */
export async function listAccessTokens(db: Db, projectId: string, versionId: string): Promise<AccessTokenSummary[]> {
  await requireVersion(db, projectId, versionId);
  const rows = await db.sandboxAccessToken.findMany({
    where: { projectId, datasetVersionId: versionId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, name: true, hint: true, createdById: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true },
  });
  const creatorIds = [...new Set(rows.map((r) => r.createdById).filter((id): id is string => !!id))];
  const users = creatorIds.length ? await db.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, name: true, email: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name || u.email]));
  const now = Date.now();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    hint: r.hint,
    state: stateOf(r, now),
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdById ? (names.get(r.createdById) ?? null) : null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
  }));
}

/** Revokes a token at once. Revoking a revoked token changes nothing and records nothing. */
export async function revokeAccessToken(db: Db, projectId: string, versionId: string, tokenId: string, userId?: string | null) {
  const existing = await db.sandboxAccessToken.findFirst({ where: { id: tokenId, projectId, datasetVersionId: versionId }, select: { id: true, name: true, hint: true } });
  if (!existing) throw new NotFoundError("This access token does not exist for this dataset version.");
  await db.$transaction(async (tx) => {
    // Only the request that flips revokedAt records the event, so two clicks make one audit line.
    const { count } = await tx.sandboxAccessToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 1) {
      await recordAudit(tx, {
        projectId,
        userId,
        action: "dataset.access_token.revoke",
        entityType: "sandbox_access_token",
        entityId: tokenId,
        summary: `Evaluator access token "${existing.name}" (…${existing.hint}) revoked`,
      });
    }
  });
  const row = await db.sandboxAccessToken.findUniqueOrThrow({ where: { id: tokenId }, select: { revokedAt: true } });
  return { id: tokenId, revokedAt: row.revokedAt!.toISOString() };
}

function unauthorized(message: string): UnauthorizedError {
  return new UnauthorizedError(message, AUTH_CHALLENGE);
}

/** The row was found by its hash; comparing again in constant time keeps the check itself from leaking timing. */
function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The access an `Authorization: Bearer sbx_…` header grants, or a 401: one message for a missing
 * header, one for unknown, malformed or revoked tokens, and one for an expired token.
 */
export async function authenticate(db: Db, authorization: string | null): Promise<SandboxAccess> {
  const header = authorization?.trim();
  if (!header) throw unauthorized(MISSING_TOKEN);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthorized(MISSING_TOKEN);
  const token = match[1];
  if (!TOKEN_PATTERN.test(token)) throw unauthorized(INVALID_TOKEN);
  const tokenHash = hashToken(token);
  const row = await db.sandboxAccessToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      tokenHash: true,
      projectId: true,
      datasetVersionId: true,
      lastUsedAt: true,
      revokedAt: true,
      expiresAt: true,
      project: { select: { name: true } },
      datasetVersion: { select: { version: true, name: true, sandboxId: true } },
    },
  });
  if (!row || !sameHash(row.tokenHash, tokenHash) || row.revokedAt) throw unauthorized(INVALID_TOKEN);
  const now = Date.now();
  if (row.expiresAt && row.expiresAt.getTime() <= now) {
    throw unauthorized(`This sandbox access token expired on ${row.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Ask a data lead for a new one.`);
  }
  const sandboxPath = await versionSandboxPath(db, row.datasetVersion);
  // At most one write a minute per token: an evaluator sends many queries a second.
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    try {
      await db.sandboxAccessToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    } catch (error) {
      // Recording last use must never fail the query.
      logger.warn("could not record a sandbox token's last use", { tokenId: row.id, error: String(error) });
    }
  }
  return {
    tokenId: row.id,
    projectId: row.projectId,
    projectName: row.project.name,
    datasetVersionId: row.datasetVersionId,
    version: row.datasetVersion.version,
    versionName: row.datasetVersion.name,
    sandboxPath,
  };
}

let limiterState: { source: string | undefined; limiter: TokenBucketLimiter } | undefined;

/** The process's limiter, rebuilt when SANDPIPER_SANDBOX_RATE changes. */
function rateLimiter(): TokenBucketLimiter {
  const source = process.env.SANDPIPER_SANDBOX_RATE;
  if (!limiterState || limiterState.source !== source) {
    let settings = parseRateSetting(source);
    if (!settings) {
      logger.warn("SANDPIPER_SANDBOX_RATE is not understood; using the default", {
        value: source,
        expected: "queries per second, optionally with a burst: 20 or 20,40",
        default: `${DEFAULT_RATE.perSecond},${DEFAULT_RATE.burst}`,
      });
      settings = DEFAULT_RATE;
    }
    limiterState = { source, limiter: new TokenBucketLimiter(settings) };
  }
  return limiterState.limiter;
}

/**
 * Runs one query on the token's sandbox: read-only, 5 s, at most `maxRows` rows (default 1,000,
 * at most 10,000). Throws RateLimitError (429) when the token sends queries faster than its limit.
 */
export async function runQuery(access: SandboxAccess, sql: string, opts: { maxRows?: number } = {}): Promise<QueryResult> {
  const limiter = rateLimiter();
  const verdict = limiter.take(access.tokenId);
  if (!verdict.allowed) {
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    const { perSecond, burst } = limiter.settings;
    throw new RateLimitError(
      `Too many queries with this token: the limit is ${perSecond} per second, in bursts of up to ${burst}. Retry after ${seconds} s, or send fewer queries at once.`,
      seconds,
    );
  }
  const maxRows = Math.min(MAX_ROWS_LIMIT, Math.max(1, Math.floor(opts.maxRows ?? DEFAULT_MAX_ROWS)));
  return executeReadOnly(access.sandboxPath, sql, { timeoutMs: QUERY_TIMEOUT_MS, maxRows });
}
