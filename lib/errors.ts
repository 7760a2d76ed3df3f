// The studio's error classes. Routes map them to HTTP status in one place (lib/http.ts);
// every message says what went wrong and, where it can, what to do about it.

export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal";
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed or breaks a rule; the user can fix it. */
export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = "validation";
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = "not_found";
}

/** The request collides with current state (duplicate name, stale revision, job already running). */
export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = "conflict";
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = "forbidden";
}

/** An external provider (LLM endpoint, Fireworks, Bedrock) failed or refused. */
export class ProviderError extends AppError {
  override readonly status = 502;
  override readonly code = "provider";
}

/** SQL that is not allowed to run (not a single SELECT/WITH, touches files, changes settings...). */
export class SqlRefusedError extends AppError {
  override readonly status = 400;
  override readonly code = "sql_refused";
}

/** SQL that ran but failed (syntax, binder, runtime error), or hit the time or memory limit. */
export class SqlExecutionError extends AppError {
  override readonly status = 400;
  override readonly code = "sql_error";
  constructor(
    message: string,
    readonly kind: "syntax" | "binder" | "runtime" | "timeout" | "memory" | "too_many_rows" = "runtime",
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

/** No signed-in user (or an invalid API token). `challenge` becomes a WWW-Authenticate header. */
export class UnauthorizedError extends AppError {
  override readonly status = 401;
  override readonly code = "unauthorized";
  constructor(
    message: string,
    readonly challenge?: string,
  ) {
    super(message);
  }
}

/** Too many attempts in a short time (sign-in, sandbox queries). `retryAfterSeconds` becomes a Retry-After header. */
export class RateLimitError extends AppError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
  }
}

/** The request body is over the route's size limit. */
export class PayloadTooLargeError extends AppError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}
