import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { getCurrentKeyId, openSecret, sealSecret, sealedKeyId } from "@/lib/secrets/server/crypto";

/**
 * Re-seal every stored secret under the current key (SANDPIPER_SECRET_KEY), reading the old ones
 * with SANDPIPER_SECRET_KEY_PREVIOUS. All or nothing: one secret that cannot be opened stops the
 * rotation before anything is written, and the error names the connection.
 */
export async function rotateSecrets(db: Db): Promise<{ rotated: number; alreadyCurrent: number }> {
  const current = getCurrentKeyId();
  const rows = await db.providerConnection.findMany({ where: { secretCipher: { not: null } }, select: { id: true, name: true, projectId: true, secretCipher: true } });
  const updates: { id: string; projectId: string; cipher: string; keyId: string }[] = [];
  let alreadyCurrent = 0;
  for (const row of rows) {
    if (sealedKeyId(row.secretCipher!) === current) {
      alreadyCurrent++;
      continue;
    }
    let plaintext: string;
    try {
      plaintext = openSecret(row.secretCipher!);
    } catch (error) {
      throw new Error(`Connection "${row.name}" (${row.id}): ${(error as Error).message} Nothing was changed.`);
    }
    const sealed = sealSecret(plaintext);
    updates.push({ id: row.id, projectId: row.projectId, cipher: sealed.cipher, keyId: sealed.keyId });
  }
  await db.$transaction(async (tx) => {
    for (const u of updates) {
      await tx.providerConnection.update({ where: { id: u.id }, data: { secretCipher: u.cipher, secretKeyId: u.keyId } });
      await recordAudit(tx, { projectId: u.projectId, action: "connection.rotate_key", entityType: "provider_connection", entityId: u.id, summary: `Secret re-sealed under key ${u.keyId}` });
    }
  });
  return { rotated: updates.length, alreadyCurrent };
}
