"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";

interface Item {
  itemId: string;
  question: string;
  sql: string;
  complexity: string;
  datasetVersion: number;
  addedFromRunId: string | null;
  note: string;
  addedAt: string;
  latest: { outcome: string; runId: string; at: string } | null;
}

export function RegressionList({ projectId, items, allowed }: { projectId: string; items: Item[]; allowed: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  async function remove(itemId: string) {
    setBusy(itemId);
    setError(null);
    try {
      await apiFetch(`/api/projects/${projectId}/evaluations/regression`, { method: "DELETE", body: { itemIds: [itemId] } });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }
  return (
    <div>
      {error && (
        <p role="alert" className="mb-2 text-sm text-rose-700">
          {error}
        </p>
      )}
      <ul className="divide-y divide-slate-100">
        {items.map((i) => (
          <li key={i.itemId} className="flex items-start gap-3 py-2" data-testid="regression-item">
            <span className="min-w-0 flex-1">
              <span className="block text-sm text-slate-800">{i.question}</span>
              <code className="block truncate font-mono text-xs text-slate-500" title={i.sql}>
                {i.sql}
              </code>
              <span className="block text-xs text-slate-500">
                v{i.datasetVersion} · added {i.addedAt.slice(0, 10)}
                {i.note && ` · ${i.note}`}
                {i.addedFromRunId && (
                  <>
                    {" · "}
                    <Link className="text-brand-700 hover:underline" href={`/projects/${projectId}/evaluations/${i.addedFromRunId}`}>
                      found in this run
                    </Link>
                  </>
                )}
              </span>
            </span>
            <ComplexityBadge complexity={i.complexity} />
            {i.latest ? (
              <Link href={`/projects/${projectId}/evaluations/${i.latest.runId}`} title={`Latest answer, ${i.latest.at.slice(0, 16).replace("T", " ")}`}>
                <Badge tone={stateTone(i.latest.outcome)}>latest: {i.latest.outcome}</Badge>
              </Link>
            ) : (
              <Badge>not answered yet</Badge>
            )}
            {allowed && (
              <button type="button" className={buttonClass("ghost", "px-2 py-0.5 text-xs")} disabled={busy === i.itemId} onClick={() => remove(i.itemId)} aria-label={`Remove from the regression set: ${i.question}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
