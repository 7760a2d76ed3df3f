import "server-only";
import { AWS_SIGNATURE_ERRORS } from "@/lib/providers/server/aws-common";
import {
  BedrockClient,
  CreateCustomModelDeploymentCommand,
  CreateModelCustomizationJobCommand,
  DeleteCustomModelDeploymentCommand,
  GetCustomModelCommand,
  GetCustomModelDeploymentCommand,
  GetModelCustomizationJobCommand,
  ListModelCustomizationJobsCommand,
  StopModelCustomizationJobCommand,
  type StatusDetails,
} from "@aws-sdk/client-bedrock";
import { AppError, ProviderError, ValidationError } from "@/lib/errors";
import type { MetricPoint } from "@/lib/finetune/types";
import { findTrainingMetricsKey, findValidationMetricsKey, jobOutputPrefix, parseBedrockMetrics } from "@/lib/providers/bedrock-metrics";
import type { ConnectionTestResult } from "@/lib/providers/connections";
import { quoteOneLine } from "@/lib/providers/server/retry";
import {
  classifyAwsError,
  NO_CREDENTIALS,
  parseS3Uri,
  resolveAwsConfig,
  s3Uri,
  type AwsClientConfig,
  type AwsFailure,
  type S3Store,
} from "@/lib/providers/server/s3-store";

// Client for Amazon Bedrock's control plane as a fine-tune job uses it: create, follow and stop a
// Nova customization job, read its metrics from S3, then deploy the custom model on demand
// (reference: bedrock.md §1, §3). Retries are the SDK's own (throttling, 5xx, network errors);
// creates carry the caller's client request token, so a retried or repeated create lands once.
// Failures become ValidationErrors when the request itself was wrong (Bedrock's message quoted) and
// ProviderErrors otherwise, each saying what to do; no message holds a secret.

/** Nova Micro/Lite fine-tuning runs only here (reference §1). */
export const NOVA_CUSTOMIZATION_REGION = "us-east-1";

export type CustomizationJobStatus = "InProgress" | "Completed" | "Failed" | "Stopping" | "Stopped";

export interface CreateCustomizationJobInput {
  jobName: string;
  customModelName: string;
  /** The service role Bedrock assumes to read the data and write the output. */
  roleArn: string;
  /** A model id (amazon.nova-micro-v1:0:128k) or a foundation-model ARN. */
  baseModelIdentifier: string;
  /** A JSONL file, not a folder. */
  trainS3Uri: string;
  validationS3Uri?: string;
  /** Where Bedrock writes model-customization-job-<id>/…; a folder. */
  outputS3Uri: string;
  /** Values are strings, as Bedrock takes them (epochCount, learningRate, learningRateWarmupSteps). */
  hyperParameters: Record<string, string>;
  /** The same token returns the same job instead of creating a second one. */
  clientRequestToken: string;
}

/** Where each stage of a job is: validation of the data, data processing, training. */
export interface CustomizationStages {
  validation?: string;
  dataProcessing?: string;
  training?: string;
}

export interface CustomizationJob {
  jobArn: string;
  jobName: string;
  status: CustomizationJobStatus;
  statusDetails?: CustomizationStages;
  /** Bedrock's own words. */
  failureMessage?: string;
  /** What to do about the failure, when it is one the studio recognises. */
  failureAdvice?: string;
  outputModelArn?: string;
  outputModelName?: string;
  /** ISO 8601 */
  creationTime?: string;
  lastModifiedTime?: string;
  endTime?: string;
  trainingLoss?: number;
  validationLoss?: number;
}

export interface CustomizationJobSummary {
  jobArn: string;
  jobName: string;
  status: CustomizationJobStatus;
  baseModelArn?: string;
  customModelArn?: string;
  customModelName?: string;
  creationTime?: string;
  endTime?: string;
}

export interface CustomModel {
  modelArn: string;
  modelName: string;
  /** "Creating" | "Active" | "Failed"; must be Active to deploy. */
  modelStatus?: string;
  failureMessage?: string;
}

export interface CustomModelDeployment {
  customModelDeploymentArn?: string;
  /** "Creating" | "Active" | "Failed" */
  status: string;
  failureMessage?: string;
  modelArn: string;
}

