"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, useId, useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DEFAULT_FIREWORKS_API_BASE, DEFAULT_FIREWORKS_INFERENCE_BASE, type AwsConnectionSettings, type ConnectionTestResult, type ConnectionView, type FireworksConnectionSettings } from "@/lib/providers/connections";
import { FINETUNE_STATE_LABELS, isFinalState, type FineTuneState } from "@/lib/finetune/types";
import { ConnectionForm } from "./connection-form";

export interface ConnectionJob {
  id: string;
  name: string;
  state: FineTuneState;
}

export const CONNECTION_KIND_LABELS = { fireworks: "Fireworks", aws: "AWS" } as const;

const when = (iso: string) => iso.slice(0, 16).replace("T", " ");
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** One connection: what it points at, its last test, what uses it; test, edit and delete. */
export function ConnectionCard({ projectId, connection: c, jobs, canEdit, canTest }: { projectId: string; connection: ConnectionView; jobs: ConnectionJob[]; canEdit: boolean; canTest: boolean }) {
  const router = useRouter();
  const headingId = useId();
  const [editing, setEditing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  async function test() {
    setTesting(true);
    setResult(null);
    try {
      setResult(await apiFetch<ConnectionTestResult>(`/api/projects/${projectId}/connections/${c.id}/test`, { method: "POST", body: {} }));
      // The test result is kept on the connection: the "Last test" line reads it from the server.
      router.refresh();
    } catch (err) {
      setResult({ ok: false, message: (err as Error).message, checks: [] });
    } finally {
      setTesting(false);
    }
  }

  async function remove() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await apiFetch(`/api/projects/${projectId}/connections/${c.id}`, { method: "DELETE" });
      setConfirming(false);
      router.refresh();
    } catch (err) {
      setDeleteError((err as Error).message);
    } finally {
      setDeleting(false);
    }
  }

  const running = jobs.filter((j) => !isFinalState(j.state));
  return (
    <article aria-labelledby={headingId} className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="connection">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-4 py-3">
        <div className="flex min-w-0 items-center gap-2">
          <Badge tone={c.kind === "fireworks" ? "blue" : "teal"}>{CONNECTION_KIND_LABELS[c.kind]}</Badge>
          <h2 id={headingId} className="truncate text-sm font-semibold text-slate-900">
            {c.name}
          </h2>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          {canTest && (
            <button type="button" className={buttonClass("secondary", "px-2.5 py-1 text-xs")} onClick={test} disabled={testing} aria-busy={testing || undefined}>
              {testing ? "Testing…" : "Test connection"}
            </button>
          )}
          {canEdit && (
            <>
              <button type="button" className={buttonClass("ghost", "px-2.5 py-1 text-xs")} onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
                Edit
              </button>
              <button
                type="button"
                className={buttonClass("ghost", "px-2.5 py-1 text-xs text-rose-700")}
                onClick={() => {
                  setDeleteError(null);
                  setConfirming(true);
                }}
              >
                Delete
              </button>
            </>
          )}
        </div>
      </header>
      <div className="space-y-3 px-4 py-3">
        <dl className="grid grid-cols-[8.5rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
          {c.kind === "fireworks" ? <FireworksDetails settings={c.settings as FireworksConnectionSettings} secretHint={c.secretHint} /> : <AwsDetails settings={c.settings as AwsConnectionSettings} secretHint={c.secretHint} />}
          <dt className="text-slate-500">Last test</dt>
          <dd data-testid="connection-last-test">
            {c.testedAt === null ? (
              <span className="text-slate-500">Not tested yet</span>
            ) : (
              <span className={c.testOk ? "text-emerald-700" : "text-rose-700"}>
                <span aria-hidden>{c.testOk ? "✓ " : "✗ "}</span>
                {c.testOk ? "Passed" : "Failed"} on {when(c.testedAt)}
                {c.testMessage && <span className="block text-xs text-slate-600">{c.testMessage}</span>}
              </span>
            )}
          </dd>
          <dt className="text-slate-500">Used by</dt>
          <dd className="text-slate-800">
            {c.jobCount === 0 && c.endpointCount === 0 ? (
              <span className="text-slate-500">Nothing yet</span>
            ) : (
              <>
                {plural(c.jobCount, "fine-tune job")}
                {jobs.length > 0 && (
                  <>
                    {" ("}
                    {jobs.slice(0, 5).map((j, i) => (
                      <span key={j.id}>
                        {i > 0 && ", "}
                        <Link href={`/projects/${projectId}/jobs/${j.id}`} className="text-brand-700 hover:underline">
                          {j.name}
                        </Link>
                      </span>
                    ))}
                    {jobs.length > 5 && `, ${jobs.length - 5} more`}
                    {")"}
                  </>
                )}
                {" · "}
                {plural(c.endpointCount, "endpoint")}
              </>
            )}
          </dd>
        </dl>

        <div aria-live="polite">
          {testing && <p className="text-sm text-slate-600">Checking the connection against the provider…</p>}
          {result && !testing && (
            <div className={cn("rounded-md border px-3 py-2 text-sm", result.ok ? "border-emerald-200 bg-emerald-50" : "border-rose-200 bg-rose-50")} data-testid="connection-test-result">
              <p className={cn("font-medium", result.ok ? "text-emerald-800" : "text-rose-800")}>
                <span aria-hidden>{result.ok ? "✓ " : "✗ "}</span>
                {result.message}
              </p>
              {result.checks.length > 0 && (
                <ul className="mt-1.5 space-y-1" aria-label="Checks">
                  {result.checks.map((check, i) => (
                    <li key={i} className="flex gap-2">
                      <span aria-hidden className={check.ok ? "text-emerald-700" : "text-rose-700"}>
                        {check.ok ? "✓" : "✗"}
                      </span>
                      <span className="min-w-0">
                        <span className="sr-only">{check.ok ? "Passed: " : "Failed: "}</span>
                        <span className="font-medium text-slate-800">{check.name}</span>
                        <span className="block break-words text-xs text-slate-600">{check.detail}</span>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>

        {editing && canEdit && (
          <div className="border-t border-slate-100 pt-3">
            <ConnectionForm projectId={projectId} existing={c} onDone={() => setEditing(false)} />
          </div>
        )}
      </div>

      {confirming && (
        <ConfirmDialog
          title={`Delete the connection "${c.name}"?`}
          confirmLabel="Delete connection"
          busyLabel="Deleting…"
          dismissLabel="Keep it"
          busy={deleting}
          error={deleteError}
          onConfirm={remove}
          onClose={() => setConfirming(false)}
        >
          {c.jobCount === 0 && c.endpointCount === 0 ? (
            <p>Nothing uses it. Its stored key is deleted with it.</p>
          ) : (
            <>
              <p>
                It is used by {plural(c.jobCount, "fine-tune job")}
                {jobs.length > 0 && ` (${jobs.map((j) => `${j.name}: ${FINETUNE_STATE_LABELS[j.state].toLowerCase()}`).join(", ")})`} and {plural(c.endpointCount, "endpoint")}.
              </p>
              <p>
                {running.length > 0 || c.endpointCount > 0
                  ? "The studio refuses while a job still runs with it or an endpoint calls a model through it: cancel or wait for the job, delete the endpoint, then delete the connection."
                  : "Finished jobs keep their results and timeline; they lose the link to this connection."}
              </p>
            </>
          )}
        </ConfirmDialog>
      )}
    </article>
  );
}

function FireworksDetails({ settings: s, secretHint }: { settings: FireworksConnectionSettings; secretHint: string | null }) {
  return (
    <>
      <dt className="text-slate-500">Account</dt>
      <dd className="break-all font-mono text-xs leading-5 text-slate-800">accounts/{s.accountId}</dd>
      <dt className="text-slate-500">API key</dt>
      <dd className="text-slate-800">{secretHint ? <span className="font-mono text-xs">…{secretHint}</span> : <span className="text-rose-700">No key stored</span>}</dd>
      <dt className="text-slate-500">Training price</dt>
      <dd className="text-slate-800">${s.trainingPricePerMillion.toFixed(2)} per 1M tokens</dd>
      <dt className="text-slate-500">Deploys on</dt>
      <dd className="font-mono text-xs leading-5 text-slate-800">{s.acceleratorType}</dd>
      {s.apiBaseUrl !== DEFAULT_FIREWORKS_API_BASE && (
        <>
          <dt className="text-slate-500">API address</dt>
          <dd className="break-all font-mono text-xs leading-5 text-slate-800">{s.apiBaseUrl}</dd>
        </>
      )}
      {s.inferenceBaseUrl !== DEFAULT_FIREWORKS_INFERENCE_BASE && (
        <>
          <dt className="text-slate-500">Inference address</dt>
          <dd className="break-all font-mono text-xs leading-5 text-slate-800">{s.inferenceBaseUrl}</dd>
        </>
      )}
    </>
  );
}

function AwsDetails({ settings: s, secretHint }: { settings: AwsConnectionSettings; secretHint: string | null }) {
  const overrides = [
    ["Bedrock address", s.bedrockEndpoint],
    ["Runtime address", s.runtimeEndpoint],
    ["S3 address", s.s3Endpoint],
  ] as const;
  return (
    <>
      <dt className="text-slate-500">Region</dt>
      <dd className="font-mono text-xs leading-5 text-slate-800">{s.region}</dd>
      <dt className="text-slate-500">Files</dt>
      <dd className="break-all font-mono text-xs leading-5 text-slate-800">
        s3://{s.bucket}/{s.prefix ? `${s.prefix}/` : ""}
      </dd>
      <dt className="text-slate-500">Role</dt>
      <dd className="break-all font-mono text-xs leading-5 text-slate-800">{s.roleArn}</dd>
      <dt className="text-slate-500">Credentials</dt>
      <dd className="text-slate-800">
        {s.credentialMode === "keys" ? (
          secretHint ? (
            <>
              Access key <span className="font-mono text-xs">…{secretHint}</span>
            </>
          ) : (
            <span className="text-rose-700">Access keys chosen, none stored</span>
          )
        ) : (
          "Default credential chain of the studio's host"
        )}
      </dd>
      <dt className="text-slate-500">Training price</dt>
      <dd className="text-slate-800">${s.trainingPricePerMillion.toFixed(2)} per 1M tokens</dd>
      {overrides.map(([label, value]) =>
        value ? (
          <Fragment key={label}>
            <dt className="text-slate-500">{label}</dt>
            <dd className="break-all font-mono text-xs leading-5 text-slate-800">{value}</dd>
          </Fragment>
        ) : null,
      )}
    </>
  );
}
