"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass } from "@/components/ui/button";

export function DdlForm({ projectId, initialDdl, exampleDdl }: { projectId: string; initialDdl: string; exampleDdl: string }) {
  const router = useRouter();
  const [ddl, setDdl] = useState(initialDdl);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        setSaved(null);
        try {
          const out = await apiFetch<{ schemaVersion: { version: number; model: { tables: unknown[] } } }>(`/api/projects/${projectId}/schema`, { body: { ddl } });
          setSaved(`Saved schema v${out.schemaVersion.version} with ${out.schemaVersion.model.tables.length} tables.`);
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label htmlFor="ddl" className="sr-only">
        DDL
      </label>
      <textarea
        id="ddl"
        aria-label="DDL"
        className={`${inputClass} h-[28rem] font-mono text-xs`}
        value={ddl}
        spellCheck={false}
        onChange={(e) => setDdl(e.target.value)}
        placeholder={"CREATE TABLE customers (\n  customer_id BIGINT PRIMARY KEY,\n  name VARCHAR NOT NULL\n);"}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) (e.currentTarget.form as HTMLFormElement).requestSubmit();
        }}
      />
      {error && (
        <p role="alert" className="whitespace-pre-wrap rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {error}
        </p>
      )}
      {saved && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {saved}
        </p>
      )}
      <div className="flex items-center gap-2">
        <button type="submit" className={buttonClass("primary")} disabled={busy || !ddl.trim()}>
          {busy ? "Checking…" : "Save schema"}
        </button>
        <button type="button" className={buttonClass("secondary")} onClick={() => setDdl(exampleDdl)}>
          Use the OpenFlights example
        </button>
        <span className="ml-auto text-xs text-slate-500">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves
        </span>
      </div>
    </form>
  );
}
