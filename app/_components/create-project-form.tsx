"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

export function CreateProjectForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
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
          const out = await apiFetch<{ project: { id: string } }>("/api/projects", { body: { name, description } });
          router.push(`/projects/${out.project.id}/schema`);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="project-name" className={labelClass}>
          Name
        </label>
        <input id="project-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required placeholder="Flights analytics" />
      </div>
      <div>
        <label htmlFor="project-description" className={labelClass}>
          Description <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <textarea id="project-description" className={inputClass} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("primary", "w-full")} disabled={busy || !name.trim()}>
        {busy ? "Creating…" : "Create project"}
      </button>
    </form>
  );
}
