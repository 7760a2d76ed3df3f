import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";

const tones = {
  gray: "bg-slate-100 text-slate-700 ring-slate-200",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  red: "bg-rose-50 text-rose-700 ring-rose-200",
  amber: "bg-amber-50 text-amber-800 ring-amber-200",
  blue: "bg-sky-50 text-sky-700 ring-sky-200",
  teal: "bg-brand-50 text-brand-700 ring-brand-100",
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = "gray", children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={cn("inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap", tones[tone])}>
      {children}
    </span>
  );
}

export function stateTone(state: string): BadgeTone {
  if (["approved", "ready", "succeeded", "correct", "signed_off"].includes(state)) return "green";
  if (["rejected", "failed", "error", "wrong"].includes(state)) return "red";
  if (["running", "generating", "queued"].includes(state)) return "blue";
  if (["pending", "draft", "superseded", "cancelled"].includes(state)) return "amber";
  return "gray";
}

const COMPLEXITY_TONE: Record<string, BadgeTone> = { simple: "gray", moderate: "blue", complex: "amber", highly_complex: "red" };
export function ComplexityBadge({ complexity }: { complexity: string }) {
  return <Badge tone={COMPLEXITY_TONE[complexity] ?? "gray"}>{complexity.replace("_", " ")}</Badge>;
}
