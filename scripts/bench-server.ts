// Shared by the benchmarks that drive the production build: check the build is there (and warn
// when sources are newer), pick a free port, start `next start` in its own process group, wait
// until it answers, and stop it (TERM, then KILL after 5 s).
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "generated") continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(tsx?|css)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Exits with instructions when there is no production build; warns when sources are newer than it. */
export function requireBuild(root: string, benchName: string): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) {
    console.error(`No production build found (.next/BUILD_ID is missing). Build it first, then run the benchmark again:\n\n  npm run build && npm run ${benchName}\n`);
    process.exit(1);
  }
  const sourcesNewer = ["app", "lib", "components"].some((d) => newestSource(path.join(root, d)) > statSync(buildId).mtimeMs);
  if (sourcesNewer) console.warn("warning: sources changed since the last build; the benchmark measures the old build. Run `npm run build` to measure the current code.\n");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface NextServer {
  baseUrl: string;
  pid: number | undefined;
  /** The last 8 KB the server printed. */
  output(): string;
  /** Resolves when the server answers `probePath` with 200 (rejects after 60 s or if it exits). */
  ready(probePath: string, headers?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startNextServer(root: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<NextServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = spawn(process.execPath, [...nodeArgs, require.resolve("next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exitedEarly = new Promise<never>((_, reject) => child!.once("exit", (code) => reject(new Error(`The server exited (code ${code}) before it was ready:\n${output}`))));
  exitedEarly.catch(() => {});

  return {
    baseUrl,
    pid: child.pid,
    output: () => output,
    async ready(probePath, headers) {
      const t0 = performance.now();
      const poll = (async () => {
        for (;;) {
          try {
            const res = await fetch(`${baseUrl}${probePath}`, { headers });
            await res.arrayBuffer();
            if (res.status === 200) return;
          } catch {
            // not listening yet
          }
          if (performance.now() - t0 > 60_000) throw new Error(`The server did not answer within 60 s:\n${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await Promise.race([poll, exitedEarly]);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running?.pid || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-running.pid!, signal); // the server runs in its own process group
        } catch {
          running.kill(signal);
        }
      };
      signalGroup("SIGTERM");
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!killed) {
        signalGroup("SIGKILL");
        await exited;
      }
    },
  };
}
