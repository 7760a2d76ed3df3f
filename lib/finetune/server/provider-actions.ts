import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ProviderError } from "@/lib/errors";
import { bedrockNameOf, providerIdOf } from "@/lib/finetune/plan";
import { awsFor, fireworksFor } from "@/lib/finetune/server/clients";
import { addEvent } from "@/lib/finetune/server/events";
import { revokeAccessToken } from "@/lib/sandbox-access/server/service";

// Requests made to a provider on a user's click: stop a job, start a deployment. Both are safe to
// repeat: cancelling a cancelled job is refused by the provider and reported; deployments use
// names (Fireworks) or request tokens (Bedrock) derived from the job's id.

async function loadJob(db: Db, id: string) {
  const job = await db.fineTuneJob.findUnique({ where: { id }, include: { connection: true } });
  if (!job) throw new NotFoundError("That fine-tune job no longer exists.");
  return job;
}

/** The short id at the end of a Fireworks resource name (accounts/a/xJobs/<id>). */
export function shortIdOf(name: string): string {
  return name.split("/").pop() ?? name;
}

export async function cancelAtProvider(db: Db, id: string): Promise<void> {
  const job = await loadJob(db, id);
  if (!job.externalId) return;
  if (job.provider === "fireworks") {
    await fireworksFor(job.connection).client.cancelJob(job.method === "rft" ? "rft" : "sft", shortIdOf(job.externalId));
  } else {
    await awsFor(job.connection).control.stopCustomizationJob(job.externalId);
  }
  await db.fineTuneJob.update({ where: { id }, data: { state: "cancelling", nextPollAt: new Date() } });
  await addEvent(db, id, { kind: "state", state: "cancelling", message: `Asked ${job.provider === "fireworks" ? "Fireworks" : "Bedrock"} to stop the job.` });
}

/** Starts the deployment of a completed job's model; on refusal the deployment is marked failed with the reason. */
export async function startDeployment(db: Db, id: string): Promise<void> {
  const job = await loadJob(db, id);
  // A deployment deleted earlier keeps its name at the provider: each deployment gets a new number.
  const resources = JSON.parse(job.resources || "{}") as Record<string, string>;
  const n = job.deploymentId ? Number(resources.deployments ?? 1) + 1 : 1;
  try {
    let deploymentId: string;
    if (job.provider === "fireworks") {
      const { client, settings } = fireworksFor(job.connection);
      const dep = await client.createDeployment(providerIdOf(job.id, n === 1 ? "dep" : `dep${n}`), {
        baseModel: job.outputModel ?? "",
        acceleratorType: settings.acceleratorType,
        minReplicaCount: 1,
        maxReplicaCount: 1,
        displayName: `${job.name} (Sandpiper)`.slice(0, 60),
      });
      deploymentId = dep.name;
    } else {
      const { control } = awsFor(job.connection);
      // The custom model is made after the job completes; deploying waits until it is Active.
      const model = await control.getCustomModel(job.outputModel ?? "");
      if (model.modelStatus === "Failed") throw new ProviderError(`Bedrock could not create the custom model${model.failureMessage ? `: ${model.failureMessage}` : "."}`);
      if (model.modelStatus !== "Active") {
        await db.fineTuneJob.update({ where: { id }, data: { deploymentState: "creating", nextPollAt: new Date() } });
        await addEvent(db, id, { kind: "message", state: null, message: `The custom model is ${model.modelStatus ?? "not ready"}; the deployment starts once it is Active.` });
        return;
      }
      const dep = await control.createCustomModelDeployment({
        modelDeploymentName: `${bedrockNameOf(job.id, "deployment").slice(0, 58)}${n === 1 ? "" : `-${n}`}`,
        modelArn: job.outputModel ?? "",
        description: `${job.name} (Sandpiper)`,
        clientRequestToken: `${job.id}-deploy-${n}`,
      });
      deploymentId = dep.customModelDeploymentArn;
    }
    await db.fineTuneJob.update({ where: { id }, data: { deploymentId, deploymentState: "creating", nextPollAt: new Date(), resources: JSON.stringify({ ...resources, deployments: String(n) }) } });
    await addEvent(db, id, { kind: "action", state: null, message: `Deployment ${shortIdOf(deploymentId)} requested; the model becomes an endpoint once it serves.` });
  } catch (error) {
    const message = (error as Error).message;
    await db.fineTuneJob.update({ where: { id }, data: { deploymentState: "failed", deploymentError: message.slice(0, 1000) } });
    await addEvent(db, id, { kind: "error", state: null, message: `Deployment refused: ${message}` });
    throw error;
  }
}

/** Deletes the model's deployment at the provider (billing for it stops); the endpoint stays, with its runs. */
export async function deleteDeploymentAtProvider(db: Db, id: string): Promise<void> {
  const job = await loadJob(db, id);
  if (!job.deploymentId) return;
  if (job.provider === "fireworks") await fireworksFor(job.connection).client.deleteDeployment(shortIdOf(job.deploymentId));
  else await awsFor(job.connection).control.deleteCustomModelDeployment(job.deploymentId);
  await db.fineTuneJob.update({ where: { id }, data: { deploymentState: "deleted" } });
  await addEvent(db, id, { kind: "action", state: null, message: `Deployment ${shortIdOf(job.deploymentId)} deleted; the provider stops billing for it. Its endpoint and evaluation runs are kept; deploy again to evaluate more.` });
}

/** The evaluator's sandbox token is only needed while the provider trains. */
export async function revokeEvaluatorToken(db: Db, id: string): Promise<void> {
  const job = await db.fineTuneJob.findUnique({ where: { id }, select: { projectId: true, datasetVersionId: true, resources: true } });
  const tokenId = job ? (JSON.parse(job.resources || "{}") as Record<string, string>).tokenId : undefined;
  if (!job || !tokenId) return;
  await revokeAccessToken(db, job.projectId, job.datasetVersionId, tokenId).catch((error: Error) =>
    // Not fatal for the job, but the token stays usable until it expires: say where to revoke it.
    addEvent(db, id, { kind: "error", state: null, message: `Could not revoke the reward evaluator's sandbox token (${error.message}); revoke it under Evaluator access on the dataset version page.` }),
  );
}

