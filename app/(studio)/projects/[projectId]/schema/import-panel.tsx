"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiError, apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { SchemaModel, SchemaWarning } from "@/lib/schema/model";

interface Preview {
  previewId: string;
  source: string;
  dialect: string;
  model: SchemaModel;
  warnings: SchemaWarning[];
  stats: { tables: number; columns: number; declaredForeignKeys: number; suggestedForeignKeys: number };
  changes: string[] | null;
  currentVersion: number | null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const TABS = [
  { key: "ddl", label: "Paste DDL" },
  { key: "file", label: "Upload a file" },
  { key: "live", label: "Connect" },
  { key: "describe", label: "DESCRIBE export" },
] as const;
type Tab = (typeof TABS)[number]["key"];

const DIALECTS = [
  { value: "auto", label: "Detect the dialect" },
  { value: "postgres", label: "PostgreSQL" },
  { value: "mysql", label: "MySQL / MariaDB" },
  { value: "sqlite", label: "SQLite" },
  { value: "duckdb", label: "DuckDB" },
];

export function ImportPanel({ projectId, exampleDdl }: { projectId: string; exampleDdl: string }) {
  const router = useRouter();
  const [tab, setTab] = useState<Tab>("ddl");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState<"preview" | "commit" | null>(null);

  // Paste
  const [ddl, setDdl] = useState("");
  const [dialect, setDialect] = useState("auto");
  // Describe
  const [describe, setDescribe] = useState("");
  // Live
  const [live, setLive] = useState({ engine: "postgres", host: "", port: "", database: "", user: "", password: "", schemas: "", savePassword: false });
  // File
  const [file, setFile] = useState<File | null>(null);
  const [fileKind, setFileKind] = useState<"database" | "ddl" | "describe">("database");

  async function run(action: () => Promise<Preview>) {
    setBusy("preview");
    setError(null);
    setSaved(null);
    setPreview(null);
    try {
      setPreview(await action());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function previewCurrent() {
    if (tab === "ddl") return run(() => apiFetch<Preview>(`/api/projects/${projectId}/schema/preview`, { body: { source: "ddl", dialect, text: ddl } }));
    if (tab === "describe") return run(() => apiFetch<Preview>(`/api/projects/${projectId}/schema/preview`, { body: { source: "describe", format: "auto", text: describe } }));
    if (tab === "live")
      return run(() =>
        apiFetch<Preview>(`/api/projects/${projectId}/schema/preview`, {
          body: {
            source: "live",
            engine: live.engine,
            host: live.host,
            port: live.port ? Number(live.port) : undefined,
            database: live.database,
            user: live.user,
            password: live.password,
            schemas: live.engine === "postgres" && live.schemas.trim() ? live.schemas.split(",").map((x) => x.trim()).filter(Boolean) : undefined,
            savePassword: live.savePassword,
          },
        }),
      );
    return run(async () => {
      if (!file) throw new Error("Choose a file first.");
      const form = new FormData();
      form.set("file", file);
      form.set("kind", fileKind);
      const res = await fetch(`/api/projects/${projectId}/schema/upload`, { method: "POST", body: form });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(body?.error?.message ?? `The server answered ${res.status}.`, res.status, body?.error?.code ?? "http");
      return body as Preview;
    });
  }

  async function commit() {
    if (!preview) return;
    setBusy("commit");
    setError(null);
    try {
      const out = await apiFetch<{ schemaVersion: { version: number; changes: string[] } }>(`/api/projects/${projectId}/schema/commit`, { body: { previewId: preview.previewId } });
      setSaved(`Saved schema v${out.schemaVersion.version} with ${preview.stats.tables} tables.${out.schemaVersion.changes.length ? ` ${out.schemaVersion.changes.length} changes since the previous version; see Drift.` : ""}`);
      setPreview(null);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="space-y-4">
      <div role="tablist" aria-label="Schema source" className="flex gap-1 border-b border-slate-200">
        {TABS.map((t) => (
          <button
            key={t.key}
            role="tab"
            aria-selected={tab === t.key}
            className={cn("-mb-px border-b-2 px-3 py-1.5 text-sm font-medium", tab === t.key ? "border-brand-500 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900")}
            onClick={() => {
              setTab(t.key);
              setPreview(null);
              setError(null);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>

      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void previewCurrent();
        }}
      >
        {tab === "ddl" && (
          <>
            <div className="flex items-center gap-2">
              <label htmlFor="dialect" className="text-sm text-slate-700">
                Dialect
              </label>
              <select id="dialect" className={cn(inputClass, "!w-56")} value={dialect} onChange={(e) => setDialect(e.target.value)}>
                {DIALECTS.map((d) => (
                  <option key={d.value} value={d.value}>
                    {d.label}
                  </option>
                ))}
              </select>
              <button type="button" className={buttonClass("ghost", "ml-auto text-xs")} onClick={() => { setDdl(exampleDdl); setDialect("duckdb"); }}>
                Use the OpenFlights example
              </button>
            </div>
            <textarea
              aria-label="DDL"
              className={cn(inputClass, "h-80 font-mono text-xs")}
              spellCheck={false}
              value={ddl}
              onChange={(e) => setDdl(e.target.value)}
              placeholder={"CREATE TABLE customers (\n  customer_id BIGINT PRIMARY KEY,\n  name VARCHAR NOT NULL\n);"}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) (e.currentTarget.form as HTMLFormElement).requestSubmit();
              }}
            />
          </>
        )}
        {tab === "file" && (
          <>
            <div>
              <label htmlFor="file-kind" className={labelClass}>
                What is it?
              </label>
              <select id="file-kind" className={inputClass} value={fileKind} onChange={(e) => setFileKind(e.target.value as typeof fileKind)}>
                <option value="database">A DuckDB or SQLite database file (only its catalog is read, then it is deleted)</option>
                <option value="ddl">A .sql file with CREATE statements</option>
                <option value="describe">A DESCRIBE export (CSV or JSON)</option>
              </select>
            </div>
            <div>
              <label htmlFor="schema-file" className={labelClass}>
                File
              </label>
              <input id="schema-file" type="file" className="block w-full text-sm" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </div>
          </>
        )}
        {tab === "live" && (
          <div className="grid grid-cols-2 gap-3">
            <div>
              <label htmlFor="live-engine" className={labelClass}>
                Database
              </label>
              <select id="live-engine" className={inputClass} value={live.engine} onChange={(e) => setLive({ ...live, engine: e.target.value })}>
                <option value="postgres">PostgreSQL</option>
                <option value="mysql">MySQL / MariaDB</option>
              </select>
            </div>
            {(
              [
                ["host", "Host", "text"],
                ["port", "Port", "text"],
                ["database", "Database name", "text"],
                ["user", "User", "text"],
                ["password", "Password", "password"],
                ...(live.engine === "postgres" ? ([["schemas", "Schemas (comma-separated; default public)", "text"]] as const) : []),
              ] as const
            ).map(([key, label, type]) => (
              <div key={key}>
                <label htmlFor={`live-${key}`} className={labelClass}>
                  {label}
                </label>
                <input id={`live-${key}`} type={type} autoComplete="off" className={inputClass} value={live[key]} onChange={(e) => setLive({ ...live, [key]: e.target.value })} placeholder={key === "port" ? (live.engine === "postgres" ? "5432" : "3306") : undefined} />
              </div>
            ))}
            <label className="col-span-2 flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" checked={live.savePassword} onChange={(e) => setLive({ ...live, savePassword: e.target.checked })} />
              Keep the password (encrypted) to introspect again later
            </label>
            <p className="col-span-2 text-xs text-slate-500">
              Read-only: only the catalog (information_schema / pg_catalog) is queried, in a read-only transaction. No row is read. Without the box ticked, the password is used for this preview only.
            </p>
          </div>
        )}
        {tab === "describe" && (
          <textarea
            aria-label="DESCRIBE export"
            className={cn(inputClass, "h-64 font-mono text-xs")}
            spellCheck={false}
            value={describe}
            onChange={(e) => setDescribe(e.target.value)}
            placeholder={"database,schema,name,column_names,column_types,temporary\nprod,main,airlines,\"[airline_id, name]\",\"[BIGINT, VARCHAR]\",false"}
          />
        )}
        <button type="submit" className={buttonClass("secondary")} disabled={busy !== null}>
          {busy === "preview" ? "Reading…" : "Preview"}
        </button>
      </form>

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

      {preview && (
        <section aria-label="Preview" className="space-y-3 rounded-lg border border-brand-100 bg-brand-50/40 p-4">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="font-semibold text-slate-900">Preview</span>
            <Badge tone="teal">{preview.dialect}</Badge>
            <span className="text-slate-600" data-testid="preview-stats">
              {plural(preview.stats.tables, "table")} · {plural(preview.stats.columns, "column")} · {plural(preview.stats.declaredForeignKeys, "declared foreign key")} · {preview.stats.suggestedForeignKeys} suggested
            </span>
          </div>
          {preview.warnings.length > 0 && (
            <details open={preview.warnings.length <= 5}>
              <summary className="cursor-pointer text-sm text-amber-800">{preview.warnings.length} warning{preview.warnings.length === 1 ? "" : "s"}</summary>
              <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs text-amber-900">
                {preview.warnings.slice(0, 50).map((w, i) => (
                  <li key={i}>
                    {w.line ? `Line ${w.line}: ` : ""}
                    {w.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <ul className="grid gap-1 text-xs sm:grid-cols-2">
            {preview.model.tables.map((t) => (
              <li key={t.name} className="truncate">
                <span className="font-mono font-medium text-slate-800">{t.name}</span> <span className="text-slate-500">{t.columns.length} columns{t.primaryKey.length ? `, key ${t.primaryKey.join(", ")}` : ", no primary key"}</span>
              </li>
            ))}
          </ul>
          {preview.changes && (
            <div className="text-sm">
              <div className="font-medium text-slate-800">
                Compared with v{preview.currentVersion}: {preview.changes.length === 0 ? "no changes" : `${preview.changes.length} change${preview.changes.length === 1 ? "" : "s"}`}
              </div>
              <ul className="mt-1 list-disc pl-5 text-xs text-slate-700">
                {preview.changes.slice(0, 20).map((c, i) => (
                  <li key={i}>{c}</li>
                ))}
              </ul>
            </div>
          )}
          <button className={buttonClass("primary")} onClick={() => void commit()} disabled={busy !== null}>
            {busy === "commit" ? "Importing…" : `Import as schema v${(preview.currentVersion ?? 0) + 1}`}
          </button>
        </section>
      )}
    </div>
  );
}
