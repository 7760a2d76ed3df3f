"use client";

// The model-endpoint picker of every form that lets a model write something (queries, questions,
// sandbox text): one label, one option format, so the forms read the same.
import { inputClass, labelClass } from "@/components/ui/button";

export interface EndpointOption {
  id: string;
  name: string;
  model: string;
}

export function EndpointSelect({ id, label = "Model endpoint", endpoints, value, onChange }: { id: string; label?: string; endpoints: readonly EndpointOption[]; value: string; onChange: (id: string) => void }) {
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <select id={id} className={inputClass} value={value} onChange={(e) => onChange(e.target.value)}>
        {endpoints.map((e) => (
          <option key={e.id} value={e.id}>
            {e.name} ({e.model})
          </option>
        ))}
      </select>
    </div>
  );
}
