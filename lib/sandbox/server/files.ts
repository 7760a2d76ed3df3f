import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readdir, rename, rm, stat } from "node:fs/promises";
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

/**
 * Makes a finished `<target>.partial` (its DuckDB instance closed) the file at target: synced,
 * renamed in one step, the folder synced; returns its size and sha256.
 */
export async function publishSandboxFile(tempPath: string, targetPath: string): Promise<{ bytes: number; sha256: string }> {
  await fsyncPath(tempPath);
  await rename(tempPath, targetPath);
  await fsyncPath(path.dirname(targetPath)).catch(() => undefined); // directories cannot be fsynced on every platform
  const { size } = await stat(targetPath);
  return { bytes: size, sha256: await hashFile(targetPath) };
}
