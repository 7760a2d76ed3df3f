"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import type { FineTuneJobDetail } from "@/lib/finetune/types";
import { isLiveJob } from "../format";

// The job the whole page reads. One query polls it every 2 s while it trains or while its model is
// being deployed, and stops once neither is true; the header, the cards and the lineage read from
// it, so they move together. The buttons put the job they get back into the same place.

interface JobContextValue {
  projectId: string;
  jobId: string;
  /** May cancel and deploy ("finetune.launch") */
  allowed: boolean;
  job: FineTuneJobDetail;
  /** The last poll failed (what is shown is from the one before) */
  refreshError: string | null;
  setJob: (job: FineTuneJobDetail) => void;
  /** The last button's refusal, shown above the cards */
  actionError: string | null;
  setActionError: (message: string | null) => void;
}

const JobContext = createContext<JobContextValue | null>(null);

export function useJob(): JobContextValue {
  const value = useContext(JobContext);
  if (!value) throw new Error("useJob is used outside JobProvider.");
  return value;
}

const POLL_MS = 2_000;
const jobQueryKey = (projectId: string, jobId: string) => ["finetune-job", projectId, jobId] as const;

export function JobProvider({ projectId, jobId, allowed, initial, children }: { projectId: string; jobId: string; allowed: boolean; initial: FineTuneJobDetail; children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: jobQueryKey(projectId, jobId),
    queryFn: async ({ signal }) => (await apiFetch<{ job: FineTuneJobDetail }>(`/api/projects/${projectId}/finetune/${jobId}`, { signal })).job,
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isLiveJob(q.state.data) ? POLL_MS : false),
  });
  // A server render is at least as new as what an earlier visit left in the cache.
  useEffect(() => {
    queryClient.setQueryData(jobQueryKey(projectId, jobId), initial);
  }, [queryClient, projectId, jobId, initial]);

  const setJob = useCallback((job: FineTuneJobDetail) => queryClient.setQueryData(jobQueryKey(projectId, jobId), job), [queryClient, projectId, jobId]);
  const [actionError, setActionError] = useState<string | null>(null);

  const value = useMemo<JobContextValue>(
    () => ({
      projectId,
      jobId,
      allowed,
      job: query.data,
      refreshError: query.isRefetchError ? ((query.error as Error | null)?.message ?? "unknown error") : null,
      setJob,
      actionError,
      setActionError,
    }),
    [projectId, jobId, allowed, query.data, query.isRefetchError, query.error, setJob, actionError],
  );
  return <JobContext.Provider value={value}>{children}</JobContext.Provider>;
}
