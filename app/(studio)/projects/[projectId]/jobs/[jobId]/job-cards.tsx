"use client";

import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { BEDROCK_BASE_MODELS, FINETUNE_STATE_LABELS, isFinalState, type FineTuneState } from "@/lib/finetune/types";
import { count, epochsOf, fineTuneTone, formatTimeSeconds, humanize, settingLabel, settingValue, usd } from "../format";
import { useJob } from "./job-context";

// The job page's cards that read one part of the job: cost, timeline, settings, provider resources.

export function CostCard() {
  const { job } = useJob();
  const epochs = epochsOf(job.hyperparameters);
  return (
    <Card title="Cost">
      <dl className="space-y-3 text-sm">
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Estimated before launch</dt>
          <dd className="mt-0.5 text-lg font-semibold tabular-nums text-slate-900" data-testid="finetune-estimated-cost">
            {job.estimatedCostUsd !== null ? usd(job.estimatedCostUsd) : "–"}
          </dd>
          {job.trainTokens > 0 && epochs !== null && (
            <dd className="text-xs text-slate-500">
              {job.costBasis}
            </dd>
          )}
        </div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Final</dt>
          <dd className={cn("mt-0.5", job.finalCostUsd !== null ? "text-lg font-semibold tabular-nums text-slate-900" : "text-slate-500")} data-testid="finetune-final-cost">
            {job.finalCostUsd !== null ? usd(job.finalCostUsd) : isFinalState(job.state) ? "Not reported by the provider" : "Known once the provider reports it"}
          </dd>
        </div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Data sent</dt>
          <dd className="mt-0.5 text-slate-700">
            {count(job.trainExamples)} training example{job.trainExamples === 1 ? "" : "s"}
            {job.validationExamples > 0 ? `, ${count(job.validationExamples)} for validation` : ", no validation set"}
          </dd>
        </div>
      </dl>
    </Card>
  );
}

export function TimelineCard() {
  const { job } = useJob();
  return (
    <Card title="Timeline" description="What happened, oldest first.">
      {job.events.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing has happened yet.</p>
      ) : (
        <ol className="space-y-2 text-sm" aria-label="Timeline">
          {job.events.map((e, i) => (
            <li key={i} className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-3" data-testid="finetune-event" data-kind={e.kind}>
              <time dateTime={e.at} className="pt-0.5 text-xs tabular-nums text-slate-500">
                {formatTimeSeconds(e.at)}
              </time>
              <div className={cn("min-w-0", e.kind === "error" ? "text-rose-700" : e.kind === "action" ? "text-slate-800" : "text-slate-700")}>
                {e.state && (
                  <span className="mr-2 align-middle">
                    <Badge tone={fineTuneTone(e.state)}>{FINETUNE_STATE_LABELS[e.state as FineTuneState] ?? e.state}</Badge>
                  </span>
                )}
                {e.kind === "error" && <span className="mr-1 font-medium">Error:</span>}
                <span className="break-words">{e.message}</span>
              </div>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function SettingsCard() {
  const { job } = useJob();
  const entries = Object.entries(job.hyperparameters);
  return (
    <Card title="Settings">
      {entries.length === 0 ? (
        <p className="text-sm text-slate-500">No settings recorded.</p>
      ) : (
        <dl className="grid grid-cols-[minmax(0,9rem)_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
          {entries.map(([key, value]) => (
            <div key={key} className="contents">
              <dt className="text-slate-500">{settingLabel(key)}</dt>
              <dd className="break-words text-slate-800">
                {job.provider === "bedrock" && key === "baseModel" && typeof value === "string" && value in BEDROCK_BASE_MODELS
                  ? BEDROCK_BASE_MODELS[value as keyof typeof BEDROCK_BASE_MODELS].label
                  : settingValue(key, value)}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}

export function ResourcesCard() {
  const { job } = useJob();
  const rows: [string, string][] = [
    ...(job.externalId ? [["Provider job", job.externalId] as [string, string]] : []),
    ...Object.entries(job.resources).map(([key, value]) => [humanize(key), value] as [string, string]),
    ...(job.outputModel ? [["Output model", job.outputModel] as [string, string]] : []),
    ...(job.deploymentId ? [["Deployment", job.deploymentId] as [string, string]] : []),
  ];
  return (
    <Card title="Provider resources" description={job.connectionName ? `Through the connection ${job.connectionName}.` : "Its connection has been deleted."}>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing has been created at the provider yet.</p>
      ) : (
        <dl className="space-y-2 text-sm">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="break-all font-mono text-xs text-slate-800">{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
