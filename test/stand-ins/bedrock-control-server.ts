// A local stand-in for the Amazon Bedrock control plane as a Nova fine-tune uses it, for tests
// without network access (moto's Bedrock jobs never finish and it has no deployments: see the
// Bedrock reference §6). It implements the routes of reference §6 over HTTP/1.1, as the SDK's
// Bedrock client talks to the service: SigV4 verified, errors as JSON {message} with the name in
// x-amzn-ErrorType, ISO timestamps, maxResults/nextToken pages.
//
// It checks what the real service checks and fails where it fails: the request's shape and Nova's
// hyperparameter ranges at create time; the data files when the job runs, reading them from S3
// (moto) with the S3 client, so a missing object or a bad record fails the job as Bedrock does.
// Jobs move when they are polled: each GET of a job is one step of validation → data processing →
// training (writing step_wise_training_metrics.csv to the job's S3 output as it goes) → Completed
// (validation_metrics.csv written, the custom model created: Creating, then Active when polled).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { validateBedrockLines, type BedrockModel } from "@/lib/datasets/export-bedrock";
import { readBody } from "./read-body";
import { listenLocal } from "./serve";
import { safeDecode, verifySigV4 } from "./sigv4";

export const STANDIN_ACCOUNT = "123456789012";

export interface BedrockControlStandInOptions {
  /** The S3 the jobs read their data from and write their metrics to (moto). */
  s3: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Region requests must be signed for. Default "us-east-1". */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** GETs of a job spent in progress (1 validation, 2 data processing, then training); the next one ends it. Default 4. */
  completeAfterPolls?: number;
  /** GETs of a deployment answered "Creating"; the next one is "Active". Default 1. */
  deployAfterPolls?: number;
  /** GETs of a new custom model answered "Creating"; the next one is "Active". Default 1. */
  modelActiveAfterPolls?: number;
  /** How a job that got through validation ends. Default: completes. */
  jobOutcome?: (job: StandInJob) => "complete" | "fail";
  /** Where the validation metrics go under the job's folder. Default: the documented path. */
  validationMetricsPath?: string;
}

export type JobStatus = "InProgress" | "Completed" | "Failed" | "Stopping" | "Stopped";
type StageStatus = "NotStarted" | "InProgress" | "Completed" | "Failed" | "Stopping" | "Stopped";

export interface StandInJob {
  jobArn: string;
  jobId: string;
  jobName: string;
  customModelName: string;
  roleArn: string;
  baseModelArn: string;
  model: BedrockModel;
  clientRequestToken?: string;
  trainS3Uri: string;
  validationS3Uris: string[];
  outputS3Uri: string;
  hyperParameters: Record<string, string>;
  status: JobStatus;
  stages: { validation: StageStatus; dataProcessing: StageStatus; training: StageStatus };
  failureMessage?: string;
  /** Decided at create time from the data; shown when the job is first polled, as validation fails. */
  dataProblem?: string;
  trainSamples: number;
  polls: number;
  stepsWritten: number;
  trainingLoss?: number;
  validationLoss?: number;
  outputModelArn?: string;
  outputModelName: string;
  creationTime: Date;
  lastModifiedTime: Date;
  endTime?: Date;
}

export interface StandInModel {
  modelArn: string;
  modelName: string;
  jobArn: string;
  jobName: string;
  baseModelArn: string;
  status: "Creating" | "Active" | "Failed";
  polls: number;
  creationTime: Date;
}

export interface StandInDeployment {
  arn: string;
  name: string;
  modelArn: string;
  description?: string;
  clientRequestToken?: string;
  status: "Creating" | "Active" | "Failed";
  polls: number;
  createdAt: Date;
  lastUpdatedAt: Date;
}

export interface RecordedControlRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  accessKeyId?: string;
  status: number;
  errorType?: string;
}

