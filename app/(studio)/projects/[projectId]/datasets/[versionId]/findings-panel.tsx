"use client";

import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass, inputClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { FINDING_KIND_LABELS, FINDING_KINDS, type FindingKind } from "@/lib/datasets/scan";
import type { FindingCounts, FindingView } from "@/lib/datasets/server/scan";

interface FindingsResponse {
  findings: FindingView[];
  nextCursor: string | null;
  counts: FindingCounts;
  scannedAt: string | null;
  approvalState: string;
  locked: boolean;
}

type Action = "waive" | "exclude" | "redact" | "reopen";

const kindLabel = (kind: string) => FINDING_KIND_LABELS[kind as FindingKind] ?? kind;
const kindOrder = (kind: string) => {
  const i = FINDING_KINDS.indexOf(kind as FindingKind);
  return i === -1 ? FINDING_KINDS.length : i;
};

export function FindingsPanel({ projectId, versionId, canResolve, locked }: { projectId: string; versionId: string; canResolve: boolean; locked: boolean }) {
  const base = `/api/projects/${projectId}/datasets/${versionId}/findings`;
  const queryKey = useMemo(() => ["dataset-findings", projectId, versionId], [projectId, versionId]);
  const client = useQueryClient();
  const router = useRouter();
  const findings = useQuery({
    queryKey,
    queryFn: async ({ signal }) => {
      // Every finding, page by page: a version has at most a few per pair.
      let page = await apiFetch<FindingsResponse>(`${base}?take=1000`, { signal });
      const all = [...page.findings];
      while (page.nextCursor) {
        page = await apiFetch<FindingsResponse>(`${base}?take=1000&cursor=${encodeURIComponent(page.nextCursor)}`, { signal });
        all.push(...page.findings);
      }
      return { ...page, findings: all };
    },
  });
  const scan = useMutation({
    mutationFn: () => apiFetch(`${base}/scan`, { method: "POST", body: {} }),
    onSuccess: () => {
      router.refresh();
      return client.invalidateQueries({ queryKey });
    },
  });
  const isLocked = locked || findings.data?.locked === true;
  const writable = canResolve && !isLocked;

  if (findings.isPending) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Loading scan findings…
      </p>
    );
  }
  if (findings.isError) {
    return (
      <div role="alert" className="space-y-2 text-sm text-rose-700">
        <p>The findings could not be loaded: {findings.error.message}</p>
        <button type="button" className={buttonClass("secondary")} onClick={() => void findings.refetch()}>
          Try again
        </button>
      </div>
    );
  }

  const data = findings.data;
  const open = data.findings.filter((f) => f.status === "open");
  const resolved = data.findings.filter((f) => f.status !== "open");
  const kinds = Object.entries(data.counts.byKind).sort(([a], [b]) => kindOrder(a) - kindOrder(b));

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2" aria-label="Findings by severity and kind">
          <Badge tone={data.counts.open.blocking ? "red" : "green"}>{data.counts.open.blocking} blocking open</Badge>
          <Badge tone={data.counts.open.warning ? "amber" : "gray"}>{data.counts.open.warning} warnings open</Badge>
          <Badge tone="gray">{data.counts.resolved} resolved</Badge>
          {kinds.map(([kind, c]) => (
            <Badge key={kind} tone={c.open === 0 ? "gray" : c.blocking ? "red" : "amber"} title={`${c.open} open, ${c.resolved} resolved`}>
              {kindLabel(kind)}: {c.open}/{c.open + c.resolved}
            </Badge>
          ))}
        </div>
        <div className="flex items-center gap-3 text-xs text-slate-500">
          {data.scannedAt && <span>Scanned {new Date(data.scannedAt).toLocaleString()}</span>}
          {writable && (
            <button type="button" className={buttonClass("secondary")} disabled={scan.isPending} onClick={() => scan.mutate()}>
              {scan.isPending ? "Scanning…" : "Scan again"}
            </button>
          )}
        </div>
      </div>
      {scan.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {scan.error.message}
        </p>
      )}
      {isLocked && <p className="text-sm text-slate-600">This version is locked while it is submitted or approved: its findings can be read, not changed.</p>}

      {data.findings.length === 0 ? (
        <EmptyState title="No findings: the version is clean">{data.scannedAt ? "Nothing to resolve before sign-off." : "This version has not been scanned yet."}</EmptyState>
      ) : open.length === 0 ? (
        <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">Every finding is resolved.</p>
      ) : (
        <FindingGroups findings={open} base={base} queryKey={queryKey} writable={writable} />
      )}

      {resolved.length > 0 && (
        <details className="rounded-md border border-slate-200 bg-white">
          <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-700">Resolved findings ({resolved.length})</summary>
          <div className="border-t border-slate-100 p-3">
            <FindingGroups findings={resolved} base={base} queryKey={queryKey} writable={writable} />
          </div>
        </details>
      )}
    </div>
  );
}

