"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

const STAGES = [
  { key: "overview", label: "Overview", path: "" },
  { key: "schema", label: "1 · Schema", path: "/schema" },
  { key: "sandbox", label: "2 · Sandbox", path: "/sandbox" },
  { key: "queries", label: "3 · Queries", path: "/queries" },
  { key: "review", label: "4 · Review", path: "/review" },
  { key: "datasets", label: "5 · Datasets", path: "/datasets" },
  { key: "evaluations", label: "6 · Evaluations", path: "/evaluations" },
] as const;

export function StageNav({ projectId, stages }: { projectId: string; stages: Record<string, { done: boolean; label: string }> }) {
  const pathname = usePathname();
  const base = `/projects/${projectId}`;
  return (
    <nav aria-label="Pipeline stages" className="space-y-0.5">
      {STAGES.map((s) => {
        const href = base + s.path;
        const active = s.path === "" ? pathname === base : pathname.startsWith(href);
        const info = stages[s.key];
        return (
          <Link key={s.key} href={href} aria-current={active ? "page" : undefined} className={cn("block rounded-md px-2 py-1.5 text-sm", active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100")}>
            <span className="flex items-center gap-2 font-medium">
              {info && <span aria-hidden className={cn("h-2 w-2 rounded-full", info.done ? "bg-brand-500" : "bg-slate-300")} />}
              {s.label}
            </span>
            {info && <span className="block truncate pl-4 text-xs text-slate-500">{info.label}</span>}
          </Link>
        );
      })}
    </nav>
  );
}
