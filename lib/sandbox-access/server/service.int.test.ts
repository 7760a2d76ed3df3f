import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";
import { ConflictError, NotFoundError, RateLimitError, SqlExecutionError, SqlRefusedError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { redactSecrets } from "@/lib/redact";
import {
  authenticate,
  createAccessToken,
  listAccessTokens,
  newSandboxToken,
  revokeAccessToken,
  runQuery,
  type SandboxAccess,
} from "@/lib/sandbox-access/server/service";

// Real SQLite (or PostgreSQL) state and the real DuckDB sandbox a frozen dataset version points at.

let t: TestDb;
let projectId: string;
let versionId: string;
let userId: string;
let sandboxFile: string;
const exfilPath = path.join(os.tmpdir(), `sandpiper-exfil-${process.pid}.csv`);

function sha256(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

async function accessFor(name: string): Promise<SandboxAccess> {
  const { token } = await createAccessToken(t.db, projectId, versionId, { name }, userId);
  return authenticate(t.db, `Bearer ${token}`);
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Evaluator access");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 11 });
  versionId = version.id;
  userId = (await t.db.user.create({ data: { email: "lead@sandbox-access.test", name: "Dana Lead" } })).id;
  const sandbox = await t.db.sandbox.findUniqueOrThrow({ where: { id: version.sandboxId! } });
  sandboxFile = path.join(t.dataDir, sandbox.filePath!);
}, 180_000);

afterEach(() => {
  delete process.env.SANDPIPER_SANDBOX_RATE;
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(exfilPath, { force: true });
  await t?.cleanup();
});

describe("managing tokens", () => {
  it("creates a token shown once, stores only its sha256, and lists it without value or hash", async () => {
    const created = await createAccessToken(t.db, projectId, versionId, { name: "RFT evaluator", expiresInDays: 30 }, userId);
    expect(created.token).toMatch(/^sbx_[0-9A-Za-z]{40}$/);
    expect(created.hint).toBe(created.token.slice(-4));
    expect(Date.parse(created.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 24 * 3600 * 1000);

    const row = await t.db.sandboxAccessToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(sha256(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row).toMatchObject({ projectId, datasetVersionId: versionId, name: "RFT evaluator", createdById: userId, revokedAt: null, lastUsedAt: null });

    const listed = (await listAccessTokens(t.db, projectId, versionId)).find((x) => x.id === created.id)!;
    expect(listed).toMatchObject({ name: "RFT evaluator", hint: created.hint, state: "active", createdBy: "Dana Lead", lastUsedAt: null, revokedAt: null });
    expect(Object.keys(listed)).not.toContain("tokenHash");
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);

    const audit = await t.db.auditEvent.findMany({ where: { projectId, entityId: created.id } });
    expect(audit.map((a) => a.action)).toEqual(["dataset.access_token.create"]);
    expect(audit[0].summary).toContain("RFT evaluator");
    expect(JSON.stringify(audit)).not.toContain(created.token);
  });

  it("draws tokens from 62 characters, each one different", () => {
    const tokens = Array.from({ length: 200 }, () => newSandboxToken());
    expect(new Set(tokens).size).toBe(200);
    const chars = new Set(tokens.join("").replace(/sbx_/g, ""));
    expect(chars.size).toBe(62);
  });

  it("masks tokens wherever text is redacted (logs, error bodies)", () => {
    const token = newSandboxToken();
    expect(redactSecrets(`auth failed for ${token}`)).toBe("auth failed for [redacted]");
  });

  it("refuses an unknown version, a version of another project, a bad name or expiry, and a version without a sandbox", async () => {
    expect(await caught(createAccessToken(t.db, projectId, "nope", { name: "x" }, userId))).toBeInstanceOf(NotFoundError);
    const other = await t.db.project.create({ data: { name: "Someone else's" } });
    expect(await caught(createAccessToken(t.db, other.id, versionId, { name: "x" }, userId))).toBeInstanceOf(NotFoundError);
    expect(await caught(createAccessToken(t.db, projectId, versionId, { name: "  " }, userId))).toBeInstanceOf(ValidationError);
    expect(await caught(createAccessToken(t.db, projectId, versionId, { name: "x", expiresInDays: 0 }, userId))).toBeInstanceOf(ValidationError);

    const bare = await t.db.datasetVersion.create({
      data: { projectId, version: 90, name: "no sandbox", seed: 1, testFraction: 0.2, systemPrompt: "", itemCount: 0, trainCount: 0, testCount: 0, sandboxId: null },
    });
    const error = await caught(createAccessToken(t.db, projectId, bare.id, { name: "x" }, userId));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/v90 has no sandbox/);
    expect(await t.db.sandboxAccessToken.count({ where: { datasetVersionId: bare.id } })).toBe(0);
  });

  it("revokes at once, idempotently, with one audit event", async () => {
    const created = await createAccessToken(t.db, projectId, versionId, { name: "to revoke" }, userId);
    await authenticate(t.db, `Bearer ${created.token}`);
    const first = await revokeAccessToken(t.db, projectId, versionId, created.id, userId);
    const second = await revokeAccessToken(t.db, projectId, versionId, created.id, userId);
    expect(second.revokedAt).toBe(first.revokedAt);
    const actions = (await t.db.auditEvent.findMany({ where: { entityId: created.id }, orderBy: { createdAt: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["dataset.access_token.create", "dataset.access_token.revoke"]);
    expect((await listAccessTokens(t.db, projectId, versionId)).find((x) => x.id === created.id)?.state).toBe("revoked");
    expect(await caught(authenticate(t.db, `Bearer ${created.token}`))).toBeInstanceOf(UnauthorizedError);
    expect(await caught(revokeAccessToken(t.db, projectId, "another-version", created.id, userId))).toBeInstanceOf(NotFoundError);
  });

  it("goes away with its dataset version", async () => {
    const doomed = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 12 });
    await createAccessToken(t.db, projectId, doomed.id, { name: "short-lived" }, userId);
    expect(await t.db.sandboxAccessToken.count({ where: { datasetVersionId: doomed.id } })).toBe(1);
    await t.db.datasetVersion.delete({ where: { id: doomed.id } });
    expect(await t.db.sandboxAccessToken.count({ where: { datasetVersionId: doomed.id } })).toBe(0);
  });
});

describe("authenticate", () => {
  it("grants the version's sandbox for a valid token", async () => {
    const { token } = await createAccessToken(t.db, projectId, versionId, { name: "valid" }, userId);
    const access = await authenticate(t.db, `Bearer ${token}`);
    expect(access).toMatchObject({ projectId, datasetVersionId: versionId, version: 1, projectName: "Evaluator access", sandboxPath: sandboxFile });
  });

  it("answers unknown, malformed and revoked tokens with the same 401, and says when a token expired", async () => {
    const revoked = await createAccessToken(t.db, projectId, versionId, { name: "revoked" }, userId);
    await revokeAccessToken(t.db, projectId, versionId, revoked.id, userId);
    const expired = await createAccessToken(t.db, projectId, versionId, { name: "expired", expiresInDays: 1 }, userId);
    await t.db.sandboxAccessToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const unknown = await caught(authenticate(t.db, `Bearer ${newSandboxToken()}`));
    const malformed = await caught(authenticate(t.db, "Bearer sbx_short"));
    const personal = await caught(authenticate(t.db, "Bearer spt_0123456789abcdefghijklmnop"));
    const wasRevoked = await caught(authenticate(t.db, `Bearer ${revoked.token}`));
    for (const error of [unknown, malformed, personal, wasRevoked]) {
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as UnauthorizedError).status).toBe(401);
      expect((error as UnauthorizedError).challenge).toMatch(/^Bearer /);
      expect(error.message).toBe(unknown.message);
    }
    expect(unknown.message).toMatch(/not valid/);

    const wasExpired = await caught(authenticate(t.db, `Bearer ${expired.token}`));
    expect(wasExpired).toBeInstanceOf(UnauthorizedError);
    expect(wasExpired.message).toMatch(/expired on \d{4}-\d\d-\d\d/);
    expect((await listAccessTokens(t.db, projectId, versionId)).find((x) => x.id === expired.id)?.state).toBe("expired");

    for (const header of [null, "", "Basic abc", `Token ${revoked.token}`]) {
      const missing = await caught(authenticate(t.db, header));
      expect(missing).toBeInstanceOf(UnauthorizedError);
      expect(missing.message).toMatch(/Authorization: Bearer sbx_/);
    }
  });

  it("records last use at most once a minute", async () => {
    const { id, token } = await createAccessToken(t.db, projectId, versionId, { name: "last used" }, userId);
    await authenticate(t.db, `Bearer ${token}`);
    const first = (await t.db.sandboxAccessToken.findUniqueOrThrow({ where: { id } })).lastUsedAt!;
    expect(first).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await authenticate(t.db, `Bearer ${token}`);
    expect((await t.db.sandboxAccessToken.findUniqueOrThrow({ where: { id } })).lastUsedAt!.getTime()).toBe(first.getTime());
    const longAgo = new Date(Date.now() - 61_000);
    await t.db.sandboxAccessToken.update({ where: { id }, data: { lastUsedAt: longAgo } });
    await authenticate(t.db, `Bearer ${token}`);
    expect((await t.db.sandboxAccessToken.findUniqueOrThrow({ where: { id } })).lastUsedAt!.getTime()).toBeGreaterThan(longAgo.getTime() + 60_000);
  });

  it("says so when the version's sandbox file is gone", async () => {
    const other = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 13 });
    const { token } = await createAccessToken(t.db, projectId, other.id, { name: "orphan" }, userId);
    const sandbox = await t.db.sandbox.create({ data: { projectId, schemaVersionId: (await t.db.sandbox.findFirstOrThrow({ where: { projectId } })).schemaVersionId, seed: 1, status: "ready", filePath: "sandboxes/gone.duckdb" } });
    await t.db.datasetVersion.update({ where: { id: other.id }, data: { sandboxId: sandbox.id } });
    const error = await caught(authenticate(t.db, `Bearer ${token}`));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/no longer on the server/);
  });
});

