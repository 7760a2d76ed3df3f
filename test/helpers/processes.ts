// Start the job worker as a real separate process (as `npm run worker` does), to kill it.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface SpawnWorkerOptions {
  /**
   * RLIMIT_FSIZE in KiB (bash `ulimit -f`), with SIGXFSZ ignored: writing a file past the limit then
   * fails with EFBIG ("File too large"), the way a full disk fails a write.
   */
  fileSizeLimitKb?: number;
}

export function spawnWorker(env: Record<string, string>, options: SpawnWorkerOptions = {}): ChildProcess {
  const root = path.resolve(import.meta.dirname, "../..");
  const args = ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"];
  const limited = options.fileSizeLimitKb !== undefined;
  const command = limited ? "bash" : process.execPath;
  const argv = limited
    ? ["-c", `trap '' XFSZ; ulimit -f ${Math.floor(options.fileSizeLimitKb!)}; exec "$0" "$@"`, process.execPath, ...args]
    : args;
  const child = spawn(command, argv, {
    cwd: root,
    env: { ...process.env, SANDPIPER_LOG: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
