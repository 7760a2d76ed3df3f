import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError } from "@/lib/errors";
import { assertNotBlind } from "@/lib/review/server/service";

// The full history of one pair: every ReviewEvent (one per revision, oldest first: revision 2 is
// the first change, revision 1 being the pair as generated) with who made it, and the comments
// interleaved by time. Nothing is paged or dropped, so the history always accounts for every
// revision the pair went through. A pair's blind second reviewer cannot read it before judging the
// pair: the history would show the first review.

export type HistoryActor =
  | { kind: "user"; id: string; name: string; email: string }
  /** The account that made the change no longer exists. */
  | { kind: "deleted"; id: string; name: "deleted user" }
  /** Made without a signed-in user (the pipeline, a script, the demo). */
  | { kind: "system"; name: "system" };

export interface HistoryChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface HistoryEvent {
  kind: "event";
  id: string;
  /** ISO time. */
  at: string;
  actor: HistoryActor;
  /** As stored: approve | reject | reopen | flag | edit_question | edit_sql. */
  action: string;
  /** What happened, in words: "approve", "bulk approve", "undo of bulk approve", "edit SQL". */
  label: string;
  /** The pair's revision this event produced. */
  revision: number;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** The fields whose value differs between before and after. */
  changes: HistoryChange[];
  /** For edits: the question and the SQL before and after (equal when only the other changed). */
  question: { before: string; after: string } | null;
  sql: { before: string; after: string } | null;
  /** The bulk decision this event belongs to. */
  batch: string | null;
  /** The bulk decision this event undid. */
  undoOf: string | null;
}

export interface HistoryComment {
  kind: "comment";
  id: string;
  at: string;
  actor: HistoryActor;
  body: string;
}

export type HistoryEntry = HistoryEvent | HistoryComment;

export interface PairHistory {
  pair: { id: string; revision: number; reviewState: string; question: string; sql: string; createdAt: string };
  /** Oldest first: events by revision, each comment before the first event made after it. */
  entries: HistoryEntry[];
  eventCount: number;
  commentCount: number;
}

const ACTION_WORDS: Record<string, string> = {
  approve: "approve",
  reject: "reject",
  reopen: "reopen",
  flag: "flag",
  edit_question: "edit question",
  edit_sql: "edit SQL",
};

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Before/after of a text field, when the event recorded it on either side. */
function textChange(before: Record<string, unknown>, after: Record<string, unknown>, field: string): { before: string; after: string } | null {
  const b = before[field];
  const a = after[field];
  if (typeof b !== "string" && typeof a !== "string") return null;
  const previous = typeof b === "string" ? b : typeof a === "string" ? a : "";
  return { before: previous, after: typeof a === "string" ? a : previous };
}

/** Every change made to a pair, who made it and when, with the comments, oldest first. `userId`: who asks. */
export async function getPairHistory(db: Db, projectId: string, pairId: string, userId?: string | null): Promise<PairHistory> {
  const pair = await db.pair.findFirst({
    where: { id: pairId, projectId },
    select: { id: true, revision: true, reviewState: true, question: true, createdAt: true, query: { select: { sql: true } } },
  });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  await assertNotBlind(db, projectId, pairId, userId);
  const [events, comments] = await Promise.all([
    db.reviewEvent.findMany({ where: { pairId }, orderBy: { revision: "asc" } }),
    db.reviewComment.findMany({ where: { pairId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  ]);
  const userIds = [...new Set([...events, ...comments].map((e) => e.userId).filter((id): id is string => !!id))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }) : [];
  const byId = new Map(users.map((u) => [u.id, u]));
  const actorOf = (userId: string | null): HistoryActor => {
    if (!userId) return { kind: "system", name: "system" };
    const user = byId.get(userId);
    return user ? { kind: "user", id: user.id, name: user.name, email: user.email } : { kind: "deleted", id: userId, name: "deleted user" };
  };

  const parsed = events.map((e) => ({ event: e, before: parseObject(e.before), after: parseObject(e.after) }));
  // An undo names the batch it undid; the batch's own events say which decision that was.
  const batchAction = new Map<string, string>();
  for (const { event, after } of parsed) if (typeof after.batch === "string") batchAction.set(after.batch, event.action);

  const eventEntries: HistoryEvent[] = parsed.map(({ event, before, after }) => {
    const batch = typeof after.batch === "string" ? after.batch : null;
    const undoOf = typeof after.undoOf === "string" ? after.undoOf : null;
    const words = ACTION_WORDS[event.action] ?? event.action.replace(/_/g, " ");
    const label = undoOf ? `undo of bulk ${batchAction.get(undoOf) ?? "decision"}` : batch ? `bulk ${words}` : words;
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => f !== "batch" && f !== "undoOf");
    const edit = event.action === "edit_question" || event.action === "edit_sql";
    return {
      kind: "event",
      id: event.id,
      at: event.createdAt.toISOString(),
      actor: actorOf(event.userId),
      action: event.action,
      label,
      revision: event.revision,
      before,
      after,
      changes: fields.filter((f) => !same(before[f], after[f])).map((f) => ({ field: f, before: before[f] ?? null, after: after[f] ?? null })),
      question: edit ? textChange(before, after, "question") : null,
      sql: edit ? textChange(before, after, "sql") : null,
      batch,
      undoOf,
    };
  });

  const entries: HistoryEntry[] = [];
  let c = 0;
  for (const [i, entry] of eventEntries.entries()) {
    const at = events[i].createdAt.getTime();
    while (c < comments.length && comments[c].createdAt.getTime() < at) entries.push(commentEntry(comments[c++], actorOf));
    entries.push(entry);
  }
  while (c < comments.length) entries.push(commentEntry(comments[c++], actorOf));

  return {
    pair: { id: pair.id, revision: pair.revision, reviewState: pair.reviewState, question: pair.question, sql: pair.query.sql, createdAt: pair.createdAt.toISOString() },
    entries,
    eventCount: events.length,
    commentCount: comments.length,
  };
}

function commentEntry(comment: { id: string; userId: string | null; body: string; createdAt: Date }, actorOf: (id: string | null) => HistoryActor): HistoryComment {
  return { kind: "comment", id: comment.id, at: comment.createdAt.toISOString(), actor: actorOf(comment.userId), body: comment.body };
}
