"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import type { Permission } from "@/lib/auth/policy";

const STAGES = [
  { key: "overview", label: "Overview", path: "" },
  { key: "schema", label: "1 · Schema", path: "/schema" },
  { key: "sandbox", label: "2 · Sandbox", path: "/sandbox" },
  { key: "queries", label: "3 · Queries", path: "/queries" },
  { key: "review", label: "4 · Review", path: "/review" },
  { key: "datasets", label: "5 · Datasets", path: "/datasets" },
  { key: "jobs", label: "6 · Fine-tuning", path: "/jobs" },
  { key: "evaluations", label: "7 · Evaluations", path: "/evaluations" },
] as const;

const SETTINGS: { key: string; label: string; path: string; permission: Permission }[] = [
  { key: "review-progress", label: "Team progress", path: "/review/progress", permission: "project.view" },
  { key: "connections", label: "Connections", path: "/connections", permission: "project.view" },
  { key: "members", label: "Members", path: "/members", permission: "project.view" },
  { key: "audit", label: "Audit trail", path: "/audit", permission: "audit.view" },
];

export function StageNav({ projectId, stages, permissions }: { projectId: string; stages: Record<string, { done: boolean; label: string }>; permissions: Permission[] }) {
  const pathname = usePathname();
  const base = `/projects/${projectId}`;
  return (
    <nav aria-label="Pipeline stages" className="space-y-0.5">
      {STAGES.map((s) => {
        const href = base + s.path;
        // A settings page under a stage's path (the review's team progress) highlights itself, not the stage.
        const active = s.path === "" ? pathname === base : pathname.startsWith(href) && !SETTINGS.some((x) => pathname.startsWith(base + x.path));
        const info = stages[s.key];
        return (
          <Link key={s.key} href={href} aria-current={active ? "page" : undefined} className={cn("block rounded-md px-2 py-1.5 text-sm", active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100")}>
            <span className="flex items-center gap-2 font-medium">
              {info ? (
                <span aria-hidden className={cn("h-2 w-2 rounded-full", info.done ? "bg-brand-500" : "bg-slate-300")} />
              ) : (
                // A numbered stage without a summary keeps its label in line with the others.
                s.path !== "" && <span aria-hidden className="h-2 w-2" />
              )}
              {s.label}
            </span>
            {info && <span className="block truncate pl-4 text-xs text-slate-500">{info.label}</span>}
          </Link>
        );
      })}
      <div className="mt-4 border-t border-slate-200 pt-3">
        {SETTINGS.filter((s) => permissions.includes(s.permission)).map((s) => {
          const href = base + s.path;
          return (
            <Link key={s.key} href={href} aria-current={pathname.startsWith(href) ? "page" : undefined} className={cn("block rounded-md px-2 py-1.5 text-sm", pathname.startsWith(href) ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100")}>
              {s.label}
            </Link>
          );
        })}
      </div>
    </nav>
  );
}
