"use client";

import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { diffText } from "@/lib/review/text-diff";
import { InlineDiff } from "@/components/inline-diff";
import type { HistoryActor, HistoryComment, HistoryEvent, PairHistory as History } from "@/lib/review/server/history";

// A pair's history as a timeline, newest first: who did what and when, each change's revision,
// word diffs of the question and SQL for edits, bulk decisions and their undo, and the comments.

const ACTION_TONE: Record<string, BadgeTone> = { approve: "green", reject: "red", reopen: "amber", flag: "gray", edit_question: "blue", edit_sql: "blue" };
const FIELD_NAMES: Record<string, string> = { reviewState: "state", rejectReason: "reason", flags: "flags" };

function relativeTime(iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 365 * 86_400],
    ["month", 30 * 86_400],
    ["week", 7 * 86_400],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  return Math.abs(seconds) < 10 ? "just now" : format.format(seconds, "second");
}

function absoluteTime(iso: string): string {
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "medium" });
}

function When({ at, now }: { at: string; now: number }) {
  return (
    <time dateTime={at} title={absoluteTime(at)} className="text-slate-500">
      {relativeTime(at, now)}
      <span className="text-slate-400"> · {absoluteTime(at)}</span>
    </time>
  );
}

function Actor({ actor }: { actor: HistoryActor }) {
  if (actor.kind === "user") {
    return (
      <span className="font-medium text-slate-800" title={actor.email}>
        {actor.name || actor.email}
      </span>
    );
  }
  return <span className="font-medium italic text-slate-500">{actor.kind === "deleted" ? "a deleted user" : "the system"}</span>;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/_/g, " ");
}

function TextChange({ label, change, mono }: { label: string; change: { before: string; after: string }; mono?: boolean }) {
  const diff = useMemo(() => diffText(change.before, change.after), [change.before, change.after]);
  return (
    <div className="mt-1.5">
      <p className="text-[0.7rem] font-medium uppercase tracking-wide text-slate-500">
        {label}
        {diff.granularity !== "word" && <span className="ml-1 normal-case tracking-normal text-slate-400">(compared line by line: a large change)</span>}
      </p>
      <InlineDiff segments={diff.segments} mono={mono} />
    </div>
  );
}

function EventItem({ event, now }: { event: HistoryEvent; now: number }) {
  const others = event.changes.filter((c) => c.field !== "question" && c.field !== "sql");
  const questionChanged = event.question && event.question.before !== event.question.after;
  const sqlChanged = event.sql && event.sql.before !== event.sql.after;
  return (
    <li className="relative pl-5">
      <span aria-hidden="true" className="absolute left-0 top-1.5 h-2.5 w-2.5 rounded-full border-2 border-white bg-slate-400 ring-1 ring-slate-300" />
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
        <Badge tone={ACTION_TONE[event.action] ?? "gray"} title={event.batch ? `Bulk decision ${event.batch}` : event.undoOf ? `Undid bulk decision ${event.undoOf}` : undefined}>
          {event.label}
        </Badge>
        <Actor actor={event.actor} />
        <When at={event.at} now={now} />
        <span className="ml-auto tabular-nums text-slate-400" title="The pair's revision after this change">
          revision {event.revision}
        </span>
      </div>
      {others.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
          {others.map((c) => (
            <li key={c.field}>
              {FIELD_NAMES[c.field] ?? c.field}: <span className="text-slate-500">{formatValue(c.before)}</span> → <span className="font-medium text-slate-800">{formatValue(c.after)}</span>
            </li>
          ))}
        </ul>
      )}
      {questionChanged && <TextChange label="Question" change={event.question!} />}
      {sqlChanged && <TextChange label="SQL" change={event.sql!} mono />}
    </li>
  );
}

function CommentItem({ comment, now }: { comment: HistoryComment; now: number }) {
  return (
    <li className="relative pl-5">
      <span aria-hidden="true" className="absolute left-0 top-1.5 h-2.5 w-2.5 rounded-full border-2 border-white bg-brand-500 ring-1 ring-brand-100" />
      <div className="flex flex-wrap items-center gap-x-2 text-xs">
        <Badge tone="teal">comment</Badge>
        <Actor actor={comment.actor} />
        <When at={comment.at} now={now} />
      </div>
      <p className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 px-2 py-1 text-sm text-slate-800">{comment.body}</p>
    </li>
  );
}

export function PairHistory({ projectId, pairId, revision }: { projectId: string; pairId: string; revision: number }) {
  const history = useQuery({
    // The revision is part of the key: every change to the pair fetches its history again.
    queryKey: ["pair-history", projectId, pairId, revision],
    queryFn: ({ signal }) => apiFetch<History>(`/api/projects/${projectId}/pairs/${pairId}/history`, { signal }),
    staleTime: 10_000,
  });

  if (history.isPending) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Loading history…
      </p>
    );
  }
  if (history.isError) {
    return (
      <div role="alert" className="flex items-center gap-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
        <span>The history did not load: {(history.error as Error).message}</span>
        <button type="button" className={buttonClass("secondary", "ml-auto px-2 py-1 text-xs")} onClick={() => void history.refetch()}>
          Try again
        </button>
      </div>
    );
  }

  const data = history.data;
  const now = history.dataUpdatedAt || new Date(data.pair.createdAt).getTime();
  const newestFirst = [...data.entries].reverse();
  return (
    <div aria-label="Pair history" role="region">
      <p className="mb-2 text-xs text-slate-500">
        {data.eventCount === 0 ? "No changes yet: this pair is as it was generated." : `${data.eventCount} ${data.eventCount === 1 ? "change" : "changes"}`}
        {data.commentCount > 0 && `, ${data.commentCount} ${data.commentCount === 1 ? "comment" : "comments"}`}
        {data.eventCount > 0 && ", newest first."}
      </p>
      <ol className="space-y-3 border-l border-slate-200 pl-1">
        {newestFirst.map((entry) => (entry.kind === "event" ? <EventItem key={entry.id} event={entry} now={now} /> : <CommentItem key={entry.id} comment={entry} now={now} />))}
        <li className="relative pl-5 text-xs text-slate-500">
          <span aria-hidden="true" className="absolute left-0 top-1 h-2.5 w-2.5 rounded-full border-2 border-white bg-slate-200 ring-1 ring-slate-300" />
          <Badge>created</Badge> <When at={data.pair.createdAt} now={now} /> <span className="ml-1 tabular-nums text-slate-400">revision 1</span>
        </li>
      </ol>
    </div>
  );
}
