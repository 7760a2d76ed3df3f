// What every stand-in server does the same way: listen on loopback, and run as a program of its own
// (benchmarks start stand-ins in another process so they do not share the measured event loop).
import type { ServerResponse } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { pathToFileURL } from "node:url";

/** Listens on 127.0.0.1 (port 0: any free one) and returns the port. */
export async function listenLocal(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** `--name value` from a command line. */
export function cliOption(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * Runs `main` when the module is the program itself; it prints "listening <url>" and stops on
 * SIGTERM/SIGINT.
 */
export function runAsProgram(moduleUrl: string, start: (argv: string[]) => Promise<{ url: string; close(): Promise<void> }>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  start(process.argv.slice(2))
    .then((standIn) => {
      console.log(`listening ${standIn.url}`);
      const stop = () => void standIn.close().then(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

/** A JSON answer with this status. */
export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(payload));
}

/** Resolves after `ms`, or as soon as the client closes the connection. */
export function waitUnlessClosed(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on("close", done);
  });
}
