import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/server/client";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";
import { newRowId } from "@/lib/db/ids";
import type { ChatMessage } from "@/lib/providers/chat";
import type { ModelAnswer } from "@/lib/evaluation/predictor";
import { redactSecrets } from "@/lib/redact";

// The response cache: a model's answer to exactly these messages, from an endpoint with exactly
// these settings, for this repeat. A rerun of an unchanged endpoint on an unchanged prompt then
// costs nothing, and a run resumed after a crash reuses the answers it had already paid for.
// Repeats have their own keys: rerun stability needs a fresh answer per repeat.

export interface CachedAnswer {
  key: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  /** When the answer was stored (a later store of the same key moves it forward). */
  createdAt: Date;
}

/** sha256 of the endpoint identity, the messages and the repeat. The identity never holds a secret. */
export function cacheKey(identity: string, messages: ChatMessage[], repeat: number): string {
  return createHash("sha256").update(identity).update("\n").update(JSON.stringify(messages)).update("\n").update(String(repeat)).digest("hex");
}

const LOOKUP_CHUNK = 500;

/**
 * Stored answers for these keys. `storedFrom`/`storedBefore` narrow it to answers stored in a time
 * window (a run that does not use the cache still reuses the answers it stored itself before a restart).
 */
export async function findCachedAnswers(
  db: Db,
  projectId: string,
  keys: string[],
  window: { storedFrom?: Date; storedBefore?: Date } = {},
): Promise<Map<string, CachedAnswer>> {
  const found = new Map<string, CachedAnswer>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const rows = await db.evalCache.findMany({
      where: {
        projectId,
        key: { in: unique.slice(i, i + LOOKUP_CHUNK) },
        ...(window.storedFrom || window.storedBefore
          ? { createdAt: { ...(window.storedFrom ? { gte: window.storedFrom } : {}), ...(window.storedBefore ? { lt: window.storedBefore } : {}) } }
          : {}),
      },
      select: { key: true, text: true, promptTokens: true, completionTokens: true, latencyMs: true, createdAt: true },
    });
    for (const row of rows) found.set(row.key, row);
  }
  return found;
}

/**
 * Stores (or replaces) one answer, as soon as it arrives: an answer paid for is never lost to a
 * crash. The text is stored redacted, like the answer kept on the result row. One INSERT … ON
 * CONFLICT statement, so two runs storing the same key at once both succeed. On SQLite it goes
 * through the plain connection (microseconds, where the ORM's upsert costs a millisecond of the
 * event loop per answer: a run at full speed stores 100+ a second).
 */
export async function storeCachedAnswer(db: Db, projectId: string, key: string, answer: ModelAnswer): Promise<void> {
  const latencyMs = Math.round(answer.latencyMs);
  // A model (or a proxy in front of it) may echo a key back: no secret is stored.
  const text = redactSecrets(answer.text);
  const fast = getFastSqlite(db);
  if (fast) {
    prepared(
      fast,
      `INSERT INTO "EvalCache" ("id", "projectId", "key", "text", "promptTokens", "completionTokens", "latencyMs", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("projectId", "key") DO UPDATE SET "text" = excluded."text", "promptTokens" = excluded."promptTokens",
         "completionTokens" = excluded."completionTokens", "latencyMs" = excluded."latencyMs", "createdAt" = excluded."createdAt"`,
    ).run(newRowId(), projectId, key, text, answer.promptTokens, answer.completionTokens, latencyMs, sqliteNow());
    return;
  }
  await db.$executeRaw`
    INSERT INTO "EvalCache" ("id", "projectId", "key", "text", "promptTokens", "completionTokens", "latencyMs", "createdAt")
    VALUES (${newRowId()}, ${projectId}, ${key}, ${text}, ${answer.promptTokens}, ${answer.completionTokens}, ${latencyMs}, ${new Date()})
    ON CONFLICT ("projectId", "key") DO UPDATE SET "text" = excluded."text", "promptTokens" = excluded."promptTokens",
      "completionTokens" = excluded."completionTokens", "latencyMs" = excluded."latencyMs", "createdAt" = excluded."createdAt"`;
}
