"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass } from "@/components/ui/button";
import { SEMANTIC_TYPES, SEMANTIC_TYPE_LABELS } from "@/lib/schema/glossary";
import type { SemanticType } from "@/lib/schema/model";

type Saving = "idle" | "saving" | "saved";

function Status({ state, error }: { state: Saving; error: string | null }) {
  if (error) return <span role="alert" className="text-xs text-rose-700">{error}</span>;
  if (state === "saving") return <span className="text-xs text-slate-400">Saving…</span>;
  if (state === "saved") return <span role="status" className="text-xs text-emerald-700">Saved</span>;
  return null;
}

async function patch(projectId: string, body: Record<string, unknown>) {
  await apiFetch(`/api/projects/${projectId}/glossary`, { method: "PATCH", body });
}

/** A description saved when the field loses focus (only if it changed). */
export function DescriptionField({ projectId, table, column, initial, label }: { projectId: string; table: string; column?: string; initial: string; label: string }) {
  const [value, setValue] = useState(initial);
  const [saved, setSaved] = useState(initial);
  const [state, setState] = useState<Saving>("idle");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-0.5">
      <input
        aria-label={label}
        className={`${inputClass} py-1 text-xs`}
        value={value}
        placeholder="Add a description…"
        maxLength={2000}
        onChange={(e) => setValue(e.target.value)}
        onBlur={async () => {
          if (value === saved) return;
          setError(null);
          setState("saving");
          try {
            await patch(projectId, { table, ...(column ? { column } : {}), description: value });
            setSaved(value);
            setState("saved");
          } catch (err) {
            setError((err as Error).message);
            setState("idle");
          }
        }}
      />
      <Status state={state} error={error} />
    </div>
  );
}

/** The semantic type: a person's choice, or "inferred" to go back to the studio's guess. */
export function SemanticTypeSelect({ projectId, table, column, value, source, inferred }: { projectId: string; table: string; column: string; value: SemanticType; source: "inferred" | "user"; inferred: SemanticType }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const current = source === "user" ? value : "";
  return (
    <div className="flex flex-col gap-0.5">
      <select
        aria-label={`Semantic type of ${table}.${column}`}
        className={`${inputClass} py-1 text-xs`}
        defaultValue={current}
        onChange={async (e) => {
          setError(null);
          try {
            await patch(projectId, { table, column, semanticType: e.target.value === "" ? null : e.target.value });
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
            e.target.value = current;
          }
        }}
      >
        <option value="">Inferred: {SEMANTIC_TYPE_LABELS[inferred]}</option>
        {SEMANTIC_TYPES.map((t) => (
          <option key={t} value={t}>
            {SEMANTIC_TYPE_LABELS[t]}
          </option>
        ))}
      </select>
      {error && <span role="alert" className="text-xs text-rose-700">{error}</span>}
    </div>
  );
}

export function SensitiveCheckbox({ projectId, table, column, initial }: { projectId: string; table: string; column: string; initial: boolean }) {
  const [checked, setChecked] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="flex flex-col items-center gap-0.5">
      <input
        type="checkbox"
        aria-label={`${table}.${column} is sensitive`}
        className="h-4 w-4 rounded border-slate-300 text-brand-600"
        checked={checked}
        onChange={async (e) => {
          const next = e.target.checked;
          setError(null);
          setChecked(next);
          try {
            await patch(projectId, { table, column, sensitive: next });
          } catch (err) {
            setChecked(!next);
            setError((err as Error).message);
          }
        }}
      />
      {error && <span role="alert" className="text-xs text-rose-700">{error}</span>}
    </span>
  );
}

export function ForeignKeyButtons({ projectId, table, columns, refTable, refColumns, status }: { projectId: string; table: string; columns: string[]; refTable: string; refColumns: string[]; status: "suggested" | "confirmed" | "dropped" }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const decide = async (next: "confirmed" | "dropped" | "suggested") => {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/projects/${projectId}/foreign-keys`, { body: { table, columns, refTable, refColumns, status: next } });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const key = `${table}(${columns.join(", ")}) → ${refTable}`;
  return (
    <span className="flex items-center gap-1">
      {error && <span role="alert" className="max-w-xs text-xs text-rose-700">{error}</span>}
      {status !== "confirmed" && (
        <button type="button" disabled={busy} aria-label={`Confirm ${key}`} className={buttonClass("secondary", "px-2 py-0.5 text-xs")} onClick={() => decide("confirmed")}>
          Confirm
        </button>
      )}
      {status !== "dropped" && (
        <button type="button" disabled={busy} aria-label={`Drop ${key}`} className={buttonClass("ghost", "px-2 py-0.5 text-xs text-rose-700")} onClick={() => decide("dropped")}>
          Drop
        </button>
      )}
      {status !== "suggested" && (
        <button type="button" disabled={busy} aria-label={`Undo decision on ${key}`} className={buttonClass("ghost", "px-2 py-0.5 text-xs")} onClick={() => decide("suggested")}>
          Undo
        </button>
      )}
    </span>
  );
}