export interface BedrockControlStandIn {
  /** For the SDK's `endpoint` option. */
  url: string;
  state: { jobs: StandInJob[]; models: StandInModel[]; deployments: StandInDeployment[] };
  requests: RecordedControlRequest[];
  /** The next n authenticated requests answer 429 ThrottlingException. */
  throttleNext(n: number): void;
  /**
   * The next n authenticated requests answer `status` (default 500) with the error `type`
   * (default from the status: InternalServerException, ServiceUnavailableException for 503,
   * AccessDeniedException for 403) and `message` (default: what Bedrock says for it).
   */
  failNext(n: number, status?: number, type?: string, message?: string): void;
  close(): Promise<void>;
}

const NOVA_MODELS: Record<string, BedrockModel> = {
  "amazon.nova-micro-v1:0:128k": "nova-micro",
  "amazon.nova-lite-v1:0:300k": "nova-lite",
};

/** Nova's documented hyperparameters (reference §1): integer or float, inclusive range. batchSize is tolerated at "1". */
const HYPERPARAMETERS: Record<string, { min: number; max: number; integer: boolean }> = {
  epochCount: { min: 1, max: 5, integer: true },
  learningRate: { min: 1e-6, max: 1e-4, integer: false },
  learningRateWarmupSteps: { min: 0, max: 100, integer: true },
};

const FAILURE_MESSAGES: Record<string, string> = {
  InternalServerException: "The server encountered an internal error while processing the request.",
  ServiceUnavailableException: "The service is temporarily unable to handle the request.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ServiceQuotaExceededException: "The number of model customization jobs in progress exceeds the service quota for this account.",
};

const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9+\-.])*$/;
const DEPLOYMENT_NAME_PATTERN = /^([0-9a-zA-Z][_-]?){1,63}$/;
const ROLE_PATTERN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
const S3_URI_PATTERN = /^s3:\/\/[a-z0-9][-.a-z0-9]{1,61}(?:\/[-!_*'().a-z0-9A-Z]+(?:\/[-!_*'().a-z0-9A-Z]+)*)?\/?$/;
const FOUNDATION_ARN = /^arn:aws(-[^:]+)?:bedrock:([a-z0-9-]+)::foundation-model\/(.+)$/;

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new ServiceError(400, "ValidationException", message);
const notFound = (message: string) => new ServiceError(404, "ResourceNotFoundException", message);
const conflict = (message: string) => new ServiceError(409, "ConflictException", message);

