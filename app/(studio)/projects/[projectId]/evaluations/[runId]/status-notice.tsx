"use client";

import { cn } from "@/components/ui/cn";
import { useRun } from "./run-context";

/**
 * The page's one status region (regression-set changes and their failures). It is always in the
 * page, empty when there is nothing to say, so screen readers announce each new message.
 */
export function StatusNotice() {
  const { notice, notify } = useRun();
  return (
    <div role="status" className="pointer-events-none fixed inset-x-0 bottom-4 z-40 flex justify-center px-4">
      {notice && (
        <div
          key={notice.id}
          className={cn(
            "pointer-events-auto flex max-w-xl items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg",
            notice.tone === "success" ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-rose-200 bg-rose-50 text-rose-900",
          )}
        >
          <span className="min-w-0 flex-1">{notice.text}</span>
          {notice.action && (
            <button type="button" className="shrink-0 font-medium underline" onClick={notice.action.run}>
              {notice.action.label}
            </button>
          )}
          <button type="button" className="shrink-0 text-slate-500 hover:text-slate-800" aria-label="Dismiss" onClick={() => notify(null)}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
