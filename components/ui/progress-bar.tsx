import { cn } from "@/components/ui/cn";

export function ProgressBar({ value, tone = "brand", label }: { value: number; tone?: "brand" | "red" | "amber"; label?: string }) {
  const pct = Math.max(0, Math.min(100, value));
  return (
    <div role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-label={label ?? "Progress"} className="h-2 w-full overflow-hidden rounded-full bg-slate-200">
      <div className={cn("h-full rounded-full transition-all duration-300", tone === "brand" ? "bg-brand-500" : tone === "red" ? "bg-rose-500" : "bg-amber-500")} style={{ width: `${pct}%` }} />
    </div>
  );
}
