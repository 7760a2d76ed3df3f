// The one place where errors become HTTP responses, and route input is parsed.
import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, PayloadTooLargeError, RateLimitError, ValidationError, UnauthorizedError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { redactSecrets } from "@/lib/redact";
import { parseOrThrow } from "@/lib/validate";

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorResponse(error: unknown): NextResponse<ErrorBody> {
  if (error instanceof AppError) {
    const headers = new Headers();
    if (error instanceof RateLimitError && error.retryAfterSeconds !== undefined) headers.set("Retry-After", String(error.retryAfterSeconds));
    // Bearer-token routes tell the client how to authenticate (RFC 6750).
    if (error instanceof UnauthorizedError && error.challenge) headers.set("WWW-Authenticate", error.challenge);
    return NextResponse.json(
      { error: { code: error.code, message: redactSecrets(error.message), ...(error.details ? { details: error.details } : {}) } },
      { status: error.status, headers },
    );
  }
  logger.error("unhandled route error", { error: (error as Error)?.stack ?? String(error) });
  return NextResponse.json(
    { error: { code: "internal", message: "Something went wrong on the server. The error was logged; try again, and if it persists, report it." } },
    { status: 500 },
  );
}

const MAX_JSON_BYTES = 2 * 1024 * 1024;

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * The body as text, refused with 413 once it passes maxBytes: a declared Content-Length is checked
 * first, and a body without one is counted while it streams, so an oversized body is never held whole.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = (size?: number) =>
    new PayloadTooLargeError(`The request is too large (${size === undefined ? "" : `${formatSize(size)}; `}the limit is ${formatSize(maxBytes)}).`);
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > maxBytes) throw tooLarge(length);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parse a JSON body against a schema; an oversized body is a 413, a malformed one a ValidationError. */
export async function parseJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = MAX_JSON_BYTES): Promise<z.infer<T>> {
  const text = await readBodyText(req, maxBytes);
  let raw: unknown;
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
  return parseOrThrow(schema, raw);
}

/** Parse a URL's query string against a schema; a bad value is a ValidationError. */
export function parseSearchParams<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ValidationError(`${first?.path.join(".") || "query"}: ${first?.message ?? "invalid value"}`);
  }
  return parsed.data;
}

/** The address people reach the studio at: SANDPIPER_PUBLIC_URL, else the request's own host. */
export function publicOrigin(req: Request): string {
  const configured = process.env.SANDPIPER_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const proto = req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol.replace(":", "");
  return host ? `${proto}://${host}` : new URL(req.url).origin;
}