export interface BedrockControl {
  readonly region: string;
  createCustomizationJob(input: CreateCustomizationJobInput): Promise<{ jobArn: string }>;
  getCustomizationJob(idOrArn: string): Promise<CustomizationJob>;
  stopCustomizationJob(idOrArn: string): Promise<void>;
  listCustomizationJobs(filter?: { nameContains?: string; statusEquals?: CustomizationJobStatus }): Promise<CustomizationJobSummary[]>;
  getCustomModel(idOrArn: string): Promise<CustomModel>;
  createCustomModelDeployment(input: {
    modelDeploymentName: string;
    modelArn: string;
    description?: string;
    clientRequestToken: string;
  }): Promise<{ customModelDeploymentArn: string }>;
  getCustomModelDeployment(arn: string): Promise<CustomModelDeployment>;
  deleteCustomModelDeployment(arn: string): Promise<void>;
  /** Never throws for a refusal or an unreachable service: each problem is a failed check with advice. */
  testConnection(target: { bucket: string; prefix: string; roleArn: string }, s3: S3Store): Promise<ConnectionTestResult>;
}

type Operation =
  | "CreateModelCustomizationJob"
  | "GetModelCustomizationJob"
  | "StopModelCustomizationJob"
  | "ListModelCustomizationJobs"
  | "GetCustomModel"
  | "CreateCustomModelDeployment"
  | "GetCustomModelDeployment"
  | "DeleteCustomModelDeployment";

/** What an operation works on, for messages: customization job "x". */
interface Target {
  what: string;
  id?: string;
  roleArn?: string;
}