export async function startBedrockControlStandIn(options: BedrockControlStandInOptions): Promise<BedrockControlStandIn> {
  const region = options.region ?? "us-east-1";
  const accessKeyId = options.accessKeyId ?? "AKIASTANDIN000000001";
  const secretAccessKey = options.secretAccessKey ?? "standin/secret/access/key/0000000000000";
  const completeAfterPolls = Math.max(1, options.completeAfterPolls ?? 4);
  const deployAfterPolls = options.deployAfterPolls ?? 1;
  const modelActiveAfterPolls = options.modelActiveAfterPolls ?? 1;
  const validationMetricsPath = options.validationMetricsPath ?? "validation_artifacts/post_fine_tuning_validation/validation_metrics.csv";
  const s3 = new S3Client({ region: options.s3.region, endpoint: options.s3.endpoint, forcePathStyle: true, credentials: options.s3.credentials });
  const state: BedrockControlStandIn["state"] = { jobs: [], models: [], deployments: [] };
  const requests: RecordedControlRequest[] = [];
  let throttle = 0;
  let failures = 0;
  let failStatus = 500;
  let failType: string | undefined;
  let failMessage: string | undefined;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalServerException", `The stand-in failed: ${String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stand-in");
    const record: RecordedControlRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw,
      status: 0,
    };
    requests.push(record);
    const fail = (status: number, type: string, message: string) => {
      record.status = status;
      record.errorType = type;
      sendError(res, status, type, message);
    };

    // AWS authenticates a request before it looks at the route or the body.
    const auth = verifySigV4(req, raw, { accessKeyId, secretAccessKey, region, service: "bedrock" });
    record.accessKeyId = auth.accessKeyId;
    if (auth.problem) return fail(auth.problem.status, auth.problem.type, auth.problem.message);
    if (throttle > 0) {
      throttle--;
      return fail(429, "ThrottlingException", "Too many requests, please wait before trying again.");
    }
    if (failures > 0) {
      failures--;
      const type = failType ?? (failStatus === 503 ? "ServiceUnavailableException" : failStatus === 403 ? "AccessDeniedException" : "InternalServerException");
      return fail(failStatus, type, failMessage ?? FAILURE_MESSAGES[type] ?? `${type}.`);
    }

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Record<string, unknown>;
        record.body = body;
      } catch {
        return fail(400, "SerializationException", "Could not parse the request body as JSON.");
      }
    }

    try {
      const [status, payload] = await route(req.method ?? "", url, body);
      record.status = status;
      sendJson(res, status, payload);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error.status, error.type, error.message);
      throw error;
    }
  }

  async function route(method: string, url: URL, body: Record<string, unknown>): Promise<[number, unknown]> {
    const segments = url.pathname.split("/").filter(Boolean).map(safeDecode);
    const path = segments.join("/");
    if (method === "POST" && path === "model-customization-jobs") return [201, await createJob(body)];
    if (method === "GET" && path === "model-customization-jobs") return [200, listJobs(url.searchParams)];
    if (segments[0] === "model-customization-jobs" && segments.length === 2 && method === "GET") return [200, await getJob(segments[1])];
    if (segments[0] === "model-customization-jobs" && segments.length === 3 && segments[2] === "stop" && method === "POST") return [200, stopJob(segments[1])];
    if (segments[0] === "custom-models" && segments.length === 2 && method === "GET") return [200, getModel(segments[1])];
    if (path === "model-customization/custom-model-deployments") {
      if (method === "POST") return [202, createDeployment(body)];
      if (method === "GET") return [200, listDeployments(url.searchParams)];
    }
    if (path.startsWith("model-customization/custom-model-deployments/") && segments.length === 3) {
      if (method === "GET") return [200, getDeployment(segments[2])];
      if (method === "DELETE") return [200, deleteDeployment(segments[2])];
    }
    if (method === "GET" && path === "foundation-models") return [200, listFoundationModels(url.searchParams)];
    throw new ServiceError(404, "UnknownOperationException", `No operation at ${method} ${url.pathname}.`);
  }

  // ---- Customization jobs ----------------------------------------------------------------------

  async function createJob(body: Record<string, unknown>): Promise<unknown> {
    const jobName = requireString(body, "jobName");
    const customModelName = requireString(body, "customModelName");
    const roleArn = requireString(body, "roleArn");
    const baseModelIdentifier = requireString(body, "baseModelIdentifier");
    const trainingDataConfig = body.trainingDataConfig as { s3Uri?: unknown } | undefined;
    if (!trainingDataConfig) throw validation("1 validation error detected: Value null at 'trainingDataConfig' failed to satisfy constraint: Member must not be null");
    const outputDataConfig = body.outputDataConfig as { s3Uri?: unknown } | undefined;
    if (!outputDataConfig) throw validation("1 validation error detected: Value null at 'outputDataConfig' failed to satisfy constraint: Member must not be null");
    for (const [field, value] of [
      ["jobName", jobName],
      ["customModelName", customModelName],
    ] as const) {
      if (value.length > 63 || !NAME_PATTERN.test(value)) {
        throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9\\+\\-\\.])*`);
      }
    }
    if (!ROLE_PATTERN.test(roleArn)) {
      throw validation(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$`);
    }
    const customizationType = body.customizationType ?? "FINE_TUNING";
    if (customizationType !== "FINE_TUNING") throw validation(`The customization type ${String(customizationType)} is not supported for the provided base model.`);
    const baseModel = resolveBaseModel(baseModelIdentifier);
    if (!baseModel) throw validation("The provided model identifier is invalid.");

    const trainS3Uri = checkUri(trainingDataConfig.s3Uri, "trainingDataConfig.s3Uri");
    if (trainS3Uri.endsWith("/")) throw validation("Invalid training input data configuration. Check the input data S3 Uris(Uri should be a file, not a directory)");
    const validators = (body.validationDataConfig as { validators?: { s3Uri?: unknown }[] } | undefined)?.validators ?? [];
    if (!Array.isArray(validators) || validators.length > 10) throw validation("1 validation error detected: Value at 'validationDataConfig.validators' failed to satisfy constraint: Member must have length less than or equal to 10");
    const validationS3Uris = validators.map((v, i) => checkUri(v?.s3Uri, `validationDataConfig.validators.${i + 1}.member.s3Uri`));
    if (validationS3Uris.some((uri) => uri.endsWith("/"))) {
      throw validation("Invalid validation input data configuration. Check the input data S3 Uris(Uri should be a file, not a directory)");
    }
    const outputS3Uri = checkUri(outputDataConfig.s3Uri, "outputDataConfig.s3Uri");
    const hyperParameters = checkHyperParameters(body.hyperParameters);

    const token = typeof body.clientRequestToken === "string" ? body.clientRequestToken : undefined;
    const sameToken = token ? state.jobs.find((job) => job.clientRequestToken === token) : undefined;
    if (sameToken) {
      if (sameToken.jobName !== jobName) throw conflict("The client request token was already used for a different request.");
      return { jobArn: sameToken.jobArn };
    }
    if (state.jobs.some((job) => job.jobName === jobName)) {
      throw conflict(`A model customization job with the name ${jobName} already exists. Use a unique job name and try again.`);
    }
    if (state.models.some((model) => model.modelName === customModelName) || state.jobs.some((job) => job.customModelName === customModelName && job.status !== "Failed" && job.status !== "Stopped")) {
      throw conflict(`A custom model with the name ${customModelName} already exists. Use a unique model name and try again.`);
    }

    const jobId = randomId();
    const now = new Date();
    const job: StandInJob = {
      jobArn: `arn:aws:bedrock:${region}:${STANDIN_ACCOUNT}:model-customization-job/${baseModel.id}/${jobId}`,
      jobId,
      jobName,
      customModelName,
      roleArn,
      baseModelArn: baseModel.arn,
      model: baseModel.model,
      ...(token ? { clientRequestToken: token } : {}),
      trainS3Uri,
      validationS3Uris,
      outputS3Uri,
      hyperParameters,
      status: "InProgress",
      stages: { validation: "InProgress", dataProcessing: "NotStarted", training: "NotStarted" },
      trainSamples: 0,
      polls: 0,
      stepsWritten: 0,
      outputModelName: customModelName,
      creationTime: now,
      lastModifiedTime: now,
    };
    // The service reads the data with the job's role once the job starts; the stand-in reads it now
    // and lets the first poll show the outcome.
    const train = await readData(trainS3Uri, "train", job.model);
    job.trainSamples = train.samples;
    job.dataProblem = train.problem;
    for (const uri of validationS3Uris) {
      if (job.dataProblem) break;
      job.dataProblem = (await readData(uri, "validation", job.model)).problem;
    }
    state.jobs.push(job);
    return { jobArn: job.jobArn };
  }

  async function readData(uri: string, part: "train" | "validation", model: BedrockModel): Promise<{ samples: number; problem?: string }> {
    const { bucket, key } = splitUri(uri);
    let text: string;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await out.Body?.transformToString("utf-8")) ?? "";
    } catch {
      return { samples: 0, problem: `Could not validate GetObject permissions to access Amazon S3 bucket: ${bucket} at key ${key}` };
    }
    const lines = text.split(/\r?\n/);
    while (lines.length && lines.at(-1)!.trim() === "") lines.pop();
    const first = validateBedrockLines(lines, { part, model, limit: 1 }).errors[0];
    if (!first) return { samples: lines.length };
    const file = part === "train" ? "training" : "validation";
    return { samples: lines.length, problem: `Data validation failed for the ${file} data: ${first.line ? `line ${first.line}: ` : ""}${first.message}.` };
  }

  function findJob(identifier: string): StandInJob {
    const job = state.jobs.find((j) => j.jobArn === identifier || j.jobName === identifier || j.jobId === identifier);
    if (!job) throw notFound(`Could not find a model customization job with the identifier ${identifier}.`);
    return job;
  }

  async function getJob(identifier: string): Promise<unknown> {
    const job = findJob(identifier);
    await advanceJob(job);
    return jobView(job);
  }

  /** One poll's worth of progress. */
  async function advanceJob(job: StandInJob): Promise<void> {
    const now = new Date();
    if (job.status === "Stopping") {
      job.status = "Stopped";
      for (const stage of ["validation", "dataProcessing", "training"] as const) if (job.stages[stage] === "InProgress") job.stages[stage] = "Stopped";
      job.endTime = now;
      job.lastModifiedTime = now;
      return;
    }
    if (job.status !== "InProgress") return;
    job.polls++;
    job.lastModifiedTime = now;
    if (job.dataProblem) {
      job.status = "Failed";
      job.stages.validation = "Failed";
      job.failureMessage = job.dataProblem;
      job.endTime = now;
      return;
    }
    if (job.polls > completeAfterPolls) {
      job.stages = { validation: "Completed", dataProcessing: "Completed", training: "Completed" };
      await writeTrainingMetrics(job, totalSteps(job));
      if ((options.jobOutcome?.(job) ?? "complete") === "fail") {
        job.status = "Failed";
        job.stages.training = "Failed";
        job.failureMessage = "An internal error occurred during training. Retry the job; if it fails again, contact AWS Support.";
        job.endTime = now;
        return;
      }
      await writeValidationMetrics(job);
      const modelArn = `arn:aws:bedrock:${region}:${STANDIN_ACCOUNT}:custom-model/${job.baseModelArn.split("/").pop()}/${randomId()}`;
      state.models.push({ modelArn, modelName: job.customModelName, jobArn: job.jobArn, jobName: job.jobName, baseModelArn: job.baseModelArn, status: "Creating", polls: 0, creationTime: now });
      job.outputModelArn = modelArn;
      job.status = "Completed";
      job.endTime = now;
      return;
    }
    if (job.polls === 1) job.stages.validation = "InProgress";
    else if (job.polls === 2) job.stages = { validation: "Completed", dataProcessing: "InProgress", training: "NotStarted" };
    else {
      job.stages = { validation: "Completed", dataProcessing: "Completed", training: "InProgress" };
      // Training polls reveal the steps a share at a time; the rest are written at the end.
      const trainingPolls = Math.max(1, completeAfterPolls - 2);
      const done = job.polls - 2;
      await writeTrainingMetrics(job, Math.max(1, Math.floor((totalSteps(job) * done) / (trainingPolls + 1))));
    }
  }

  function totalSteps(job: StandInJob): number {
    const epochs = Number(job.hyperParameters.epochCount ?? "2");
    return epochs * Math.max(1, Math.ceil(job.trainSamples / 4));
  }

  const lossAt = (step: number, total: number) => Number((0.35 + 1.6 * Math.exp((-3 * step) / Math.max(1, total))).toFixed(4));

  async function writeTrainingMetrics(job: StandInJob, steps: number): Promise<void> {
    const total = totalSteps(job);
    const upTo = Math.min(total, steps);
    if (upTo <= job.stepsWritten && job.stepsWritten > 0) return;
    const perEpoch = total / Number(job.hyperParameters.epochCount ?? "2");
    const rows = ["step_number,epoch_number,training_loss,perplexity"];
    for (let step = 0; step < upTo; step++) {
      const loss = lossAt(step, total);
      rows.push(`${step},${Math.floor(step / perEpoch)},${loss},${Math.exp(loss).toFixed(4)}`);
    }
    job.stepsWritten = upTo;
    job.trainingLoss = lossAt(upTo - 1, total);
    await putOutput(job, "training_artifacts/step_wise_training_metrics.csv", `${rows.join("\n")}\n`);
  }

  async function writeValidationMetrics(job: StandInJob): Promise<void> {
    if (job.validationS3Uris.length === 0) return;
    const loss = Number(((job.trainingLoss ?? 1) + 0.05).toFixed(4));
    job.validationLoss = loss;
    await putOutput(job, validationMetricsPath, `validation_loss,perplexity\n${loss},${Math.exp(loss).toFixed(4)}\n`);
  }

  async function putOutput(job: StandInJob, path: string, text: string): Promise<void> {
    const { bucket, key } = splitUri(job.outputS3Uri);
    const base = key && !key.endsWith("/") ? `${key}/` : key;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${base}model-customization-job-${job.jobId}/${path}`, Body: text, ContentType: "text/csv" }));
  }

  function stopJob(identifier: string): unknown {
    const job = findJob(identifier);
    if (job.status !== "InProgress") throw validation(`The model customization job ${job.jobName} is ${job.status} and cannot be stopped. Only jobs in progress can be stopped.`);
    job.status = "Stopping";
    job.lastModifiedTime = new Date();
    return {};
  }

  function jobView(job: StandInJob): Record<string, unknown> {
    const stage = (status: StageStatus) => ({ status, creationTime: iso(job.creationTime), lastModifiedTime: iso(job.lastModifiedTime) });
    return {
      jobArn: job.jobArn,
      jobName: job.jobName,
      outputModelName: job.outputModelName,
      ...(job.outputModelArn ? { outputModelArn: job.outputModelArn } : {}),
      ...(job.clientRequestToken ? { clientRequestToken: job.clientRequestToken } : {}),
      roleArn: job.roleArn,
      status: job.status,
      statusDetails: {
        validationDetails: stage(job.stages.validation),
        dataProcessingDetails: stage(job.stages.dataProcessing),
        trainingDetails: stage(job.stages.training),
      },
      ...(job.failureMessage ? { failureMessage: job.failureMessage } : {}),
      creationTime: iso(job.creationTime),
      lastModifiedTime: iso(job.lastModifiedTime),
      ...(job.endTime ? { endTime: iso(job.endTime) } : {}),
      baseModelArn: job.baseModelArn,
      hyperParameters: job.hyperParameters,
      trainingDataConfig: { s3Uri: job.trainS3Uri },
      validationDataConfig: { validators: job.validationS3Uris.map((s3Uri) => ({ s3Uri })) },
      outputDataConfig: { s3Uri: job.outputS3Uri },
      customizationType: "FINE_TUNING",
      ...(job.status === "Completed" && job.trainingLoss !== undefined ? { trainingMetrics: { trainingLoss: job.trainingLoss } } : {}),
      ...(job.status === "Completed" && job.validationLoss !== undefined ? { validationMetrics: [{ validationLoss: job.validationLoss }] } : {}),
    };
  }

  function listJobs(query: URLSearchParams): unknown {
    const status = query.get("statusEquals");
    const name = query.get("nameContains");
    const descending = (query.get("sortOrder") ?? "Descending") === "Descending";
    const jobs = state.jobs
      .filter((job) => (!status || job.status === status) && (!name || job.jobName.includes(name)))
      .sort((a, b) => (a.creationTime.getTime() - b.creationTime.getTime()) * (descending ? -1 : 1));
    const { items, nextToken } = page(jobs, query);
    return {
      modelCustomizationJobSummaries: items.map((job) => ({
        jobArn: job.jobArn,
        baseModelArn: job.baseModelArn,
        jobName: job.jobName,
        status: job.status,
        creationTime: iso(job.creationTime),
        lastModifiedTime: iso(job.lastModifiedTime),
        ...(job.endTime ? { endTime: iso(job.endTime) } : {}),
        ...(job.outputModelArn ? { customModelArn: job.outputModelArn } : {}),
        customModelName: job.customModelName,
        customizationType: "FINE_TUNING",
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  // ---- Custom models and deployments -----------------------------------------------------------

  function findModel(identifier: string): StandInModel | undefined {
    return state.models.find((m) => m.modelArn === identifier || m.modelName === identifier);
  }

  function getModel(identifier: string): unknown {
    const model = findModel(identifier);
    if (!model) throw notFound(`Could not find a custom model with the identifier ${identifier}.`);
    model.polls++;
    if (model.status === "Creating" && model.polls > modelActiveAfterPolls) model.status = "Active";
    const job = state.jobs.find((j) => j.jobArn === model.jobArn);
    return {
      modelArn: model.modelArn,
      modelName: model.modelName,
      jobName: model.jobName,
      jobArn: model.jobArn,
      baseModelArn: model.baseModelArn,
      customizationType: "FINE_TUNING",
      modelStatus: model.status,
      creationTime: iso(model.creationTime),
      ...(job ? { hyperParameters: job.hyperParameters, trainingDataConfig: { s3Uri: job.trainS3Uri }, outputDataConfig: { s3Uri: job.outputS3Uri } } : {}),
    };
  }

  function createDeployment(body: Record<string, unknown>): unknown {
    const name = requireString(body, "modelDeploymentName");
    const modelArn = requireString(body, "modelArn");
    if (!DEPLOYMENT_NAME_PATTERN.test(name)) {
      throw validation(`1 validation error detected: Value '${name}' at 'modelDeploymentName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([0-9a-zA-Z][_-]?){1,63}$`);
    }
    const token = typeof body.clientRequestToken === "string" ? body.clientRequestToken : undefined;
    const sameToken = token ? state.deployments.find((d) => d.clientRequestToken === token) : undefined;
    if (sameToken) return { customModelDeploymentArn: sameToken.arn };
    const model = state.models.find((m) => m.modelArn === modelArn);
    if (!model) throw notFound(`The specified model ARN ${modelArn} was not found. Check the ARN and try your request again.`);
    if (model.status !== "Active") throw validation(`The model ${modelArn} is in ${model.status} status. A custom model must be Active before it can be deployed.`);
    if (state.deployments.some((d) => d.name === name)) throw conflict(`A custom model deployment with the name ${name} already exists. Use a unique name and try again.`);
    const now = new Date();
    const deployment: StandInDeployment = {
      arn: `arn:aws:bedrock:${region}:${STANDIN_ACCOUNT}:custom-model-deployment/${randomId()}`,
      name,
      modelArn,
      ...(typeof body.description === "string" ? { description: body.description } : {}),
      ...(token ? { clientRequestToken: token } : {}),
      status: "Creating",
      polls: 0,
      createdAt: now,
      lastUpdatedAt: now,
    };
    state.deployments.push(deployment);
    return { customModelDeploymentArn: deployment.arn };
  }

  function findDeployment(identifier: string): StandInDeployment {
    const deployment = state.deployments.find((d) => d.arn === identifier || d.name === identifier);
    if (!deployment) throw notFound(`Could not find a custom model deployment with the identifier ${identifier}.`);
    return deployment;
  }

  function getDeployment(identifier: string): unknown {
    const deployment = findDeployment(identifier);
    deployment.polls++;
    if (deployment.status === "Creating" && deployment.polls > deployAfterPolls) {
      deployment.status = "Active";
      deployment.lastUpdatedAt = new Date();
    }
    return {
      customModelDeploymentArn: deployment.arn,
      modelDeploymentName: deployment.name,
      modelArn: deployment.modelArn,
      createdAt: iso(deployment.createdAt),
      status: deployment.status,
      ...(deployment.description ? { description: deployment.description } : {}),
      lastUpdatedAt: iso(deployment.lastUpdatedAt),
    };
  }

  function deleteDeployment(identifier: string): unknown {
    const deployment = findDeployment(identifier);
    state.deployments.splice(state.deployments.indexOf(deployment), 1);
    return {};
  }

  function listDeployments(query: URLSearchParams): unknown {
    const { items, nextToken } = page(state.deployments, query);
    return {
      modelDeploymentSummaries: items.map((d) => ({
        customModelDeploymentArn: d.arn,
        customModelDeploymentName: d.name,
        modelArn: d.modelArn,
        createdAt: iso(d.createdAt),
        status: d.status,
        lastUpdatedAt: iso(d.lastUpdatedAt),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  function listFoundationModels(query: URLSearchParams): unknown {
    const byCustomization = query.get("byCustomizationType");
    const models = Object.entries(NOVA_MODELS).map(([id, model]) => ({
      modelArn: `arn:aws:bedrock:${region}::foundation-model/${id}`,
      modelId: id,
      modelName: model === "nova-micro" ? "Nova Micro" : "Nova Lite",
      providerName: "Amazon",
      inputModalities: model === "nova-micro" ? ["TEXT"] : ["TEXT", "IMAGE", "VIDEO"],
      outputModalities: ["TEXT"],
      responseStreamingSupported: true,
      customizationsSupported: ["FINE_TUNING", "DISTILLATION"],
      inferenceTypesSupported: ["PROVISIONED"],
      modelLifecycle: { status: "ACTIVE" },
    }));
    return { modelSummaries: models.filter((m) => !byCustomization || m.customizationsSupported.includes(byCustomization)) };
  }

  // ---- Shared checks ---------------------------------------------------------------------------

  function resolveBaseModel(identifier: string): { id: string; arn: string; model: BedrockModel } | undefined {
    const arn = FOUNDATION_ARN.exec(identifier);
    if (arn && arn[2] !== region) return undefined;
    const id = arn ? arn[3] : identifier;
    const model = NOVA_MODELS[id];
    return model ? { id, arn: `arn:aws:bedrock:${region}::foundation-model/${id}`, model } : undefined;
  }

  const port = await listenLocal(server);

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    throttleNext(n) {
      throttle = n;
    },
    failNext(n, status = 500, type, message) {
      failures = n;
      failStatus = status;
      failType = type;
      failMessage = message;
    },
    close: () =>
      new Promise<void>((resolve) => {
        s3.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") {
    throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function checkUri(value: unknown, field: string): string {
  if (typeof value !== "string" || !S3_URI_PATTERN.test(value) || value.length > 1024) {
    throw validation(
      `The provided S3 URI is invalid. 1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^s3://[a-z0-9][-.a-z0-9]{1,61}(?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?$`,
    );
  }
  return value;
}

/** Nova's three documented hyperparameters, as strings in their ranges; anything else is refused. */
function checkHyperParameters(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw validation("hyperParameters must be a map of strings.");
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (typeof raw !== "string") throw validation(`The hyperparameter ${name} must be a string value.`);
    if (name === "batchSize" && raw === "1") {
      out[name] = raw;
      continue;
    }
    const rule = HYPERPARAMETERS[name];
    if (!rule) throw validation(`The hyperparameter ${name} is not supported for the provided base model. Supported hyperparameters: ${Object.keys(HYPERPARAMETERS).join(", ")}.`);
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) {
      throw validation(`The value ${raw} for hyperparameter ${name} is invalid. It must be ${rule.integer ? "an integer" : "a number"}.`);
    }
    if (n < rule.min || n > rule.max) throw validation(`The value ${raw} for hyperparameter ${name} is out of range. It must be between ${rule.min} and ${rule.max}.`);
    out[name] = raw;
  }
  return out;
}

function splitUri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return { bucket: match?.[1] ?? "", key: match?.[2] ?? "" };
}

function page<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxResults = query.has("maxResults") ? Number(query.get("maxResults")) : 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
    throw validation(`1 validation error detected: Value '${query.get("maxResults")}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  let start = 0;
  const token = query.get("nextToken");
  if (token) {
    start = Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw validation("The provided next token is invalid.");
  }
  const slice = items.slice(start, start + maxResults);
  const end = start + slice.length;
  return { items: slice, ...(end < items.length ? { nextToken: Buffer.from(String(end), "utf8").toString("base64url") } : {}) };
}

function randomId(): string {
  return randomBytes(6).toString("hex");
}

function iso(date: Date): string {
  return date.toISOString();
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("x-amzn-requestid", `standin-${randomBytes(4).toString("hex")}`);
  res.end(JSON.stringify(payload));
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.setHeader("x-amzn-errortype", `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`);
  sendJson(res, status, { message });
}
