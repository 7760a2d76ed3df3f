import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readdir, rm } from "node:fs/promises";
import path from "node:path";

// File steps shared by everything that writes a sandbox file: build under `<target>.partial`,
// sync, rename, and clean up what a crashed or cancelled run left behind.

/** Removes `<tempName>` and its side files (`<tempName>.wal`, …) from dir. */
export async function removeLeftovers(dir: string, tempName: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e === tempName || e.startsWith(`${tempName}.`)).map((e) => rm(path.join(dir, e), { force: true })));
}

export async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function hashFile(p: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