export function createBedrockControl(config: AwsClientConfig): BedrockControl {
  const shared = resolveAwsConfig(config, config.bedrockEndpoint, "Bedrock", { limitWholeRequest: true });
  const client = new BedrockClient(shared.options);
  const { region } = shared;
  const where = shared.endpoint ? new URL(shared.endpoint).host : `bedrock.${region}.amazonaws.com`;

  async function call<T>(operation: Operation, target: Target, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw toBedrockError(classifyAwsError(error), operation, target, { region, where, scrub: shared.scrub });
    }
  }

  const required = (value: string | undefined, what: string) => {
    if (!value?.trim()) throw new ValidationError(`${what} is missing. Give it and try again.`);
    return value.trim();
  };

  return {
    region,

    createCustomizationJob: async (input) => {
      const jobName = required(input.jobName, "The job name");
      const clientRequestToken = required(input.clientRequestToken, "The client request token");
      return call("CreateModelCustomizationJob", { what: "customization job", id: jobName, roleArn: input.roleArn }, async () => {
        const out = await client.send(
          new CreateModelCustomizationJobCommand({
            jobName,
            customModelName: required(input.customModelName, "The custom model name"),
            roleArn: required(input.roleArn, "The service role ARN"),
            baseModelIdentifier: required(input.baseModelIdentifier, "The base model"),
            customizationType: "FINE_TUNING",
            trainingDataConfig: { s3Uri: required(input.trainS3Uri, "The training file's S3 URI") },
            ...(input.validationS3Uri ? { validationDataConfig: { validators: [{ s3Uri: input.validationS3Uri }] } } : {}),
            outputDataConfig: { s3Uri: required(input.outputS3Uri, "The output S3 URI") },
            hyperParameters: input.hyperParameters,
            clientRequestToken,
          }),
        );
        if (!out.jobArn) throw new ProviderError(`Bedrock created the job "${jobName}" but did not say its ARN. List the account's customization jobs to find it.`);
        return { jobArn: out.jobArn };
      });
    },

    getCustomizationJob: (idOrArn) =>
      call("GetModelCustomizationJob", { what: "customization job", id: idOrArn }, async () => {
        const out = await client.send(new GetModelCustomizationJobCommand({ jobIdentifier: required(idOrArn, "The job id") }));
        const job: CustomizationJob = {
          jobArn: out.jobArn ?? idOrArn,
          jobName: out.jobName ?? "",
          status: (out.status ?? "InProgress") as CustomizationJobStatus,
        };
        const stages = toStages(out.statusDetails);
        if (stages) job.statusDetails = stages;
        if (out.failureMessage) {
          job.failureMessage = out.failureMessage;
          const advice = adviseOnJobFailure(out.failureMessage);
          if (advice) job.failureAdvice = advice;
        }
        if (out.outputModelArn) job.outputModelArn = out.outputModelArn;
        if (out.outputModelName) job.outputModelName = out.outputModelName;
        if (out.creationTime) job.creationTime = out.creationTime.toISOString();
        if (out.lastModifiedTime) job.lastModifiedTime = out.lastModifiedTime.toISOString();
        if (out.endTime) job.endTime = out.endTime.toISOString();
        if (typeof out.trainingMetrics?.trainingLoss === "number") job.trainingLoss = out.trainingMetrics.trainingLoss;
        const validationLoss = out.validationMetrics?.find((m) => typeof m.validationLoss === "number")?.validationLoss;
        if (validationLoss !== undefined) job.validationLoss = validationLoss;
        return job;
      }),

    stopCustomizationJob: (idOrArn) =>
      call("StopModelCustomizationJob", { what: "customization job", id: idOrArn }, async () => {
        await client.send(new StopModelCustomizationJobCommand({ jobIdentifier: required(idOrArn, "The job id") }));
      }),

    listCustomizationJobs: (filter = {}) =>
      call("ListModelCustomizationJobs", { what: "customization jobs" }, async () => {
        const jobs: CustomizationJobSummary[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListModelCustomizationJobsCommand({
              ...(filter.nameContains ? { nameContains: filter.nameContains } : {}),
              ...(filter.statusEquals ? { statusEquals: filter.statusEquals } : {}),
              maxResults: 100,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          for (const s of page.modelCustomizationJobSummaries ?? []) {
            jobs.push({
              jobArn: s.jobArn ?? "",
              jobName: s.jobName ?? "",
              status: (s.status ?? "InProgress") as CustomizationJobStatus,
              ...(s.baseModelArn ? { baseModelArn: s.baseModelArn } : {}),
              ...(s.customModelArn ? { customModelArn: s.customModelArn } : {}),
              ...(s.customModelName ? { customModelName: s.customModelName } : {}),
              ...(s.creationTime ? { creationTime: s.creationTime.toISOString() } : {}),
              ...(s.endTime ? { endTime: s.endTime.toISOString() } : {}),
            });
          }
          nextToken = page.nextToken || undefined;
        } while (nextToken);
        return jobs;
      }),

    getCustomModel: (idOrArn) =>
      call("GetCustomModel", { what: "custom model", id: idOrArn }, async () => {
        const out = await client.send(new GetCustomModelCommand({ modelIdentifier: required(idOrArn, "The custom model id") }));
        return {
          modelArn: out.modelArn ?? idOrArn,
          modelName: out.modelName ?? "",
          ...(out.modelStatus ? { modelStatus: out.modelStatus } : {}),
          ...(out.failureMessage ? { failureMessage: out.failureMessage } : {}),
        };
      }),

    createCustomModelDeployment: async (input) => {
      const name = required(input.modelDeploymentName, "The deployment name");
      return call("CreateCustomModelDeployment", { what: "custom model", id: input.modelArn }, async () => {
        const out = await client.send(
          new CreateCustomModelDeploymentCommand({
            modelDeploymentName: name,
            modelArn: required(input.modelArn, "The custom model ARN"),
            ...(input.description ? { description: input.description } : {}),
            clientRequestToken: required(input.clientRequestToken, "The client request token"),
          }),
        );
        if (!out.customModelDeploymentArn) throw new ProviderError(`Bedrock created the deployment "${name}" but did not say its ARN. Look for it in the Bedrock console.`);
        return { customModelDeploymentArn: out.customModelDeploymentArn };
      });
    },

    getCustomModelDeployment: (arn) =>
      call("GetCustomModelDeployment", { what: "deployment", id: arn }, async () => {
        const out = await client.send(new GetCustomModelDeploymentCommand({ customModelDeploymentIdentifier: required(arn, "The deployment ARN") }));
        return {
          ...(out.customModelDeploymentArn ? { customModelDeploymentArn: out.customModelDeploymentArn } : {}),
          status: out.status ?? "Creating",
          ...(out.failureMessage ? { failureMessage: out.failureMessage } : {}),
          modelArn: out.modelArn ?? "",
        };
      }),

    deleteCustomModelDeployment: (arn) =>
      call("DeleteCustomModelDeployment", { what: "deployment", id: arn }, async () => {
        await client.send(new DeleteCustomModelDeploymentCommand({ customModelDeploymentIdentifier: required(arn, "The deployment ARN") }));
      }),

    testConnection: (target, s3) => testConnection(target, s3, { region, where, scrub: shared.scrub, client }),
  };
}

function toStages(details: StatusDetails | undefined): CustomizationStages | undefined {
  if (!details) return undefined;
  const stages: CustomizationStages = {};
  if (details.validationDetails?.status) stages.validation = details.validationDetails.status;
  if (details.dataProcessingDetails?.status) stages.dataProcessing = details.dataProcessingDetails.status;
  if (details.trainingDetails?.status) stages.training = details.trainingDetails.status;
  return Object.keys(stages).length ? stages : undefined;
}

/**
 * Advice for the job failures the troubleshooting pages name (reference §7); undefined for others,
 * whose own message is all there is to say.
 */
export function adviseOnJobFailure(failureMessage: string): string | undefined {
  const getObject = /Could not validate GetObject permissions to access Amazon S3 bucket: (\S+) at key (\S+)/i.exec(failureMessage);
  if (getObject) {
    return `Bedrock's service role could not read s3://${getObject[1]}/${getObject[2]}. Check that the file exists, that the role may s3:GetObject and s3:ListBucket on the bucket, that the bucket is in ${NOVA_CUSTOMIZATION_REGION}, and kms:Decrypt if it is encrypted with a KMS key.`;
  }
  if (/PutObject|write (the )?output|output (data|location)/i.test(failureMessage)) {
    return "Bedrock's service role could not write the output. Give it s3:PutObject on the output prefix, and check the bucket policy.";
  }
  if (/User:|Bot:|Assistant:|System:|<image>|<video>|\[EOS\]|<unk>|reserved/i.test(failureMessage)) {
    return "A record holds a string Nova reserves (User:, Bot:, Assistant:, System:, <image>, <video>, [EOS]); reword it in the dataset and export a new version.";
  }
  if (/validation|invalid (data|record|format|json)|samples?/i.test(failureMessage)) {
    return "Fix the dataset (the export's Bedrock check shows the same problems), export a new version and launch again.";
  }
  return undefined;
}

interface ErrorContext {
  region: string;
  where: string;
  scrub: (text: string) => string;
}

const IAM_ACTION: Record<Operation, string> = {
  CreateModelCustomizationJob: "bedrock:CreateModelCustomizationJob",
  GetModelCustomizationJob: "bedrock:GetModelCustomizationJob",
  StopModelCustomizationJob: "bedrock:StopModelCustomizationJob",
  ListModelCustomizationJobs: "bedrock:ListModelCustomizationJobs",
  GetCustomModel: "bedrock:GetCustomModel",
  CreateCustomModelDeployment: "bedrock:CreateCustomModelDeployment",
  GetCustomModelDeployment: "bedrock:GetCustomModelDeployment",
  DeleteCustomModelDeployment: "bedrock:DeleteCustomModelDeployment",
};

const CREDENTIAL_ERRORS = AWS_SIGNATURE_ERRORS;

function toBedrockError(failure: AwsFailure, operation: Operation, target: Target, context: ErrorContext): AppError {
  const { region, where } = context;
  const code = failure.status !== undefined ? `${failure.status} ${failure.name}` : failure.name;
  const quoted = failure.detail ? `"${failure.detail}"` : `(${code})`;
  const said = failure.detail ? ` Bedrock said: "${failure.detail}"` : "";
  const subject = target.id ? `${target.what} "${quoteOneLine(target.id, 160)}"` : target.what;
  const details = {
    service: "bedrock",
    operation,
    awsError: failure.name,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    region,
    attempts: failure.attempts,
  };
  const provider = (message: string) => new ProviderError(context.scrub(message), details);

  if (failure.kind === "no_credentials") return provider(NO_CREDENTIALS);
  if (failure.kind === "network") {
    return provider(`Could not reach Bedrock at ${where} (${failure.detail}) after ${failure.attempts} attempts. Check the region and the Bedrock endpoint URL, and that the server can reach AWS.`);
  }
  if (failure.kind === "timeout") return provider(`Bedrock at ${where} did not answer ${operation} in time. Try again, or check the Bedrock endpoint URL.`);

  const name = failure.name;
  if (name === "ValidationException" || (failure.status === 400 && !CREDENTIAL_ERRORS.has(name) && name !== "ServiceQuotaExceededException" && name !== "ConflictException")) {
    return new ValidationError(context.scrub(`Bedrock refused ${operation}: ${quoted}. ${adviseOnValidation(failure.detail, operation)}`), details);
  }
  if (CREDENTIAL_ERRORS.has(name) || failure.status === 401) {
    return provider(`Bedrock did not accept the AWS credentials (${code}). Check the access key id and secret in the connection (or the server's credentials) and that they are for region ${region}.${said}`);
  }
  if (name === "AccessDeniedException" || failure.status === 403) {
    const passRole =
      operation === "CreateModelCustomizationJob"
        ? ` and iam:PassRole on the service role${target.roleArn ? ` ${target.roleArn}` : ""}; the role must trust bedrock.amazonaws.com and may s3:GetObject and s3:ListBucket the data (else the job fails with "Could not validate GetObject permissions to access Amazon S3 bucket") and s3:PutObject the output`
        : "";
    return provider(`Bedrock refused ${operation} (${code}). Give these credentials ${IAM_ACTION[operation]}${passRole}.${said}`);
  }
  if (name === "ResourceNotFoundException" || failure.status === 404) {
    return provider(`Bedrock has no ${subject} in ${region} (${code}). Check the id and the connection's region; it may have been deleted.${said}`);
  }
  if (name === "ConflictException" || failure.status === 409) {
    return provider(`Bedrock refused ${operation} (${code}): ${quoted}. Use another name, or wait for the operation already under way to finish.`);
  }
  if (name === "ServiceQuotaExceededException") {
    return provider(`The AWS account's Bedrock quota is used up for ${operation} (${code}): ${quoted}. Stop or delete jobs and deployments you no longer need, or request a higher quota in Service Quotas.`);
  }
  if (name === "ThrottlingException" || failure.status === 429) {
    return provider(`Bedrock kept throttling ${operation} (${code}) after ${failure.attempts} attempts. Wait a minute and try again.${said}`);
  }
  if (failure.status !== undefined && failure.status >= 500) {
    return provider(`Bedrock failed ${operation} with ${code} after ${failure.attempts} attempts. Try again later.${said}`);
  }
  return provider(`Bedrock answered ${operation} with ${code}.${said}`);
}

function adviseOnValidation(detail: string, operation: Operation): string {
  if (/model identifier/i.test(detail)) {
    return `Use a Nova Micro or Nova Lite id (amazon.nova-micro-v1:0:128k, amazon.nova-lite-v1:0:300k) and a connection in ${NOVA_CUSTOMIZATION_REGION}, where Nova fine-tuning runs.`;
  }
  if (/should be a file|not a directory/i.test(detail)) return "Point the training and validation data at JSONL files, not at folders.";
  if (/s3 ?uri/i.test(detail)) return "Write S3 locations as s3://bucket/key with letters, digits and _ - / . in the key.";
  if (/epochCount|learningRate|WarmupSteps|hyper ?parameter/i.test(detail)) {
    return "Nova accepts epochCount 1–5, learningRate 0.000001–0.0001 and learningRateWarmupSteps 0–100; change the job's settings.";
  }
  if (/roleArn|role/i.test(detail)) return "Give the ARN of the IAM role Bedrock assumes, like arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole.";
  if (/not (in )?active|Creating|status/i.test(detail) && operation === "CreateCustomModelDeployment") {
    return "The custom model must be Active before it can be deployed; wait for it and try again.";
  }
  return "Fix the request and try again.";
}

// ---- Connection test ----------------------------------------------------------------------------

interface TestContext extends ErrorContext {
  client: BedrockClient;
}

async function testConnection(target: { bucket: string; prefix: string; roleArn: string }, s3: S3Store, context: TestContext): Promise<ConnectionTestResult> {
  const checks: ConnectionTestResult["checks"] = [];
  // Anything thrown is already a message for the user; anything else is reported, not thrown.
  const problem = (error: unknown) => (error instanceof AppError ? error.message : context.scrub(`Unexpected failure: ${quoteOneLine(String(error), 200)}`));
  const prefix = target.prefix.replace(/^\/+|\/+$/g, "");

  let bucketOk = false;
  try {
    await s3.headBucket(target.bucket);
    bucketOk = true;
    checks.push({ name: "S3 bucket", ok: true, detail: `s3://${target.bucket} answers.` });
  } catch (error) {
    checks.push({ name: "S3 bucket", ok: false, detail: problem(error) });
  }

  if (bucketOk) {
    const probeKey = `${prefix ? `${prefix}/` : ""}.sandpiper-connection-test-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.txt`;
    try {
      await s3.putObject(target.bucket, probeKey, "Sandpiper connection test; safe to delete.\n", "text/plain");
      try {
        await s3.deleteObject(target.bucket, probeKey);
        checks.push({ name: "S3 write", ok: true, detail: `Wrote and deleted a probe object under ${s3Uri(target.bucket, prefix ? `${prefix}/` : "")}.` });
      } catch (error) {
        checks.push({ name: "S3 write", ok: false, detail: `Wrote ${s3Uri(target.bucket, probeKey)} but could not delete it: ${problem(error)}` });
      }
    } catch (error) {
      checks.push({ name: "S3 write", ok: false, detail: problem(error) });
    }
  } else {
    checks.push({ name: "S3 write", ok: false, detail: "Not tried: the bucket did not answer." });
  }

  try {
    const out = await context.client.send(new ListModelCustomizationJobsCommand({ maxResults: 1 }));
    const seen = out.modelCustomizationJobSummaries?.length ?? 0;
    checks.push({ name: "Bedrock", ok: true, detail: `The Bedrock control plane in ${context.region} answers (${seen ? "customization jobs are visible" : "no customization jobs yet"}).` });
  } catch (error) {
    const failure = toBedrockError(classifyAwsError(error), "ListModelCustomizationJobs", { what: "customization jobs" }, context);
    checks.push({ name: "Bedrock", ok: false, detail: failure.message });
  }

  const roleOk = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(target.roleArn.trim());
  checks.push({
    name: "Service role",
    ok: roleOk,
    detail: roleOk
      ? "The role ARN is well formed. Bedrock checks that it trusts bedrock.amazonaws.com, and that these credentials may iam:PassRole it, when a job is created."
      : `"${quoteOneLine(target.roleArn, 160)}" is not an IAM role ARN. Give one like arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole.`,
  });

  // A warning: the connection works, but Nova jobs can only be created from us-east-1.
  const regionOk = context.region === NOVA_CUSTOMIZATION_REGION;
  checks.push({
    name: "Region",
    ok: regionOk,
    detail: regionOk
      ? `Nova Micro and Nova Lite fine-tuning runs in ${NOVA_CUSTOMIZATION_REGION}.`
      : `Warning: Nova Micro and Nova Lite fine-tuning runs only in ${NOVA_CUSTOMIZATION_REGION}; jobs from ${context.region} will be refused. Use ${NOVA_CUSTOMIZATION_REGION} for fine-tuning connections.`,
  });

  const failed = checks.filter((check) => !check.ok && check.name !== "Region");
  const ok = failed.length === 0;
  const message = ok
    ? `S3 and Bedrock answered in ${context.region}${regionOk ? "" : `; warning: Nova fine-tuning runs only in ${NOVA_CUSTOMIZATION_REGION}`}.`
    : `${failed.length} of ${checks.length} checks failed: ${failed[0].name}: ${failed[0].detail}`;
  return { ok, message: quoteOneLine(message, 500), checks };
}

// ---- Metrics ------------------------------------------------------------------------------------

/**
 * A job's curves as far as Bedrock has written them to its output: the step-wise training CSV and
 * the post-fine-tuning validation CSV, found by listing the job's folder (the validation file's
 * folder varies). [] while neither exists (the job is still initialising).
 */
export async function readTrainingMetrics(s3: S3Store, outputS3Uri: string, jobArn: string): Promise<MetricPoint[]> {
  const { bucket, key } = parseS3Uri(outputS3Uri);
  const jobPrefix = jobOutputPrefix(key, jobArn);
  const keys = await s3.listKeys(bucket, jobPrefix);
  const trainingKey = findTrainingMetricsKey(keys, jobPrefix);
  const validationKey = findValidationMetricsKey(keys, jobPrefix);
  const [training, validation] = await Promise.all([
    trainingKey ? s3.getObjectText(bucket, trainingKey) : null,
    validationKey ? s3.getObjectText(bucket, validationKey) : null,
  ]);
  return parseBedrockMetrics(training ?? undefined, validation ?? undefined);
}
