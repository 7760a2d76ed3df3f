// moto's server (preinstalled with the machine's Python) as the S3 the tests read and write: a real
// S3 API on a local port, started per test file and killed afterwards.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

export interface Moto {
  /** e.g. "http://127.0.0.1:53121" */
  endpoint: string;
  close(): Promise<void>;
}

/** moto accepts any key pair; these are what the tests sign with. */
export const MOTO_CREDENTIALS = { accessKeyId: "AKIAMOTO000000000001", secretAccessKey: "moto/secret/access/key/00000000000000000" };
export const MOTO_REGION = "us-east-1";

export async function startMoto(timeoutMs = 20_000): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group, so close() ends the pyenv shim and the Python it runs together.
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const spawnFailure = new Promise<never>((_, reject) => child.once("error", (error) => reject(new Error(`moto_server could not start: ${error.message}`))));

  const close = async () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const killed = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 3000);
    await exit;
    clearTimeout(killed);
  };

  const until = Date.now() + timeoutMs;
  const ready = (async () => {
    for (;;) {
      if (exited) throw new Error(`moto_server exited before answering: ${output.trim().slice(-500)}`);
      try {
        const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${output.trim().slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await Promise.race([ready, spawnFailure]);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, close };
}

export async function createBucket(endpoint: string, name: string): Promise<void> {
  const s3 = new S3Client({ region: MOTO_REGION, endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    s3.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
