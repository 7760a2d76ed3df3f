"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, stateTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { FINETUNE_STATE_LABELS } from "@/lib/finetune/types";
import { DEPLOYMENT_STATE_LABELS, deploymentTone, fineTuneTone, formatTime, pct } from "../format";
import { useJob } from "./job-context";

// Where this job's model came from and where it went: dataset version → this job → model →
// deployment → endpoint → evaluation runs. Each step links to its own page.

const RUNS_SHOWN = 5;

function Step({ label, children, first = false }: { label: string; children: ReactNode; first?: boolean }) {
  return (
    <li className="flex min-w-0 items-stretch gap-2">
      {!first && (
        <span aria-hidden className="self-center text-slate-400">
          →
        </span>
      )}
      <div className="min-w-0 max-w-[16rem] rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
        <div className="text-[11px] font-medium uppercase tracking-wide text-slate-500">{label}</div>
        <div className="mt-0.5 text-sm text-slate-800">{children}</div>
      </div>
    </li>
  );
}

const pending = (text: string) => <span className="text-slate-400">{text}</span>;

export function LineageStrip() {
  const { projectId, job } = useJob();
  const evaluations = `/projects/${projectId}/evaluations`;
  return (
    <Card title="Lineage" description="The dataset version this model learned from, and what became of it.">
      <ol className="flex flex-wrap items-stretch gap-2" aria-label="Lineage" data-testid="finetune-lineage">
        <Step label="Dataset" first>
          <Link href={`/projects/${projectId}/datasets/${job.datasetVersionId}`} className="font-medium text-brand-700 hover:underline">
            Dataset v{job.datasetVersion}
          </Link>
        </Step>
        <Step label="Fine-tune">
          <span className="block truncate font-medium" title={job.name}>
            {job.name}
          </span>
          <Badge tone={fineTuneTone(job.state)}>{FINETUNE_STATE_LABELS[job.state]}</Badge>
        </Step>
        <Step label="Model">
          {job.outputModel ? (
            <span className="block truncate font-mono text-xs" title={job.outputModel}>
              {job.outputModel}
            </span>
          ) : (
            pending(job.state === "failed" || job.state === "cancelled" ? "None" : "Once training completes")
          )}
        </Step>
        <Step label="Deployment">
          {job.deploymentState ? (
            <>
              <Badge tone={deploymentTone(job.deploymentState)}>{DEPLOYMENT_STATE_LABELS[job.deploymentState]}</Badge>
              {job.deploymentState === "failed" && job.deploymentError && (
                <span className="mt-0.5 block truncate text-xs text-rose-700" title={job.deploymentError}>
                  {job.deploymentError}
                </span>
              )}
            </>
          ) : (
            pending(job.outputModel ? "Not deployed" : "–")
          )}
        </Step>
        <Step label="Endpoint">
          {job.endpointId ? (
            <Link href={evaluations} className="block truncate font-medium text-brand-700 hover:underline" title={job.endpointName ?? undefined}>
              {job.endpointName ?? "Endpoint"}
            </Link>
          ) : (
            pending(job.deploymentState === "creating" ? "Once the model serves" : "–")
          )}
        </Step>
        <Step label="Evaluations">
          {job.evalRuns.length > 0 ? (
            <ul className="space-y-0.5">
              {job.evalRuns.slice(0, RUNS_SHOWN).map((r) => (
                <li key={r.id} className="flex items-center gap-2">
                  <Link href={`${evaluations}/${r.id}`} className="min-w-0 truncate text-brand-700 hover:underline" title={r.label || formatTime(r.createdAt)}>
                    {r.label || formatTime(r.createdAt)}
                  </Link>
                  {r.accuracy !== null && r.status === "succeeded" ? (
                    <span className="shrink-0 font-semibold tabular-nums">{pct(r.accuracy)}</span>
                  ) : (
                    <Badge tone={stateTone(r.status)}>{r.status}</Badge>
                  )}
                </li>
              ))}
              {job.evalRuns.length > RUNS_SHOWN && (
                <li>
                  <Link href={evaluations} className="text-xs text-brand-700 hover:underline">
                    {job.evalRuns.length - RUNS_SHOWN} more
                  </Link>
                </li>
              )}
            </ul>
          ) : job.endpointId ? (
            <Link href={`${evaluations}?endpoint=${job.endpointId}&version=${job.datasetVersionId}`} className="font-medium text-brand-700 hover:underline">
              Run an evaluation of this endpoint
            </Link>
          ) : (
            pending("–")
          )}
        </Step>
      </ol>
    </Card>
  );
}
