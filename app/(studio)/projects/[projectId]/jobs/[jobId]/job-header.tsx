"use client";

import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ProgressBar } from "@/components/ui/progress-bar";
import { FINETUNE_STATE_LABELS, isFinalState, type FineTuneJobDetail } from "@/lib/finetune/types";
import { FineTuneStateBadge } from "../state-badge";
import { DEPLOYMENT_STATE_LABELS, deploymentTone, epochsOf, formatTime, isLiveJob } from "../format";
import { useJob } from "./job-context";

// The live parts of the job page's header: the state with the provider's own word, progress and
// epoch; the buttons (refresh, cancel, deploy); and the notices about how the job stands.

const PROVIDER_NAMES = { fireworks: "Fireworks", bedrock: "Bedrock" } as const;

export function JobActions() {
  const { projectId, jobId, allowed, job, setJob, setActionError } = useJob();
  const [busy, setBusy] = useState<"refresh" | "cancel" | "deploy" | "retry" | "undeploy" | null>(null);
  const [confirming, setConfirming] = useState<"cancel" | "undeploy" | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);

  async function act(action: "refresh" | "cancel" | "deploy" | "retry" | "undeploy"): Promise<boolean> {
    setBusy(action);
    setActionError(null);
    try {
      const out = await apiFetch<{ job: FineTuneJobDetail }>(`/api/projects/${projectId}/finetune/${jobId}/${action}`, { method: "POST", body: {} });
      setJob(out.job);
      return true;
    } catch (err) {
      const message = (err as Error).message;
      if (action === "cancel" || action === "undeploy") setCancelError(message);
      else setActionError(message);
      return false;
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <button type="button" className={buttonClass("secondary")} onClick={() => void act("refresh")} disabled={busy !== null} aria-busy={busy === "refresh" || undefined} title="Ask the provider now instead of at the next scheduled check">
        {busy === "refresh" ? "Refreshing…" : "Refresh"}
      </button>
      {allowed && job.canRetry && (
        <button type="button" className={buttonClass("primary")} onClick={() => void act("retry")} disabled={busy !== null} aria-busy={busy === "retry" || undefined} title="Launch again with the same settings; steps already done are kept">
          {busy === "retry" ? "Retrying…" : "Retry launch"}
        </button>
      )}
      {allowed && job.canDeploy && (
        <button type="button" className={buttonClass("primary")} onClick={() => void act("deploy")} disabled={busy !== null} aria-busy={busy === "deploy" || undefined}>
          {busy === "deploy" ? "Starting the deployment…" : "Deploy model"}
        </button>
      )}
      {allowed && job.canCancel && (
        <button
          type="button"
          className={buttonClass("secondary", "text-rose-700")}
          onClick={() => {
            setCancelError(null);
            setConfirming("cancel");
          }}
          disabled={busy !== null}
        >
          Cancel job
        </button>
      )}
      {allowed && job.canUndeploy && (
        <button
          type="button"
          className={buttonClass("secondary", "text-rose-700")}
          onClick={() => {
            setCancelError(null);
            setConfirming("undeploy");
          }}
          disabled={busy !== null}
        >
          Delete deployment
        </button>
      )}
      <Link href={`/projects/${projectId}/jobs`} className={buttonClass("ghost")}>
        All fine-tunes
      </Link>
      {confirming === "undeploy" && (
        <ConfirmDialog
          title={`Delete the deployment of "${job.name}"?`}
          confirmLabel="Delete the deployment"
          busyLabel="Deleting…"
          dismissLabel="Keep it serving"
          busy={busy === "undeploy"}
          error={cancelError}
          onConfirm={async () => {
            if (await act("undeploy")) setConfirming(null);
          }}
          onClose={() => setConfirming(null)}
        >
          <p>
            {PROVIDER_NAMES[job.provider]} stops serving the model and stops billing for the deployment. The endpoint and its evaluation runs stay; evaluating it again needs a new deployment (Deploy model).
          </p>
        </ConfirmDialog>
      )}
      {confirming === "cancel" && (
        <ConfirmDialog
          title={`Cancel "${job.name}"?`}
          confirmLabel="Cancel the job"
          busyLabel="Cancelling…"
          dismissLabel="Keep it running"
          busy={busy === "cancel"}
          error={cancelError}
          onConfirm={async () => {
            if (await act("cancel")) setConfirming(null);
          }}
          onClose={() => setConfirming(null)}
        >
          {job.externalId ? (
            <p>
              The studio asks {PROVIDER_NAMES[job.provider]} to stop training. What was trained so far is billed and cannot be resumed: launching again starts from the beginning.
            </p>
          ) : (
            <p>The job has not reached {PROVIDER_NAMES[job.provider]} yet: the studio stops its launch. Nothing has been trained; files already uploaded stay where they were sent.</p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}

/** State, the provider's own word, progress with %, epoch and deployment, under the page title. */
export function JobStatus() {
  const { job } = useJob();
  const final = isFinalState(job.state);
  const epochs = epochsOf(job.hyperparameters);
  const progress = job.state === "completed" ? 100 : (job.progress ?? 0);
  const polling = [
    job.lastPolledAt ? `Last asked the provider ${formatTime(job.lastPolledAt)}` : final ? null : "Not asked the provider yet",
    isLiveJob(job) ? "refreshing every 2 seconds" : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const facts = [
    job.epoch !== null ? `Epoch ${Number(job.epoch.toFixed(2))}${epochs ? ` of ${epochs}` : ""}` : epochs ? `${epochs} epoch${epochs === 1 ? "" : "s"}` : null,
    job.progress === null && !final ? (job.state === "running" ? "the provider has not reported progress yet" : "progress shows once training starts") : null,
    job.startedAt ? `started ${formatTime(job.startedAt)}` : null,
    job.finishedAt ? `ended ${formatTime(job.finishedAt)}` : null,
  ]
    .filter(Boolean)
    .join(" · ")
    .replace(/^./, (c) => c.toUpperCase());
  const stateWords = `${FINETUNE_STATE_LABELS[job.state]}${job.deploymentState ? `; model ${DEPLOYMENT_STATE_LABELS[job.deploymentState].toLowerCase()}` : ""}`;
  return (
    <section aria-label="Job status" className="mb-6 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="finetune-status" data-state={job.state}>
      <p role="status" className="sr-only">
        {stateWords}
      </p>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm">
        <FineTuneStateBadge state={job.state} />
        {job.providerState && (
          <span className="text-slate-500">
            {PROVIDER_NAMES[job.provider]} says <code className="rounded bg-slate-100 px-1 py-0.5 text-xs text-slate-700" data-testid="finetune-provider-state">{job.providerState}</code>
          </span>
        )}
        {job.deploymentState && (
          <span className="flex items-center gap-1.5 text-slate-500">
            Deployment <Badge tone={deploymentTone(job.deploymentState)}>{DEPLOYMENT_STATE_LABELS[job.deploymentState]}</Badge>
          </span>
        )}
        <span className="ml-auto text-xs text-slate-500">{polling}</span>
      </div>
      {(!final || job.progress !== null) && (
        <div className="mt-3 flex items-center gap-3">
          <ProgressBar value={progress} tone={job.state === "failed" ? "red" : job.state === "cancelled" || job.state === "cancelling" ? "amber" : "brand"} label="Training progress" />
          <span className="w-24 shrink-0 text-right text-sm tabular-nums text-slate-700" data-testid="finetune-progress">
            {job.progress !== null || job.state === "completed" ? `${Math.round(progress)}%` : "–"}
          </span>
        </div>
      )}
      {facts && (
        <p className="mt-2 text-xs text-slate-500" data-testid="finetune-epoch">
          {facts}
        </p>
      )}
      {job.canDeploy && (
        <p className="mt-2 text-sm text-slate-700">
          The model is trained. Deploy it to evaluate it: once it serves, it becomes an endpoint on the Evaluations page. {PROVIDER_NAMES[job.provider]} bills deployment time while it runs.
        </p>
      )}
      {job.deploymentState === "creating" && <p className="mt-2 text-sm text-slate-700">Deploying the model; it becomes an endpoint as soon as it answers.</p>}
    </section>
  );
}

/** How the job stands when that needs saying: a failure and its cause, a cancellation, a stalled poll, a refused button. */
export function JobNotices() {
  const { projectId, job, refreshError, actionError } = useJob();
  return (
    <>
      {job.state === "failed" && (
        <div className="mb-4 rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900" data-testid="finetune-error">
          <h2 className="font-semibold">This fine-tune failed</h2>
          <p className="mt-1 whitespace-pre-wrap break-words">{job.error ?? "The job stopped without saying why; the provider's message below may tell more."}</p>
          {job.statusMessage && job.statusMessage !== job.error && (
            <p className="mt-2 whitespace-pre-wrap break-words font-mono text-xs">
              {PROVIDER_NAMES[job.provider]} said: {job.statusMessage}
            </p>
          )}
          <p className="mt-2">
            What to do: fix the cause and test the connection on the{" "}
            <Link href={`/projects/${projectId}/connections`} className="font-medium underline">
              Connections page
            </Link>
            , then {job.canRetry ? <>press <strong>Retry launch</strong> (steps already done are kept) or launch a new job from the{" "}</> : <>launch again from the{" "}</>}
            <Link href={`/projects/${projectId}/jobs`} className="font-medium underline">
              Fine-tuning page
            </Link>
            .
          </p>
        </div>
      )}
      {job.state === "cancelled" && (
        <div className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
          This job was cancelled{job.finishedAt ? ` on ${formatTime(job.finishedAt)}` : ""}.{job.statusMessage ? ` ${PROVIDER_NAMES[job.provider]} said: ${job.statusMessage}` : ""}
        </div>
      )}
      {job.deploymentState === "failed" && job.deploymentError && (
        <div className="mb-4 rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900" data-testid="finetune-deployment-error">
          <h2 className="font-semibold">The deployment failed</h2>
          <p className="mt-1 whitespace-pre-wrap break-words">{job.deploymentError}</p>
          <p className="mt-2">Deploy again once the cause is fixed; the trained model is kept.</p>
        </div>
      )}
      {job.pollFailures > 0 && isLiveJob(job) && (
        <p className="mb-4 text-sm text-amber-800">
          The studio could not reach {PROVIDER_NAMES[job.provider]} the last {job.pollFailures === 1 ? "time" : `${job.pollFailures} times`} it asked; it keeps asking, less often{job.nextPollAt ? ` (next at ${formatTime(job.nextPollAt)})` : ""}.
        </p>
      )}
      {refreshError && isLiveJob(job) && <p className="mb-4 text-sm text-amber-800">Could not refresh this page ({refreshError}); what is shown is from the last refresh. Retrying every 2 seconds.</p>}
      {actionError && (
        <p role="alert" className="mb-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {actionError}
        </p>
      )}
    </>
  );
}
