"use client";

import Link from "next/link";
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { Card, EmptyState } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { FINETUNE_KIND_LABELS, type FineTuneJobSummary } from "@/lib/finetune/types";
import { FineTuneStateBadge } from "./state-badge";
import { DEPLOYMENT_STATE_LABELS, formatTime, isLiveJob, usd } from "./format";

const POLL_MS = 2_000;

/** Every fine-tune job of the project, across providers; refetched every 2 s while any one changes. */
export function JobsTable({ projectId, initial, canLaunch }: { projectId: string; initial: FineTuneJobSummary[]; canLaunch: boolean }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["finetune-jobs", projectId],
    queryFn: async ({ signal }) => (await apiFetch<{ jobs: FineTuneJobSummary[] }>(`/api/projects/${projectId}/finetune`, { signal })).jobs,
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.some(isLiveJob) ? POLL_MS : false),
  });
  // A server render is at least as new as what an earlier visit left in the cache.
  useEffect(() => {
    queryClient.setQueryData(["finetune-jobs", projectId], initial);
  }, [queryClient, projectId, initial]);

  const jobs = query.data;
  if (jobs.length === 0) {
    return (
      <EmptyState title="No fine-tune jobs yet">
        {canLaunch
          ? "Launch one from an approved dataset version with the panel on the left: it estimates the examples, tokens and cost first. Each job's page follows it live, charts its training curves and deploys the model for evaluation."
          : "A data lead or an admin launches them from an approved dataset version. Each job's page follows it live, charts its training curves and deploys the model for evaluation."}
      </EmptyState>
    );
  }
  return (
    <Card title="Jobs" description="Newest first. The list refreshes by itself while a job trains or a model is being deployed.">
      {query.isRefetchError && (
        <p className="mb-3 text-sm text-amber-800">
          Could not refresh the list ({(query.error as Error | null)?.message ?? "unknown error"}); the states below are from the last refresh. Retrying every 2 seconds.
        </p>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Fine-tune jobs">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">Name</th>
              <th className="pr-3 font-medium">Kind</th>
              <th className="pr-3 font-medium">Base model</th>
              <th className="pr-3 font-medium">Dataset</th>
              <th className="pr-3 font-medium">State</th>
              <th className="pr-3 text-right font-medium">Cost</th>
              <th className="font-medium">Created</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} className="border-t border-slate-100 align-top" data-testid="finetune-job">
                <td className="py-2 pr-3">
                  <Link href={`/projects/${projectId}/jobs/${j.id}`} className="font-medium text-brand-700 hover:underline">
                    {j.name}
                  </Link>
                  {j.connectionName && <div className="text-xs text-slate-500">via {j.connectionName}</div>}
                </td>
                <td className="py-2 pr-3 text-slate-700">{FINETUNE_KIND_LABELS[j.kind]}</td>
                <td className="max-w-[14rem] py-2 pr-3">
                  <span className="block truncate font-mono text-xs leading-5 text-slate-700" title={j.baseModel}>
                    {j.baseModel}
                  </span>
                </td>
                <td className="py-2 pr-3">
                  <Link href={`/projects/${projectId}/datasets/${j.datasetVersionId}`} className="text-brand-700 hover:underline">
                    v{j.datasetVersion}
                  </Link>
                </td>
                <td className="min-w-[9rem] py-2 pr-3">
                  <FineTuneStateBadge state={j.state} title={j.providerState ?? undefined} />
                  {j.state === "running" && j.progress !== null && (
                    <div className="mt-1.5 flex items-center gap-2">
                      <ProgressBar value={j.progress} label={`${j.name} progress`} />
                      <span className="shrink-0 text-xs tabular-nums text-slate-500">{Math.round(j.progress)}%</span>
                    </div>
                  )}
                  {j.deploymentState && <div className="mt-1 text-xs text-slate-500">{DEPLOYMENT_STATE_LABELS[j.deploymentState]}</div>}
                  {j.state === "failed" && j.error && (
                    <div className="mt-1 max-w-[16rem] truncate text-xs text-rose-700" title={j.error}>
                      {j.error}
                    </div>
                  )}
                </td>
                <td className="py-2 pr-3 text-right tabular-nums">
                  {j.finalCostUsd !== null ? (
                    <>
                      {usd(j.finalCostUsd)}
                      <div className="text-xs text-slate-500">final</div>
                    </>
                  ) : j.estimatedCostUsd !== null ? (
                    <>
                      {usd(j.estimatedCostUsd)}
                      <div className="text-xs text-slate-500">estimated</div>
                    </>
                  ) : (
                    <span className="text-slate-400">–</span>
                  )}
                </td>
                <td className="whitespace-nowrap py-2 text-slate-600">
                  {formatTime(j.createdAt)}
                  {j.createdBy && <div className="text-xs text-slate-500">by {j.createdBy}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
