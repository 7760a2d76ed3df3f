"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass, inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

interface Flag {
  code: string;
  severity?: string;
  message: string;
  fix?: { description: string; sql: string };
}

const SEVERITY_TONE: Record<string, "red" | "amber" | "blue"> = { error: "red", warning: "amber", info: "blue" };

export function QueryEditor({ projectId, queryId, sql, flags, canEdit }: { projectId: string; queryId: string; sql: string; flags: Flag[]; canEdit: boolean }) {
  const router = useRouter();
  const [text, setText] = useState(sql);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function save(next: string) {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const out = await apiFetch<{ id: string; movedPairs: number; rowCount: number }>(`/api/projects/${projectId}/queries/${queryId}`, { method: "POST", body: { sql: next } });
      setSaved(`Saved: ${out.rowCount.toLocaleString("en-US")} rows on the sandbox; ${out.movedPairs} pair${out.movedPairs === 1 ? "" : "s"} back to review.`);
      router.push(`/projects/${projectId}/queries/${out.id}`);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <textarea
        aria-label="SQL"
        className={cn(inputClass, "min-h-40 font-mono text-xs")}
        value={text}
        readOnly={!canEdit}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (canEdit && (e.metaKey || e.ctrlKey) && e.key === "Enter" && text.trim() !== sql) {
            e.preventDefault();
            void save(text);
          }
        }}
      />
      {canEdit && (
        <div className="flex items-center gap-3">
          <button type="button" className={buttonClass("primary")} disabled={busy || text.trim() === sql.trim() || text.trim() === ""} onClick={() => save(text)}>
            {busy ? "Running…" : "Save SQL"}
          </button>
          <span className="text-xs text-slate-500">Ctrl+Enter saves. The SQL must run on the sandbox.</span>
        </div>
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {saved && (
        <p role="status" className="text-sm text-emerald-700">
          {saved}
        </p>
      )}
      <div>
        <h3 className="mb-1.5 text-sm font-semibold text-slate-800">Checks</h3>
        {flags.length === 0 ? (
          <p className="text-sm text-emerald-700" data-testid="no-flags">
            No lint flags: the query returns rows and its result does not depend on chance.
          </p>
        ) : (
          <ul className="space-y-2" aria-label="Lint flags">
            {flags.map((f) => (
              <li key={f.code} className="rounded-md border border-slate-200 p-2" data-testid="lint-flag" data-code={f.code}>
                <div className="flex items-center gap-2">
                  <Badge tone={SEVERITY_TONE[f.severity ?? "warning"] ?? "amber"}>{f.code.replaceAll("_", " ")}</Badge>
                  <span className="text-sm text-slate-700">{f.message}</span>
                </div>
                {f.fix && canEdit && (
                  <div className="mt-2 flex flex-wrap items-center gap-2">
                    <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} disabled={busy} onClick={() => save(f.fix!.sql)}>
                      Apply fix
                    </button>
                    <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => setText(f.fix!.sql)}>
                      Show in editor
                    </button>
                    <span className="text-xs text-slate-500">{f.fix.description}</span>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