describe("runQuery", () => {
  it("returns columns, rows and counts", async () => {
    const access = await accessFor("queries");
    const result = await runQuery(access, "SELECT count(*) AS n FROM airports");
    expect(result.columns).toEqual([{ name: "n", type: "BIGINT" }]);
    expect(result.rows[0][0]).toBeGreaterThan(0);
    expect(result).toMatchObject({ rowCount: 1, truncated: false });
    expect(typeof result.elapsedMs).toBe("number");
    const tables = await runQuery(access, "SELECT table_name FROM information_schema.tables ORDER BY 1");
    expect(tables.rows.flat()).toEqual(expect.arrayContaining(["airlines", "airports", "routes"]));
  });

  it("refuses writes, file access, ATTACH and INSTALL, and leaves the sandbox file unchanged", async () => {
    const access = await accessFor("hostile");
    const before = sha256(readFileSync(sandboxFile));
    const refused: [string, RegExp][] = [
      ["INSERT INTO airports (id) VALUES (-1)", /starts with INSERT/],
      ["CREATE TABLE evil AS SELECT 1", /starts with CREATE/],
      [`COPY airports TO '${exfilPath}'`, /starts with COPY/],
      [`COPY (SELECT 1) TO '${exfilPath}' (FORMAT csv)`, /starts with COPY/],
      ["SELECT * FROM read_csv('/etc/passwd')", /cannot read or write files/],
      ["SELECT * FROM read_text('/etc/passwd')", /cannot read or write files/],
      [`ATTACH '${path.join(t.dataDir, "other.duckdb")}' AS other`, /starts with ATTACH/],
      ["INSTALL httpfs", /starts with INSTALL/],
      ["SELECT 1; DROP TABLE airports", /2 statements/],
    ];
    for (const [sql, reason] of refused) {
      const error = await caught(runQuery(access, sql));
      expect(error, sql).toBeInstanceOf(SqlRefusedError);
      expect(error.message, sql).toMatch(reason);
    }
    expect(existsSync(exfilPath)).toBe(false);
    expect(existsSync(path.join(t.dataDir, "other.duckdb"))).toBe(false);
    expect(sha256(readFileSync(sandboxFile))).toBe(before);
  });

  it("reports DuckDB's own message for SQL that fails", async () => {
    const access = await accessFor("errors");
    const error = await caught(runQuery(access, "SELECT * FROM no_such_table"));
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect(error.message).toMatch(/Catalog Error.*no_such_table/);
  });

  it("caps rows at 1,000 by default and at 10,000 whatever is asked", async () => {
    const access = await accessFor("row cap");
    const byDefault = await runQuery(access, "SELECT * FROM range(5000)");
    expect(byDefault).toMatchObject({ rowCount: 1000, truncated: true });
    const asked = await runQuery(access, "SELECT * FROM range(5000)", { maxRows: 10 });
    expect(asked).toMatchObject({ rowCount: 10, truncated: true });
    const whole = await runQuery(access, "SELECT * FROM range(5000)", { maxRows: 5000 });
    expect(whole).toMatchObject({ rowCount: 5000, truncated: false });
    const capped = await runQuery(access, "SELECT * FROM range(20000)", { maxRows: 50_000 });
    expect(capped).toMatchObject({ rowCount: 10_000, truncated: true });
  });

  it("stops a query after 5 seconds", async () => {
    const access = await accessFor("timeout");
    const started = Date.now();
    const error = await caught(runQuery(access, "SELECT count(*) FROM range(1000000000) a CROSS JOIN range(1000000000) b"));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect((error as SqlExecutionError).kind).toBe("timeout");
    expect(error.message).toMatch(/longer than 5 s/);
    expect(elapsed).toBeGreaterThanOrEqual(4900);
    expect(elapsed).toBeLessThan(8000);
  }, 20_000);

  it("limits each token's rate and says when to retry", async () => {
    process.env.SANDPIPER_SANDBOX_RATE = "1,2";
    const access = await accessFor("rate limited");
    const other = await accessFor("another evaluator");
    await runQuery(access, "SELECT 1");
    await runQuery(access, "SELECT 1");
    const error = await caught(runQuery(access, "SELECT 1"));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect((error as RateLimitError).retryAfterSeconds).toBe(1);
    expect(error.message).toMatch(/limit is 1 per second, in bursts of up to 2\. Retry after 1 s/);
    // Another token has its own bucket.
    await expect(runQuery(other, "SELECT 1")).resolves.toMatchObject({ rowCount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await expect(runQuery(access, "SELECT 1")).resolves.toMatchObject({ rowCount: 1 });
  });
});
