"use client";

import { useState } from "react";
import { JobButton } from "@/components/jobs/job-runner";
import { inputClass, labelClass } from "@/components/ui/button";
import type { JobView } from "@/lib/jobs/types";

export function SandboxForm({ projectId, activeJob }: { projectId: string; activeJob: JobView | null }) {
  const [seed, setSeed] = useState("42");
  const [rows, setRows] = useState("200");
  const seedOk = /^\d{1,9}$/.test(seed);
  const rowsOk = /^\d{1,6}$/.test(rows) && Number(rows) >= 1 && Number(rows) <= 200_000;
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label htmlFor="seed" className={labelClass}>
            Seed
          </label>
          <input id="seed" className={inputClass} inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value.trim())} />
        </div>
        <div>
          <label htmlFor="rows" className={labelClass}>
            Rows per table
          </label>
          <input id="rows" className={inputClass} inputMode="numeric" value={rows} onChange={(e) => setRows(e.target.value.trim())} />
        </div>
      </div>
      {!seedOk && <p className="text-sm text-rose-700">The seed must be a whole number.</p>}
      {!rowsOk && <p className="text-sm text-rose-700">Rows per table must be between 1 and 200,000.</p>}
      <JobButton
        endpoint={`/api/projects/${projectId}/sandbox`}
        body={{ seed: Number(seed), rowsPerTable: Number(rows) }}
        label="Generate sandbox"
        activeJob={activeJob}
        disabled={!seedOk || !rowsOk}
      />
      <p className="text-xs text-slate-500">The current sandbox stays in use until the new one is complete.</p>
    </div>
  );
}
