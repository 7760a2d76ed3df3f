// npm run secrets:rotate — after changing SANDPIPER_SECRET_KEY, re-seal stored provider secrets:
//   SANDPIPER_SECRET_KEY_PREVIOUS=<old key> SANDPIPER_SECRET_KEY=<new key> npm run secrets:rotate
import { getDb, disconnectDb } from "@/lib/db/server/client";
import { applyMigrations } from "@/lib/db/server/migrate";
import { getDatabaseUrl } from "@/lib/db/config";
import { rotateSecrets } from "@/lib/secrets/server/rotate";

if (!process.env.SANDPIPER_SECRET_KEY) {
  console.error("Set SANDPIPER_SECRET_KEY to the new key (and SANDPIPER_SECRET_KEY_PREVIOUS to the old one).");
  process.exit(2);
}
await applyMigrations(getDatabaseUrl());
try {
  const { rotated, alreadyCurrent } = await rotateSecrets(getDb());
  console.log(`Re-sealed ${rotated} secret(s) under the new key; ${alreadyCurrent} already used it.`);
  console.log("You can now remove SANDPIPER_SECRET_KEY_PREVIOUS. Users must sign in again unless SANDPIPER_SESSION_SECRET is set.");
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
