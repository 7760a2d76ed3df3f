"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

export function EndpointForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [form, setForm] = useState({ name: "", baseUrl: "", model: "", apiKey: "" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <form
      className="space-y-2"
      autoComplete="off"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await apiFetch(`/api/projects/${projectId}/endpoints`, { body: form });
          setForm({ name: "", baseUrl: "", model: "", apiKey: "" });
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="ep-name" className={labelClass}>
          Name
        </label>
        <input id="ep-name" className={inputClass} value={form.name} onChange={set("name")} placeholder="Qwen 7B base" required />
      </div>
      <div>
        <label htmlFor="ep-url" className={labelClass}>
          Base URL
        </label>
        <input id="ep-url" className={inputClass} value={form.baseUrl} onChange={set("baseUrl")} placeholder="https://api.example.com/v1" required />
      </div>
      <div>
        <label htmlFor="ep-model" className={labelClass}>
          Model
        </label>
        <input id="ep-model" className={inputClass} value={form.model} onChange={set("model")} placeholder="accounts/me/models/sql-7b" required />
      </div>
      <div>
        <label htmlFor="ep-key" className={labelClass}>
          API key
        </label>
        <input id="ep-key" type="password" className={inputClass} value={form.apiKey} onChange={set("apiKey")} placeholder="Stored encrypted; never shown again" />
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("secondary", "w-full")} disabled={busy}>
        {busy ? "Adding…" : "Add endpoint"}
      </button>
    </form>
  );
}