function FindingGroups({ findings, base, queryKey, writable }: { findings: FindingView[]; base: string; queryKey: readonly unknown[]; writable: boolean }) {
  const groups = new Map<string, FindingView[]>();
  for (const f of findings) groups.set(f.kind, [...(groups.get(f.kind) ?? []), f]);
  return (
    <div className="space-y-4">
      {[...groups.entries()]
        .sort(([a], [b]) => kindOrder(a) - kindOrder(b))
        .map(([kind, list]) => (
          <section key={kind} aria-label={kindLabel(kind)}>
            <h3 className="mb-2 text-sm font-semibold text-slate-800">
              {kindLabel(kind)} <span className="font-normal text-slate-500">({list.length})</span>
            </h3>
            <ul className="space-y-2">
              {list.map((f) => (
                <FindingRow key={f.id} finding={f} base={base} queryKey={queryKey} writable={writable} />
              ))}
            </ul>
          </section>
        ))}
    </div>
  );
}

/** The question with the finding's match marked, when the finding is about the question. */
function QuestionText({ finding }: { finding: FindingView }) {
  const question = finding.item?.question ?? "";
  const { field, start, end, match } = finding.detail;
  let at = field === "question" && typeof start === "number" && typeof end === "number" && question.slice(start, end) === match ? start : -1;
  if (at === -1 && field === "question" && match && match !== question) at = question.indexOf(match);
  if (at === -1 || !match || match === question) return <span>{question}</span>;
  return (
    <span>
      {question.slice(0, at)}
      <mark className="rounded bg-amber-200 px-0.5 text-slate-900">{question.slice(at, at + match.length)}</mark>
      {question.slice(at + match.length)}
    </span>
  );
}

function FindingRow({ finding, base, queryKey, writable }: { finding: FindingView; base: string; queryKey: readonly unknown[]; writable: boolean }) {
  const client = useQueryClient();
  const router = useRouter();
  const reasonId = useId();
  const [waiving, setWaiving] = useState(false);
  const [reason, setReason] = useState("");
  const resolve = useMutation({
    mutationFn: (body: { action: Action; reason?: string }) => apiFetch(`${base}/${finding.id}`, { method: "POST", body }),
    onSuccess: () => {
      setWaiving(false);
      setReason("");
      // The sign-off panel's blocking count is rendered by the server: refresh it too.
      router.refresh();
      return client.invalidateQueries({ queryKey });
    },
  });
  const isOpen = finding.status === "open";
  const item = finding.item;
  return (
    <li className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={finding.severity === "blocking" ? "red" : "amber"}>{finding.severity}</Badge>
            {!isOpen && <Badge tone="green">{finding.status}</Badge>}
            {item && <span className="text-xs text-slate-500">{item.split} split{item.excluded ? " · excluded" : ""}</span>}
          </div>
          {item && (
            <p className="text-slate-900">
              <QuestionText finding={finding} />
            </p>
          )}
          {item?.redactedQuestion && <p className="text-xs text-slate-600">Exported as: {item.redactedQuestion}</p>}
          {finding.detail.field === "sql" && item && <pre className="overflow-x-auto rounded bg-slate-50 px-2 py-1 font-mono text-xs text-slate-700">{item.sql}</pre>}
          <p className="text-slate-600">{finding.message}</p>
          {!isOpen && (
            <p className="text-xs text-slate-500">
              {finding.status[0].toUpperCase() + finding.status.slice(1)}
              {finding.resolvedBy ? ` by ${finding.resolvedBy.name}` : " automatically (the pair was already excluded or redacted)"}
              {finding.resolvedAt ? ` on ${new Date(finding.resolvedAt).toLocaleString()}` : ""}
              {finding.reason ? `: “${finding.reason}”` : ""}
            </p>
          )}
        </div>
        {writable && (
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            {isOpen ? (
              <>
                {finding.redactable && (
                  <button type="button" className={buttonClass("secondary")} disabled={resolve.isPending} onClick={() => resolve.mutate({ action: "redact" })}>
                    Redact in question
                  </button>
                )}
                {finding.itemId && (
                  <button type="button" className={buttonClass("secondary")} disabled={resolve.isPending} onClick={() => resolve.mutate({ action: "exclude" })}>
                    Exclude pair
                  </button>
                )}
                <button type="button" className={buttonClass("ghost")} aria-expanded={waiving} disabled={resolve.isPending} onClick={() => setWaiving((w) => !w)}>
                  Waive…
                </button>
              </>
            ) : (
              <button type="button" className={buttonClass("ghost")} disabled={resolve.isPending} onClick={() => resolve.mutate({ action: "reopen" })}>
                Reopen
              </button>
            )}
          </div>
        )}
      </div>
      {waiving && isOpen && (
        <form
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            resolve.mutate({ action: "waive", reason });
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") setWaiving(false);
          }}
        >
          <div className="min-w-64 flex-1">
            <label htmlFor={reasonId} className="mb-1 block text-xs font-medium text-slate-700">
              Why is this acceptable?{finding.severity === "blocking" ? " (a data lead waives blocking findings)" : ""}
            </label>
            <input id={reasonId} className={inputClass} value={reason} autoFocus minLength={5} maxLength={1000} required onChange={(e) => setReason(e.target.value)} placeholder="At least 5 characters" />
          </div>
          <button type="submit" className={buttonClass("primary")} disabled={resolve.isPending || reason.trim().length < 5}>
            {resolve.isPending ? "Waiving…" : "Waive"}
          </button>
          <button type="button" className={buttonClass("ghost")} onClick={() => setWaiving(false)}>
            Cancel
          </button>
        </form>
      )}
      {resolve.isError && (
        <p role="alert" className="mt-1 text-sm text-rose-700">
          {resolve.error.message}
        </p>
      )}
    </li>
  );
}
