"use client";

import { useState } from "react";
import { JobButton } from "@/components/jobs/job-runner";
import { inputClass, labelClass } from "@/components/ui/button";
import type { JobView } from "@/lib/jobs/types";
import { EndpointSelect } from "@/components/endpoint-select";

export interface ShapeOption {
  id: string;
  label: string;
  family: string;
}

/** Ask a configured model for queries of chosen shapes; every answer is checked like an imported query. */
export function LlmGenerateForm({
  projectId,
  endpoints,
  shapes,
  missing,
  activeJob,
}: {
  projectId: string;
  endpoints: { id: string; name: string; model: string }[];
  shapes: ShapeOption[];
  missing: string[];
  activeJob: JobView | null;
}) {
  const [endpointId, setEndpointId] = useState(endpoints[0]?.id ?? "");
  const [which, setWhich] = useState<string>(missing.length > 0 ? "missing" : shapes[0]?.id ?? "");
  const [perShape, setPerShape] = useState("5");
  if (endpoints.length === 0) {
    return <p className="text-sm text-slate-600">Add an OpenAI-compatible endpoint on the Evaluations page to have a model write queries of the shapes you choose. Every query it writes is checked against the schema and executed like an imported one.</p>;
  }
  const selected = which === "missing" ? missing : which === "all" ? shapes.map((s) => s.id) : [which];
  const countOk = /^\d{1,2}$/.test(perShape) && Number(perShape) >= 1 && Number(perShape) <= 20;
  const families = [...new Set(shapes.map((s) => s.family))];
  return (
    <div className="space-y-3">
      <div className="grid gap-2 md:grid-cols-[1fr_1fr_6rem]">
        <EndpointSelect id="llm-q-endpoint" endpoints={endpoints} value={endpointId} onChange={setEndpointId} />
        <div>
          <label htmlFor="llm-q-shapes" className={labelClass}>
            Shapes
          </label>
          <select id="llm-q-shapes" className={inputClass} value={which} onChange={(e) => setWhich(e.target.value)}>
            {missing.length > 0 && <option value="missing">The {missing.length} missing shapes</option>}
            <option value="all">Every shape ({shapes.length})</option>
            {families.map((family) => (
              <optgroup key={family} label={family}>
                {shapes
                  .filter((s) => s.family === family)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.label}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="llm-q-count" className={labelClass}>
            Per shape
          </label>
          <input id="llm-q-count" className={inputClass} inputMode="numeric" value={perShape} onChange={(e) => setPerShape(e.target.value.trim())} />
        </div>
      </div>
      {!countOk && <p className="text-sm text-rose-700">Ask for 1 to 20 queries per shape.</p>}
      <JobButton
        endpoint={`/api/projects/${projectId}/queries/llm`}
        body={() => ({ endpointId, shapes: selected, perShape: Number(perShape) })}
        label={`Ask for ${selected.length * (countOk ? Number(perShape) : 0)} queries`}
        variant="secondary"
        activeJob={activeJob}
        disabled={!countOk || selected.length === 0 || !endpointId}
      />
    </div>
  );
}
