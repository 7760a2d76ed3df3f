import { cn } from "@/components/ui/cn";
import type { DiffSegment } from "@/lib/review/text-diff";

/** Removed text struck through on rose, added text on emerald, the rest as is. */
export function InlineDiff({ segments, mono = false }: { segments: DiffSegment[]; mono?: boolean }) {
  return (
    <div className={cn("whitespace-pre-wrap break-words rounded border border-slate-200 bg-white px-2 py-1 text-xs leading-5 text-slate-700", mono && "font-mono")}>
      {segments.map((s, i) =>
        s.kind === "same" ? (
          <span key={i}>{s.text}</span>
        ) : s.kind === "removed" ? (
          <del key={i} className="rounded-sm bg-rose-100 text-rose-800 decoration-rose-400">
            <span className="sr-only">[removed: </span>
            {s.text}
            <span className="sr-only">]</span>
          </del>
        ) : (
          <ins key={i} className="rounded-sm bg-emerald-100 text-emerald-900 no-underline">
            <span className="sr-only">[added: </span>
            {s.text}
            <span className="sr-only">]</span>
          </ins>
        ),
      )}
    </div>
  );
}
