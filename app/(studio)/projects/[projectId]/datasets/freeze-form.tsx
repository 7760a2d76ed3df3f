"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

export function FreezeForm({ projectId, disabled }: { projectId: string; disabled: boolean }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [testPct, setTestPct] = useState("20");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const out = await apiFetch<{ datasetVersion: { id: string } }>(`/api/projects/${projectId}/datasets`, { body: { name: name || undefined, testFraction: Number(testPct) / 100 } });
          router.push(`/projects/${projectId}/datasets/${out.datasetVersion.id}`);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="version-name" className={labelClass}>
          Name <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <input id="version-name" className={inputClass} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} placeholder="First reviewed batch" />
      </div>
      <div>
        <label htmlFor="test-pct" className={labelClass}>
          Test share (%)
        </label>
        <input id="test-pct" className={inputClass} type="number" min={5} max={50} value={testPct} onChange={(e) => setTestPct(e.target.value)} />
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("primary", "w-full")} disabled={busy || disabled}>
        {busy ? "Freezing…" : "Freeze version"}
      </button>
      {disabled && <p className="text-xs text-slate-500">Approve at least two pairs first.</p>}
    </form>
  );
}
