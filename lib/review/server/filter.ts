import "server-only";
import type { Prisma } from "@/lib/generated/sqlite/client";
import type { PairFilter } from "@/lib/review/filter";

// The review filter as a Prisma `where` (both databases) and as SQL over `"Pair" p JOIN "Query" q`
// (the SQLite fast path of bulk decisions). Both must select the same pairs: bulk.int.test.ts checks
// every field on a seeded project.

/** "me" resolves to the signed-in user; "none" to unset. */
function who(value: string, userId: string | null | undefined): string | null {
  if (value === "none") return null;
  if (value === "me") return userId ?? "\u0000no-user";
  return value;
}

/** JSON text fragments the stored columns contain for a value (they are written by JSON.stringify). */
const tableNeedle = (table: string) => JSON.stringify(table);
const lintNeedle = (code: string) => `"code":${JSON.stringify(code)}`;
const flagNeedle = (flag: string) => JSON.stringify(flag);

export function buildPairWhere(projectId: string, filter: PairFilter, userId?: string | null): Prisma.PairWhereInput {
  const and: Prisma.PairWhereInput[] = [];
  const query: Prisma.QueryWhereInput = {};
  const queryAnd: Prisma.QueryWhereInput[] = [];
  if (filter.complexity) query.complexity = filter.complexity;
  if (filter.shape) query.shape = filter.shape;
  if (filter.origin) query.origin = filter.origin;
  if (filter.table) queryAnd.push({ features: { contains: tableNeedle(filter.table) } });
  if (filter.lint === "any") queryAnd.push({ NOT: { lintFlags: "[]" } });
  else if (filter.lint === "none") queryAnd.push({ lintFlags: "[]" });
  else if (filter.lint) queryAnd.push({ lintFlags: { contains: lintNeedle(filter.lint) } });
  if (queryAnd.length) query.AND = queryAnd;
  if (Object.keys(query).length) and.push({ query });
  if (filter.q) and.push({ OR: [{ question: { contains: filter.q } }, { query: { sql: { contains: filter.q } } }] });
  if (filter.flag) and.push({ flags: { contains: flagNeedle(filter.flag) } });
  if (filter.reviewer) and.push({ reviewedById: who(filter.reviewer, userId) });
  if (filter.assignee) and.push({ assigneeId: who(filter.assignee, userId) });
  if (filter.hasComments === true) and.push({ comments: { some: {} } });
  if (filter.hasComments === false) and.push({ comments: { none: {} } });
  if (filter.roundTrip) and.push({ roundTripStatus: filter.roundTrip });
  return { projectId, ...(filter.state ? { reviewState: filter.state } : {}), ...(and.length ? { AND: and } : {}) };
}

/**
 * The same filter as SQL over `"Pair" p JOIN "Query" q ON q.id = p.queryId` (SQLite). LIKE is
 * case-insensitive for ASCII there, as Prisma's contains is; % and _ are not escaped, as Prisma
 * passes them through too, so the count and the list agree.
 */
export function sqliteWhere(projectId: string, filter: PairFilter, userId?: string | null): { sql: string; params: (string | null)[] } {
  const parts = ["p.projectId = ?"];
  const params: (string | null)[] = [projectId];
  const add = (sql: string, ...values: (string | null)[]) => {
    parts.push(sql);
    params.push(...values);
  };
  const nullable = (column: string, value: string) => {
    const id = who(value, userId);
    if (id === null) parts.push(`${column} IS NULL`);
    else add(`${column} = ?`, id);
  };
  if (filter.state) add("p.reviewState = ?", filter.state);
  if (filter.complexity) add("q.complexity = ?", filter.complexity);
  if (filter.shape) add("q.shape = ?", filter.shape);
  if (filter.origin) add("q.origin = ?", filter.origin);
  if (filter.table) add("instr(q.features, ?) > 0", tableNeedle(filter.table));
  if (filter.lint === "any") parts.push("q.lintFlags <> '[]'");
  else if (filter.lint === "none") parts.push("q.lintFlags = '[]'");
  else if (filter.lint) add("instr(q.lintFlags, ?) > 0", lintNeedle(filter.lint));
  if (filter.q) add("(p.question LIKE ? OR q.sql LIKE ?)", `%${filter.q}%`, `%${filter.q}%`);
  if (filter.flag) add("instr(p.flags, ?) > 0", flagNeedle(filter.flag));
  if (filter.reviewer) nullable("p.reviewedById", filter.reviewer);
  if (filter.assignee) nullable("p.assigneeId", filter.assignee);
  if (filter.hasComments === true) parts.push(`EXISTS (SELECT 1 FROM "ReviewComment" c WHERE c.pairId = p.id)`);
  if (filter.hasComments === false) parts.push(`NOT EXISTS (SELECT 1 FROM "ReviewComment" c WHERE c.pairId = p.id)`);
  if (filter.roundTrip) add("p.roundTripStatus = ?", filter.roundTrip);
  return { sql: parts.join(" AND "), params };
}

/**
 * Pairs a user may see in the review list: all but those they are the blind second reviewer of and
 * have not judged yet (the first review, its edits and comments stay hidden from them until then).
 */
export function notBlindTo(userId: string | null | undefined): Prisma.PairWhereInput {
  if (!userId) return {};
  return { OR: [{ secondReviewerId: null }, { secondReviewerId: { not: userId } }, { secondReviews: { some: { reviewerId: userId } } }] };
}
