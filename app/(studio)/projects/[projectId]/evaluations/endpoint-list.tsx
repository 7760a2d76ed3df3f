"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass } from "@/components/ui/button";
import { ENDPOINT_KIND_LABELS, type EndpointKind } from "@/lib/evaluation/endpoints";

interface EndpointRow {
  id: string;
  name: string;
  kind: string;
  model: string;
  keyHint?: string | null;
  settings?: { pricing?: { inputPerMillion: number; outputPerMillion: number } | null; k?: number | null; baseEndpointName?: string | null } | null;
}

/** Each endpoint with what it is, its prices, and (for admins and data leads) test and delete. */
export function EndpointList({ projectId, endpoints, allowed }: { projectId: string; endpoints: EndpointRow[]; allowed: boolean }) {
  const router = useRouter();
  const [outcome, setOutcome] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [busy, setBusy] = useState<string | null>(null);

  async function test(id: string) {
    setBusy(id);
    try {
      const out = await apiFetch<{ ok: boolean; latencyMs?: number; message: string }>(`/api/projects/${projectId}/endpoints/${id}/test`, { method: "POST", body: {} });
      setOutcome((o) => ({ ...o, [id]: { ok: out.ok, text: out.ok ? `Answered in ${out.latencyMs ?? 0} ms.` : out.message } }));
    } catch (err) {
      setOutcome((o) => ({ ...o, [id]: { ok: false, text: (err as Error).message } }));
    } finally {
      setBusy(null);
    }
  }

  async function remove(e: EndpointRow) {
    if (!window.confirm(`Delete the endpoint "${e.name}"? Its runs are deleted with it.`)) return;
    setBusy(e.id);
    try {
      await apiFetch(`/api/projects/${projectId}/endpoints/${e.id}`, { method: "DELETE" });
      router.refresh();
    } catch (err) {
      setOutcome((o) => ({ ...o, [e.id]: { ok: false, text: (err as Error).message } }));
    } finally {
      setBusy(null);
    }
  }

  return (
    <ul className="space-y-2 text-sm" aria-label="Model endpoints">
      {endpoints.map((e) => {
        const pricing = e.settings?.pricing;
        const detail =
          e.kind === "retrieval_baseline"
            ? "built in, no LLM, free"
            : e.kind === "few_shot"
              ? `${e.settings?.k ?? 5} examples → ${e.settings?.baseEndpointName ?? "a deleted endpoint"}`
              : `${e.model}${e.keyHint ? ` · key ${e.keyHint}` : ""}${pricing ? ` · $${pricing.inputPerMillion}/$${pricing.outputPerMillion} per 1M` : ""}`;
        return (
          <li key={e.id} className="rounded-md border border-slate-100 px-2 py-1.5" data-testid="endpoint">
            <div className="flex items-center justify-between gap-2">
              <span className="truncate font-medium text-slate-800">{e.name}</span>
              {allowed && e.kind !== "retrieval_baseline" && (
                <span className="flex shrink-0 gap-1">
                  {e.kind !== "few_shot" && (
                    <button type="button" className={buttonClass("ghost", "px-2 py-0.5 text-xs")} disabled={busy === e.id} onClick={() => test(e.id)} aria-label={`Test ${e.name}`}>
                      {busy === e.id ? "Testing…" : "Test"}
                    </button>
                  )}
                  <button type="button" className={buttonClass("ghost", "px-2 py-0.5 text-xs text-rose-700")} disabled={busy === e.id} onClick={() => remove(e)} aria-label={`Delete ${e.name}`}>
                    Delete
                  </button>
                </span>
              )}
            </div>
            <div className="truncate text-xs text-slate-500" title={detail}>
              {ENDPOINT_KIND_LABELS[e.kind as EndpointKind] ?? e.kind} · {detail}
            </div>
            {outcome[e.id] && <p className={outcome[e.id]!.ok ? "text-xs text-emerald-700" : "text-xs text-rose-700"}>{outcome[e.id]!.text}</p>}
          </li>
        );
      })}
    </ul>
  );
}
