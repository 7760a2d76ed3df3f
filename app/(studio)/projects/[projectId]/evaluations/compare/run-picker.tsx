"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonClass } from "@/components/ui/button";
import type { EvalRunListItem } from "@/lib/evaluation/server/runs";

/** Choose the runs (in order: the first is the "before" of fixed/broken). */
export function RunPicker({ projectId, runs, selected }: { projectId: string; runs: EvalRunListItem[]; selected: string[] }) {
  const router = useRouter();
  const [picked, setPicked] = useState<string[]>(selected);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= 12 ? p : [...p, id]));
  if (runs.length === 0) return <p className="text-sm text-slate-500">No runs yet: run an evaluation first.</p>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        router.push(`/projects/${projectId}/evaluations/compare?runs=${picked.join(",")}`);
      }}
    >
      <ul className="grid gap-1 text-sm md:grid-cols-2">
        {runs.map((r) => {
          const order = picked.indexOf(r.id);
          return (
            <li key={r.id}>
              <label className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-slate-50">
                <input type="checkbox" checked={order >= 0} onChange={() => toggle(r.id)} />
                {order >= 0 && <span className="w-4 text-xs font-semibold text-brand-700">{order + 1}</span>}
                <span className="truncate text-slate-800">{r.label || r.endpointName}</span>
                <span className="shrink-0 text-xs text-slate-500">
                  v{r.datasetVersion} · {r.accuracy != null ? `${(r.accuracy * 100).toFixed(1)}%` : "–"} · {r.createdAt.slice(0, 16).replace("T", " ")}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <button type="submit" className={buttonClass("secondary", "mt-3")} disabled={picked.length === 0}>
        Show comparison
      </button>
    </form>
  );
}
