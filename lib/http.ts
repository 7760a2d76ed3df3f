// The one place where errors become HTTP responses, and route input is parsed.
import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, ValidationError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { redactSecrets } from "@/lib/redact";

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorResponse(error: unknown): NextResponse<ErrorBody> {
  if (error instanceof AppError) {
    return NextResponse.json(
      { error: { code: error.code, message: redactSecrets(error.message), ...(error.details ? { details: error.details } : {}) } },
      { status: error.status },
    );
  }
  logger.error("unhandled route error", { error: (error as Error)?.stack ?? String(error) });
  return NextResponse.json(
    { error: { code: "internal", message: "Something went wrong on the server. The error was logged; try again, and if it persists, report it." } },
    { status: 500 },
  );
}

const MAX_JSON_BYTES = 2 * 1024 * 1024;

/** Parse a JSON body against a schema; oversized or malformed bodies are a ValidationError. */
export async function parseJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = MAX_JSON_BYTES): Promise<z.infer<T>> {
  const limit = `${Math.round(maxBytes / 1024 / 1024)} MB`;
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > maxBytes) throw new ValidationError(`The request is too large (${(length / 1024 / 1024).toFixed(1)} MB; the limit is ${limit}).`);
  const text = await req.text();
  if (text.length > maxBytes) throw new ValidationError(`The request is too large (the limit is ${limit}).`);
  let raw: unknown;
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new ValidationError(`${where}${first?.message ?? "invalid input"}`, { issues: parsed.error.issues.slice(0, 5) });
  }
  return parsed.data;
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
