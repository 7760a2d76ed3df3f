import { z } from "zod";

// Inputs and limits of the evaluator endpoint, shared by the routes, the MCP tool and the UI.

export const TOKEN_PREFIX = "sbx_";
/** Characters after the prefix. */
export const TOKEN_RANDOM_LENGTH = 40;
export const TOKEN_PATTERN = /^sbx_[0-9A-Za-z]{40}$/;

/** A request body over this is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 100 * 1024;
export const QUERY_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_ROWS = 1000;
export const MAX_ROWS_LIMIT = 10_000;
export const MAX_EXPIRY_DAYS = 365;

const maxRows = z
  .number({ error: "maxRows must be a number." })
  .int("maxRows must be a whole number.")
  .min(1, "maxRows must be at least 1.")
  .max(MAX_ROWS_LIMIT, `maxRows can be at most ${MAX_ROWS_LIMIT.toLocaleString("en-US")}.`);

export const sandboxQueryInput = z.object({
  sql: z.string({ error: "Send the SQL to run as a string in `sql`." }).min(1, "Send the SQL to run in `sql`."),
  maxRows: maxRows.optional(),
});
export type SandboxQueryInput = z.infer<typeof sandboxQueryInput>;

/** The MCP tool's arguments (a raw shape: the SDK builds the JSON Schema from it). */
export const sandboxQueryToolShape = {
  sql: z.string().min(1).describe("One DuckDB SELECT or WITH query."),
  maxRows: maxRows.optional().describe(`Row cap for this call (default ${DEFAULT_MAX_ROWS}, at most ${MAX_ROWS_LIMIT}).`),
};

export const createAccessTokenInput = z.object({
  name: z.string().trim().min(1, "Name the token, e.g. after the evaluator that will use it.").max(80, "Keep the name under 80 characters."),
  expiresInDays: z
    .number()
    .int("Expiry is a whole number of days.")
    .min(1, "Expiry is at least 1 day; leave it empty for a token that does not expire.")
    .max(MAX_EXPIRY_DAYS, `Expiry is at most ${MAX_EXPIRY_DAYS} days.`)
    .nullish(),
});
export type CreateAccessTokenInput = z.input<typeof createAccessTokenInput>;

export type AccessTokenState = "active" | "revoked" | "expired";

/** A token as the management API lists it: never its value or hash. */
export interface AccessTokenSummary {
  id: string;
  name: string;
  hint: string;
  state: AccessTokenState;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

/** Where a remote evaluator sends its queries. */
export interface EvaluatorEndpoints {
  query: string;
  mcp: string;
}

export function evaluatorEndpoints(origin: string): EvaluatorEndpoints {
  return { query: `${origin}/api/sandbox-access/query`, mcp: `${origin}/api/sandbox-access/mcp` };
}
