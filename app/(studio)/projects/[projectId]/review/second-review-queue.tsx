"use client";

// "My second reviews": the pairs this reviewer judges blind, one after another. The list shows the
// question as it was before the first review; the panel shows the rest.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { apiFetch } from "@/components/api";
import { cn } from "@/components/ui/cn";
import { SecondReviewPanel } from "./second-review-panel";

interface Queue {
  total: number;
  items: { id: string; question: string; shape: string }[];
  nextCursor: string | null;
}

export function SecondReviewQueue({ projectId, onCount }: { projectId: string; onCount: (n: number) => void }) {
  const queue = useQuery({
    queryKey: ["second-review-queue", projectId],
    queryFn: ({ signal }) => apiFetch<Queue>(`/api/projects/${projectId}/pairs/second-review?take=200`, { signal }),
  });
  const items = useMemo(() => queue.data?.items ?? [], [queue.data]);
  const [selected, setSelected] = useState<string | null>(null);
  // Where the selection was: a judged pair leaves the queue but stays on screen (with how the first
  // review went) until the reviewer moves on from its place.
  const [position, setPosition] = useState(0);
  const index = items.findIndex((i) => i.id === selected);

  useEffect(() => {
    if (queue.data) onCount(queue.data.total);
    if (items.length && selected === null) setSelected(items[0].id);
  }, [queue.data, items, selected, onCount]);

  function go(delta: number) {
    if (!items.length) return;
    const target = index >= 0 ? index + delta : delta > 0 ? position : position - 1;
    const next = Math.max(0, Math.min(items.length - 1, target));
    setSelected(items[next].id);
    setPosition(next);
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      if (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT" || target.isContentEditable || e.ctrlKey || e.metaKey || e.altKey) return;
      const delta = e.key === "j" || e.key === "ArrowDown" ? 1 : e.key === "k" || e.key === "ArrowUp" ? -1 : 0;
      if (!delta) return;
      e.preventDefault();
      go(delta);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <div className="grid gap-4 lg:grid-cols-[380px_minmax(0,1fr)]">
      <div className="rounded-lg border border-slate-200 bg-white shadow-sm">
        <p className="border-b border-slate-100 p-3 text-xs text-slate-500">
          {queue.data ? `${queue.data.total.toLocaleString("en-US")} pair${queue.data.total === 1 ? "" : "s"} to judge blind.` : "Loading…"} The first reviewer&apos;s decision, edits and comments stay hidden until you submit.
        </p>
        {queue.error && (
          <p role="alert" className="p-3 text-sm text-rose-700">
            {(queue.error as Error).message}
          </p>
        )}
        {queue.data && items.length === 0 && selected === null && <p className="p-3 text-sm text-slate-500">Nothing left to judge: every pair assigned to you for a second review has your decision.</p>}
        <ul aria-label="Second reviews" className="max-h-[calc(100vh-19rem)] overflow-y-auto">
          {items.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                className={cn("block w-full border-l-2 px-3 py-2 text-left text-sm", item.id === selected ? "border-brand-500 bg-brand-50" : "border-transparent hover:bg-slate-50")}
                aria-current={item.id === selected ? "true" : undefined}
                onClick={() => {
                  setSelected(item.id);
                  setPosition(items.indexOf(item));
                }}
              >
                <span className="line-clamp-2 text-slate-800">{item.question}</span>
                <span className="text-xs text-slate-400">{item.shape.replaceAll("_", " ")}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="min-w-0">
        {selected ? (
          <SecondReviewPanel
            key={selected}
            projectId={projectId}
            pairId={selected}
            onSubmitted={() => setPosition(Math.max(0, index))}
          />
        ) : (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">Pick a pair on the left.</div>
        )}
      </div>
    </div>
  );
}
