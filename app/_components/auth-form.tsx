"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

type Field = { name: string; label: string; type?: string; autoComplete?: string; defaultValue?: string; readOnly?: boolean };

/** Sign-in, first-run set-up and invitation forms: post JSON, then go on. */
export function AuthForm({ endpoint, fields, submitLabel, next, extra }: { endpoint: string; fields: Field[]; submitLabel: string; next: string; extra?: Record<string, string> }) {
  const router = useRouter();
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(fields.map((f) => [f.name, f.defaultValue ?? ""])));
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
          await apiFetch(endpoint, { body: { ...values, ...extra } });
          router.push(next.startsWith("/") && !next.startsWith("//") ? next : "/");
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}
    >
      {fields.map((f) => (
        <div key={f.name}>
          <label htmlFor={`f-${f.name}`} className={labelClass}>
            {f.label}
          </label>
          <input
            id={`f-${f.name}`}
            className={inputClass}
            type={f.type ?? "text"}
            autoComplete={f.autoComplete}
            readOnly={f.readOnly}
            value={values[f.name]}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            required
          />
        </div>
      ))}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("primary", "w-full")} disabled={busy}>
        {busy ? "…" : submitLabel}
      </button>
    </form>
  );
}
