"use client";

import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiFetch } from "@/components/api";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import type { ExportOption, ExportOptions, ExportPart } from "@/lib/datasets/server/export";

const PART_LABELS: Record<ExportPart, string> = { all: "All splits", train: "Train", validation: "Validation", test: "Test" };
const PARTS: ExportPart[] = ["all", "train", "validation", "test"];

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function fileNameFrom(disposition: string | null, fallback: string): string {
  return disposition?.match(/filename="([^"]+)"/)?.[1] ?? fallback;
}

/** Every export of a dataset version: formats × parts with why a file is unavailable, and who downloaded what. */
export function ExportsPanel({ projectId, versionId, approved, canExport }: { projectId: string; versionId: string; approved: boolean; canExport: boolean }) {
  const queryClient = useQueryClient();
  // The approval is part of the key: signing off (which refreshes the page's props) refetches the options.
  const queryKey = ["dataset-export-options", projectId, versionId, approved];
  const options = useQuery({
    queryKey,
    queryFn: ({ signal }) => apiFetch<ExportOptions>(`/api/projects/${projectId}/datasets/${versionId}/export/options`, { signal }),
  });
  const [model, setModel] = useState<"nova-micro" | "nova-lite">("nova-micro");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function download(option: ExportOption) {
    const key = `${option.format}:${option.part}`;
    setBusy(key);
    setError(null);
    setNotice(null);
    try {
      const params = new URLSearchParams({ format: option.format, part: option.part });
      if (option.format === "bedrock") params.set("model", model);
      const res = await fetch(`/api/projects/${projectId}/datasets/${versionId}/export?${params}`);
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string; code?: string } } | null;
        throw new ApiError(body?.error?.message ?? `The server answered ${res.status}.`, res.status, body?.error?.code ?? "http");
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = fileNameFrom(res.headers.get("content-disposition"), option.fileName);
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setNotice(`Downloaded ${link.download}: ${res.headers.get("x-line-count") ?? "?"} records, sha256 ${res.headers.get("x-sha256")?.slice(0, 12) ?? "?"}…`);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The download failed. Try again.");
    } finally {
      setBusy(null);
      await queryClient.invalidateQueries({ queryKey });
    }
  }

  const data = options.data;
  // The server's answer wins when the version changed since the page was rendered.
  const open = approved && (data?.approved ?? true);
  const cell = (format: string, part: ExportPart) => data?.options.find((o) => o.format === format && o.part === part);

  return (
    <Card
      title="Exports"
      description={
        approved
          ? "Every file is checked against its target's rules before it is offered. Excluded items are left out; redacted questions are used."
          : "Exports open once this version is approved (signed off)."
      }
      actions={
        <label className="flex items-center gap-2 text-xs text-slate-600">
          Bedrock model
          <select className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs" value={model} onChange={(e) => setModel(e.target.value as "nova-micro" | "nova-lite")}>
            <option value="nova-micro">Nova Micro</option>
            <option value="nova-lite">Nova Lite</option>
          </select>
        </label>
      }
    >
      {!canExport && <p className="mb-3 text-sm text-slate-600">Only a data lead or an admin can download training data. You can see what is available and what was exported.</p>}
      {options.isPending && <p className="text-sm text-slate-500">Checking every format…</p>}
      {options.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {options.error.message}
        </p>
      )}
      {data && (
        <>
          {!open && (
            <p className="mb-3 rounded bg-amber-50 px-3 py-2 text-sm text-amber-800">
              {data.options[0]?.reason ?? "This version is not approved yet; exports open once a data lead signs it off."}
            </p>
          )}
          <p className="mb-3 text-xs text-slate-600">
            {data.counts.all} items to export · {data.counts.train} train · {data.counts.validation} validation · {data.counts.test} test
            {data.counts.heldout > 0 && ` · ${data.counts.heldout} held out`}
            {data.counts.excluded > 0 && ` · ${data.counts.excluded} excluded`}
          </p>
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3">Format</th>
                  {PARTS.map((p) => (
                    <th key={p} className="px-2 py-1">
                      {PART_LABELS[p]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.formats.map((f) => (
                  <tr key={f.format} className="border-t border-slate-100 align-top">
                    <td className="max-w-xs py-2 pr-3">
                      <div className="font-medium text-slate-800">
                        {f.label} <span className="font-normal text-slate-400">.{f.extension}</span>
                      </div>
                      <p className="mt-0.5 text-xs text-slate-500">{f.description}</p>
                    </td>
                    {PARTS.map((part) => {
                      const option = cell(f.format, part);
                      if (!option) {
                        return (
                          <td key={part} className="px-2 py-2 text-xs text-slate-300">
                            —
                          </td>
                        );
                      }
                      const key = `${option.format}:${option.part}`;
                      const reason = !canExport ? "Only a data lead or an admin can download training data." : option.reason;
                      const enabled = canExport && open && option.available && busy === null;
                      return (
                        <td key={part} className="w-40 px-2 py-2">
                          <button
                            type="button"
                            className={buttonClass(option.available && open ? "secondary" : "ghost", "w-full text-xs")}
                            disabled={!enabled}
                            title={reason ?? option.fileName}
                            aria-label={`Download ${f.label} ${PART_LABELS[part]}`}
                            onClick={() => download(option)}
                          >
                            {busy === key ? "Preparing…" : `Download (${option.itemCount})`}
                          </button>
                          {open && option.reason && (
                            <p className="mt-1 line-clamp-3 text-xs text-slate-500" title={option.reason}>
                              {option.reason}
                            </p>
                          )}
                          {option.warnings.map((w) => (
                            <p key={w} className="mt-1 text-xs text-amber-700">
                              {w}
                            </p>
                          ))}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {error && (
            <p role="alert" className="mt-3 text-sm text-rose-700">
              {error}
            </p>
          )}
          {notice && (
            <p role="status" className="mt-3 text-sm text-emerald-700">
              {notice}
            </p>
          )}
          <h3 className="mt-5 mb-1 text-sm font-medium text-slate-800">History</h3>
          {data.history.length === 0 ? (
            <p className="text-xs text-slate-500">Nothing has been exported from this version yet.</p>
          ) : (
            <table className="w-full text-xs">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1 pr-2">When</th>
                  <th className="pr-2">Who</th>
                  <th className="pr-2">File</th>
                  <th className="pr-2 text-right">Records</th>
                  <th className="pr-2 text-right">Size</th>
                  <th>sha256</th>
                </tr>
              </thead>
              <tbody>
                {data.history.map((h) => (
                  <tr key={h.id} className="border-t border-slate-100">
                    <td className="py-1 pr-2 whitespace-nowrap tabular-nums">{h.createdAt.slice(0, 19).replace("T", " ")}</td>
                    <td className="pr-2">{h.createdBy ?? "—"}</td>
                    <td className="pr-2">
                      <Badge tone="gray">{h.format.replace(/_/g, " ")}</Badge> <span className="text-slate-600">{h.fileName || h.part}</span>
                    </td>
                    <td className="pr-2 text-right tabular-nums">{h.lineCount.toLocaleString("en-US")}</td>
                    <td className="pr-2 text-right tabular-nums">{formatBytes(h.bytes)}</td>
                    <td className="font-mono" title={h.sha256}>
                      {h.sha256.slice(0, 12)}…
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Card>
  );
}
