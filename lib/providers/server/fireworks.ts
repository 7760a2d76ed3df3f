import "server-only";
import { ProviderError, ValidationError } from "@/lib/errors";
import type { MetricPoint } from "@/lib/finetune/types";
import type { ConnectionTestResult } from "@/lib/providers/connections";
import { parseFireworksMetrics } from "@/lib/providers/fireworks-metrics";
import { backoff, formatSeconds, parseRetryAfter, quoteOneLine } from "@/lib/providers/server/retry";
import { redactSecrets, registerSecret } from "@/lib/redact";

// Client for Fireworks' control plane (datasets, evaluators, fine-tuning jobs, models,
// deployments: https://api.fireworks.ai/v1/accounts/{account}/…) and its inference API
// (…/inference/v1), as described in the studio's Fireworks reference. Both planes take
// `Authorization: Bearer <key>`; the key is sent nowhere else (never to the signed storage URLs
// Fireworks hands out for uploads and downloads) and every message is scrubbed of it. Signed URLs
// carry their own credential in the query string, so messages name only their host.
// Creates are idempotent: the studio derives resource ids from its own records and may repeat a
// create whose answer was lost, so an "already exists" (409) answer returns the existing resource.

export interface FireworksClientConfig {
  apiKey: string;
  accountId: string;
  /** e.g. https://api.fireworks.ai */
  apiBaseUrl: string;
  /** e.g. https://api.fireworks.ai/inference/v1 */
  inferenceBaseUrl: string;
  /** Per request (per attempt). Default 30 000; uploads get a second more per MiB. */
  timeoutMs?: number;
  /** Retries after the first attempt for 408/429/500/502/503/504 and network errors. Default 3. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry. Default 500. */
  retryBaseMs?: number;
  /** Cap on any single wait, a server's Retry-After included. Default 20 000. */
  maxRetryDelayMs?: number;
  /** Files up to this size go as one multipart request; larger ones take the signed-URL path. Default 150 MiB − 1. */
  multipartLimitBytes?: number;
  /** Aborts every request in flight and every retry wait. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * A Fireworks request that failed. `status` stays the studio's own (502, a provider failure);
 * Fireworks' HTTP status is `httpStatus` (0 when there was no answer: unreachable, timeout,
 * cancelled) and its gRPC code, when it sent one, `grpcCode`. `retryable` says whether the same
 * request may succeed later (rate limits, server errors, network trouble).
 */
export class FireworksApiError extends ProviderError {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly retryable: boolean,
    readonly grpcCode?: string | number,
  ) {
    super(message, { httpStatus, ...(grpcCode !== undefined ? { grpcCode } : {}), retryable });
  }
}

export type FireworksCollection =
  | "datasets"
  | "evaluators"
  | "models"
  | "deployments"
  | "supervisedFineTuningJobs"
  | "reinforcementFineTuningJobs";

/** The full resource name Fireworks uses in request bodies: accounts/{account}/{collection}/{id}. */
export function fireworksName(accountId: string, collection: FireworksCollection, id: string): string {
  return `accounts/${accountId}/${collection}/${id}`;
}

export interface FwStatus {
  /** A gRPC code name (INVALID_ARGUMENT, RESOURCE_EXHAUSTED…) or number. */
  code?: string | number;
  message?: string;
}

/** Fields Fireworks sends that are not listed here are kept as they came. */
interface FwResource {
  name: string;
  [field: string]: unknown;
}

export interface FwDataset extends FwResource {
  /** UPLOADING | READY | STATE_UNSPECIFIED */
  state: string;
  status?: FwStatus;
  displayName?: string;
  /** int64: a string as Fireworks sends it */
  exampleCount?: string | number;
  format?: string;
  createTime?: string;
}

export interface FwEvaluator extends FwResource {
  /** ACTIVE | BUILDING | BUILD_FAILED | STATE_UNSPECIFIED */
  state: string;
  status?: FwStatus;
  displayName?: string;
  entryPoint?: string;
}

export type FwJobKind = "rft" | "sft";

export type FwJobState =
  | "JOB_STATE_UNSPECIFIED"
  | "JOB_STATE_CREATING"
  | "JOB_STATE_PENDING"
  | "JOB_STATE_VALIDATING"
  | "JOB_STATE_RUNNING"
  | "JOB_STATE_WRITING_RESULTS"
  | "JOB_STATE_COMPLETED"
  | "JOB_STATE_FAILED"
  | "JOB_STATE_CANCELLING"
  | "JOB_STATE_CANCELLED"
  | "JOB_STATE_EARLY_STOPPED"
  | "JOB_STATE_EXPIRED"
  | "JOB_STATE_DELETED"
  // Fireworks has used other values over time: unknown ones are passed through.
  | (string & {});

export const FW_FINAL_JOB_STATES: readonly string[] = [
  "JOB_STATE_COMPLETED",
  "JOB_STATE_FAILED",
  "JOB_STATE_CANCELLED",
  "JOB_STATE_EARLY_STOPPED",
  "JOB_STATE_EXPIRED",
  "JOB_STATE_DELETED",
];

export function isFwJobFinished(state: string): boolean {
  return FW_FINAL_JOB_STATES.includes(state);
}

export interface FwJobProgress {
  percent?: number;
  epoch?: number;
  totalInputRequests?: number;
  totalProcessedRequests?: number;
  successfullyProcessedRequests?: number;
  failedRequests?: number;
  inputTokens?: number;
  outputTokens?: number;
  [field: string]: unknown;
}

export interface FwJob extends FwResource {
  displayName?: string;
  state: FwJobState;
  status?: FwStatus;
  jobProgress?: FwJobProgress;
  createTime?: string;
  completedTime?: string;
  /** The model the job writes, as a full name (RFT: from trainingConfig.outputModel). */
  outputModel?: string;
  /** units is int64, so a string */
  estimatedCost?: { currencyCode?: string; units?: string | number; nanos?: number };
  /** SFT: where the metrics file can be read, once there is one. */
  metricsFileSignedUrl?: string;
  dataset?: string;
  evaluator?: string;
  trainingConfig?: Record<string, unknown>;
}

export interface FwJobPage {
  jobs: FwJob[];
  nextPageToken?: string;
  totalSize?: number;
}

export interface FwModel extends FwResource {
  /** READY | UPLOADING | STATE_UNSPECIFIED… */
  state: string;
  status?: FwStatus;
  kind?: string;
  baseModel?: string;
}

export interface FwDeployment extends FwResource {
  /** CREATING | READY | FAILED | UPDATING | DELETING | DELETED… */
  state: string;
  status?: FwStatus;
  baseModel?: string;
  acceleratorType?: string;
}

export interface CreateDatasetInput {
  displayName: string;
  exampleCount: number;
  format: "CHAT";
}

export interface CreateEvaluatorInput {
  displayName: string;
  description: string;
  /** "test_file.py::function" inside the uploaded package */
  entryPoint: string;
  /** requirements.txt contents */
  requirements: string;
}

/** Body of POST …/reinforcementFineTuningJobs. Dataset and evaluator may be short ids; they are sent as full names. */
export interface RftJobBody {
  displayName?: string;
  dataset: string;
  evaluator: string;
  evaluationDataset?: string;
  trainingConfig: {
    /** Full name, e.g. accounts/fireworks/models/qwen3-8b */
    baseModel: string;
    outputModel?: string;
    epochs?: number;
    learningRate?: number;
    loraRank?: number;
    maxContextLength?: number;
    batchSize?: number;
  };
  inferenceParameters?: {
    maxOutputTokens?: number;
    temperature?: number;
    topP?: number;
    topK?: number;
    /** "n": rollouts per prompt, at least 2 */
    responseCandidatesCount?: number;
  };
  lossConfig?: { method: "GRPO" | "DAPO" | "DPO" | "ORPO" | "GSPO_TOKEN"; klBeta?: number };
}

/** Body of POST …/supervisedFineTuningJobs (flat). Datasets may be short ids; they are sent as full names. */
export interface SftJobBody {
  displayName?: string;
  dataset: string;
  evaluationDataset?: string;
  /** Full name, e.g. accounts/fireworks/models/qwen3-8b */
  baseModel: string;
  /** A model id; Fireworks defaults it to the job id. */
  outputModel?: string;
  epochs?: number;
  learningRate?: number;
  loraRank?: number;
  maxContextLength?: number;
  batchSize?: number;
}

export interface CreateDeploymentInput {
  /** Full model name, e.g. accounts/{account}/models/{fine-tuned id} */
  baseModel: string;
  acceleratorType: string;
  minReplicaCount: number;
  maxReplicaCount: number;
  displayName: string;
}

export interface FwChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface FwChatAnswer {
  text: string;
  usage?: { promptTokens?: number; completionTokens?: number; totalTokens?: number };
}

export interface FireworksClient {
  readonly accountId: string;
  testConnection(): Promise<ConnectionTestResult>;
  createDataset(id: string, input: CreateDatasetInput): Promise<FwDataset>;
  getDataset(id: string): Promise<FwDataset>;
  uploadDatasetFile(id: string, fileName: string, bytes: Uint8Array): Promise<{ method: "multipart" | "signed_url" }>;
  createEvaluator(id: string, input: CreateEvaluatorInput): Promise<FwEvaluator>;
  uploadEvaluatorPackage(id: string, fileName: string, tarGz: Uint8Array): Promise<void>;
  getEvaluator(id: string): Promise<FwEvaluator>;
  /** The build log's text; "" when there is none or it could not be read. */
  getEvaluatorBuildLog(id: string): Promise<string>;
  createRftJob(jobId: string, body: RftJobBody): Promise<FwJob>;
  createSftJob(jobId: string, body: SftJobBody): Promise<FwJob>;
  getJob(kind: FwJobKind, jobId: string): Promise<FwJob>;
  /** Asks Fireworks to stop the job; it passes through JOB_STATE_CANCELLING, so read it with getJob. */
  cancelJob(kind: FwJobKind, jobId: string): Promise<void>;
  listJobs(kind: FwJobKind, options?: { pageSize?: number; pageToken?: string }): Promise<FwJobPage>;
  listAllJobs(kind: FwJobKind, options?: { pageSize?: number }): Promise<FwJob[]>;
  /** The job's loss/reward points; [] while there is no metrics file yet. */
  getJobMetrics(kind: FwJobKind, jobId: string): Promise<MetricPoint[]>;
  /** A short id in this account, or a full name (accounts/fireworks/models/…). */
  getModel(idOrName: string): Promise<FwModel>;
  createDeployment(id: string, input: CreateDeploymentInput): Promise<FwDeployment>;
  getDeployment(id: string): Promise<FwDeployment>;
  /** Resolves when the deployment is gone, including when it already was. */
  deleteDeployment(id: string): Promise<void>;
  chat(model: string, messages: FwChatMessage[], options?: { maxTokens?: number; temperature?: number }): Promise<FwChatAnswer>;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const JOB_COLLECTION: Record<FwJobKind, FireworksCollection> = { rft: "reinforcementFineTuningJobs", sft: "supervisedFineTuningJobs" };
const JOB_LABEL: Record<FwJobKind, string> = { rft: "RFT job", sft: "SFT job" };
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_LOG_CHARS = 200_000;
const MAX_LIST_PAGES = 500;

type Plane = "control" | "inference" | "storage";

interface Call {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  plane: Plane;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** What the request does, for messages: `create the dataset "x"`. */
  action: string;
  /** What a 404/409 is about: `dataset "x"`. */
  subject?: string;
  /** Messages for particular statuses, given Fireworks' own (quoted, scrubbed) text. */
  messages?: Partial<Record<401 | 403 | 404 | 409, (detail: string) => string>>;
  maxRetries?: number;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  text: string;
}

export function createFireworksClient(config: FireworksClientConfig): FireworksClient {
  const { apiKey, accountId } = config;
  if (!apiKey) throw new ValidationError("The Fireworks connection has no API key. Paste one on the Connections page.");
  if (!accountId || accountId.includes("/")) {
    throw new ValidationError("The Fireworks connection needs an account id (the <id> in accounts/<id>/…). Set it on the Connections page.");
  }
  registerSecret(apiKey);
  const apiBase = baseUrl(config.apiBaseUrl, "API address");
  const inferenceBase = baseUrl(config.inferenceBaseUrl, "inference address");
  const timeoutMs = config.timeoutMs ?? 30_000;
  const maxRetries = config.maxRetries ?? 3;
  const retryBaseMs = config.retryBaseMs ?? 500;
  const maxRetryDelayMs = config.maxRetryDelayMs ?? 20_000;
  const multipartLimitBytes = config.multipartLimitBytes ?? 150 * 1024 * 1024 - 1;
  const signal = config.signal;
  const doFetch = config.fetch ?? globalThis.fetch;
  const accountRoot = `${apiBase}/v1/accounts/${encodeURIComponent(accountId)}`;

  const scrub = (text: string) => redactSecrets(text.split(apiKey).join("[redacted]")).replace(/(https?:\/\/[^\s?"']+)\?[^\s"']*/g, "$1?…");

  /** A short id in this account, or a full accounts/… name (base models live in accounts/fireworks). */
  function resourceUrl(collection: FireworksCollection, idOrName: string, verb?: string): string {
    const path = idOrName.startsWith("accounts/")
      ? idOrName.split("/").map(encodeURIComponent).join("/")
      : `accounts/${encodeURIComponent(accountId)}/${collection}/${encodeURIComponent(checkId(idOrName, collection))}`;
    return `${apiBase}/v1/${path}${verb ? `:${verb}` : ""}`;
  }

  function fullName(collection: FireworksCollection, idOrName: string): string {
    return idOrName.startsWith("accounts/") ? idOrName : fireworksName(accountId, collection, checkId(idOrName, collection));
  }

  function cancelled(call: Call): FireworksApiError {
    return new FireworksApiError(`The request to ${call.action} was cancelled before Fireworks answered.`, 0, true);
  }

  function pause(ms: number, call: Call): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled(call));
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelled(call));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async function send(call: Call): Promise<Answer> {
    const retries = call.maxRetries ?? maxRetries;
    const limitMs = call.timeoutMs ?? timeoutMs;
    const headers: Record<string, string> = { ...call.headers };
    if (call.plane !== "storage") {
      headers.authorization = `Bearer ${apiKey}`;
      headers.accept = "application/json";
    }
    if (call.json !== undefined) headers["content-type"] = "application/json";
    const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;

    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw cancelled(call);
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(), limitMs);
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await doFetch(call.url, { method: call.method, headers, body, signal: controller.signal });
        status = response.status;
        retryAfter = response.headers.get("retry-after");
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw cancelled(call);
        if (controller.signal.aborted) {
          throw new FireworksApiError(
            scrub(`${where(call)} did not answer within ${formatSeconds(limitMs)} while trying to ${call.action}. Try again; if it keeps happening, check the address on the Connections page.`),
            0,
            true,
          );
        }
        const failure = new FireworksApiError(
          scrub(
            `Could not reach ${new URL(call.url).host}: ${networkCause(error)}${attempt > 0 ? ` (${attempt + 1} attempts)` : ""}. Check the ${call.plane === "inference" ? "inference" : "API"} address on the Connections page and the network.`,
          ),
          0,
          true,
        );
        if (attempt < retries) {
          await pause(backoff(attempt, retryBaseMs, maxRetryDelayMs), call);
          continue;
        }
        throw failure;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }

      if (status >= 200 && status < 300) return { status, text };
      if (RETRYABLE_STATUS.has(status) && attempt < retries) {
        const wait = Math.min(maxRetryDelayMs, parseRetryAfter(retryAfter) ?? backoff(attempt, retryBaseMs, maxRetryDelayMs));
        await pause(wait, call);
        continue;
      }
      throw statusError(call, status, text, attempt);
    }
  }

  function where(call: Call): string {
    const host = new URL(call.url).host;
    return call.plane === "storage" ? `Fireworks' file storage (${host})` : `Fireworks (${host})`;
  }

  function statusError(call: Call, status: number, text: string, retried: number): FireworksApiError {
    const { detail, grpcCode } = readErrorBody(text);
    const said = detail ? scrub(detail) : "";
    const quote = said ? ` Fireworks said: "${said}"` : "";
    const times = `retried ${retried} time${retried === 1 ? "" : "s"}`;
    const custom = call.messages?.[status as 401 | 403 | 404 | 409];
    let message: string;
    if (custom) {
      message = custom(said);
    } else if (call.plane === "storage" && status < 500 && status !== 408 && status !== 429) {
      message = `${where(call)} refused the request to ${call.action} (${status}): the signed link may have expired; try again.${quote}`;
    } else if (status === 401) {
      message = `Fireworks refused the API key (401): paste a current key on the Connections page.${quote}`;
    } else if (status === 403) {
      message = `Fireworks denied permission to ${call.action} in account "${accountId}" (403): the key's role may not allow it, or the account has no payment method on file.${quote}`;
    } else if (status === 404) {
      message = call.subject
        ? `Fireworks has no ${call.subject} in account "${accountId}" (404): check the id, or create it again.${quote}`
        : `Fireworks found nothing at ${new URL(call.url).pathname} (404) while trying to ${call.action}: check the address on the Connections page.${quote}`;
    } else if (status === 409) {
      message = `The ${call.subject ?? "resource"} already exists on Fireworks (409): use another id, or use the existing one.${quote}`;
    } else if (status === 429) {
      message = `Fireworks answered 429 to the request to ${call.action}: rate limited or GPU quota exhausted; ${times}. Wait a few minutes and try again, or ask Fireworks for more quota.${quote}`;
    } else if (status >= 500 || status === 408) {
      message = `${call.plane === "storage" ? "Fireworks' file storage" : "Fireworks"} had a server error (${status}) while trying to ${call.action}; ${times}. Try again later.${quote}`;
    } else if (status >= 400 && status < 500) {
      message = said
        ? `Fireworks rejected the request to ${call.action} (${status}): "${said}". Fix what it names and try again.`
        : `Fireworks rejected the request to ${call.action} (${status}) without saying why. Check the settings and try again.`;
    } else {
      message = `Fireworks answered ${status} to the request to ${call.action}.${quote}`;
    }
    return new FireworksApiError(scrub(message), status, RETRYABLE_STATUS.has(status), grpcCode);
  }

  /** Uploads get the request timeout plus a second per MiB: a large file is slow to send, not stuck. */
  function uploadTimeoutMs(bytes: number): number {
    return timeoutMs + Math.ceil(bytes / (1024 * 1024)) * 1000;
  }

  async function sendJson<T>(call: Call): Promise<T> {
    const answer = await send(call);
    if (!answer.text.trim()) return {} as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw new FireworksApiError(
        scrub(`${where(call)} answered the request to ${call.action} with something that is not JSON: "${quoteOneLine(answer.text, 120)}". Check the address on the Connections page.`),
        answer.status,
        false,
      );
    }
  }

  async function createOrGet<T>(create: () => Promise<T>, get: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      if (error instanceof FireworksApiError && error.httpStatus === 409) return get();
      throw error;
    }
  }

  /** A signed storage URL's text, or null when there is nothing there (404). */
  async function download(url: string, action: string): Promise<string | null> {
    try {
      return (await send({ method: "GET", url, plane: "storage", action })).text;
    } catch (error) {
      if (error instanceof FireworksApiError && error.httpStatus === 404) return null;
      throw error;
    }
  }

  async function uploadThroughSignedUrl(collection: "datasets" | "evaluators", id: string, fileName: string, bytes: Uint8Array, subject: string) {
    const size = bytes.byteLength;
    const endpoint = await sendJson<{ filenameToSignedUrls?: Record<string, string> }>({
      method: "POST",
      url: resourceUrl(collection, id, "getUploadEndpoint"),
      plane: "control",
      json: { filenameToSize: { [fileName]: String(size) } },
      action: `get an upload link for "${fileName}" (${subject})`,
      subject,
    });
    const signedUrl = endpoint.filenameToSignedUrls?.[fileName];
    if (!signedUrl) {
      throw new FireworksApiError(`Fireworks gave no upload link for "${fileName}" (${subject}). Try the upload again.`, 200, true);
    }
    await send({
      method: "PUT",
      url: signedUrl,
      plane: "storage",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "application/octet-stream", "x-goog-content-length-range": `${size},${size}` },
      action: `upload "${fileName}" (${subject})`,
      timeoutMs: uploadTimeoutMs(size),
    });
    await send({
      method: "POST",
      url: resourceUrl(collection, id, "validateUpload"),
      plane: "control",
      json: {},
      action: `confirm the upload of "${fileName}" (${subject})`,
      subject,
    });
  }

  function normaliseJob(raw: FwJob): FwJob {
    const output = raw.outputModel ?? (raw.trainingConfig?.outputModel as string | undefined);
    return output ? { ...raw, outputModel: fullName("models", output) } : raw;
  }

  function jobCall(kind: FwJobKind, jobId: string, verb?: string): Pick<Call, "url" | "plane" | "subject"> {
    return { url: resourceUrl(JOB_COLLECTION[kind], jobId, verb), plane: "control", subject: `${JOB_LABEL[kind]} "${jobId}"` };
  }

  function modelNotFound(baseModel: string) {
    return (detail: string) =>
      `Fireworks could not find the model "${baseModel}" (404): check the model name (like accounts/fireworks/models/qwen3-8b).${detail ? ` Fireworks said: "${detail}"` : ""}`;
  }

  async function createJob(kind: FwJobKind, jobId: string, body: object, baseModel: string): Promise<FwJob> {
    checkId(jobId, JOB_COLLECTION[kind]);
    const collection = JOB_COLLECTION[kind];
    const idParam = kind === "rft" ? "reinforcementFineTuningJobId" : "supervisedFineTuningJobId";
    return createOrGet(
      async () =>
        normaliseJob(
          await sendJson<FwJob>({
            method: "POST",
            url: `${accountRoot}/${collection}?${idParam}=${encodeURIComponent(jobId)}`,
            plane: "control",
            json: body,
            action: `create the ${JOB_LABEL[kind]} "${jobId}"`,
            subject: `${JOB_LABEL[kind]} "${jobId}"`,
            messages: {
              404: (detail) =>
                !detail || /model/i.test(detail)
                  ? modelNotFound(baseModel)(detail)
                  : `Fireworks could not find something the ${JOB_LABEL[kind]} "${jobId}" refers to (404): check its dataset and evaluator. Fireworks said: "${detail}"`,
            },
          }),
        ),
      () => getJob(kind, jobId),
    );
  }

  async function getJob(kind: FwJobKind, jobId: string): Promise<FwJob> {
    return normaliseJob(await sendJson<FwJob>({ method: "GET", ...jobCall(kind, jobId), action: `read the ${JOB_LABEL[kind]} "${jobId}"` }));
  }

  async function listJobs(kind: FwJobKind, options: { pageSize?: number; pageToken?: string } = {}): Promise<FwJobPage> {
    const collection = JOB_COLLECTION[kind];
    const query = new URLSearchParams();
    if (options.pageSize !== undefined) query.set("pageSize", String(options.pageSize));
    if (options.pageToken) query.set("pageToken", options.pageToken);
    const page = await sendJson<Record<string, unknown>>({
      method: "GET",
      url: `${accountRoot}/${collection}${query.size ? `?${query}` : ""}`,
      plane: "control",
      action: `list the ${JOB_LABEL[kind]}s`,
    });
    const jobs = Array.isArray(page[collection]) ? (page[collection] as FwJob[]).map(normaliseJob) : [];
    const next = typeof page.nextPageToken === "string" && page.nextPageToken ? page.nextPageToken : undefined;
    const total = Number(page.totalSize);
    return { jobs, ...(next ? { nextPageToken: next } : {}), ...(Number.isFinite(total) && page.totalSize !== undefined ? { totalSize: total } : {}) };
  }

  const client: FireworksClient = {
    accountId,

    async testConnection() {
      const checks: ConnectionTestResult["checks"] = [];
      const retries = Math.min(1, maxRetries);
      try {
        const page = await sendJson<{ models?: unknown[]; totalSize?: unknown }>({
          method: "GET",
          url: `${accountRoot}/models?pageSize=1`,
          plane: "control",
          action: `list the models of account "${accountId}"`,
          maxRetries: retries,
          messages: {
            403: (detail) =>
              `Fireworks denied the key access to account id "${accountId}" (403): check the account id, and that the key belongs to that account and its role may read models.${detail ? ` Fireworks said: "${detail}"` : ""}`,
            404: (detail) =>
              `Fireworks has no account id "${accountId}" (404): check the account id (the <id> in accounts/<id>/…).${detail ? ` Fireworks said: "${detail}"` : ""}`,
          },
        });
        const total = Number(page.totalSize);
        checks.push({
          name: "API key and account",
          ok: true,
          detail: `Fireworks accepted the key for account "${accountId}"${Number.isFinite(total) && page.totalSize !== undefined ? ` (${total} model${total === 1 ? "" : "s"})` : ""}.`,
        });
      } catch (error) {
        checks.push({ name: "API key and account", ok: false, detail: failureText(error, scrub) });
      }
      try {
        const models = await sendJson<{ data?: unknown[] }>({
          method: "GET",
          url: `${inferenceBase}/models`,
          plane: "inference",
          action: "list the models served by the inference address",
          maxRetries: retries,
          messages: {
            404: () => `The inference address ${inferenceBase} has no /models (404): check the inference address; it usually ends in /inference/v1.`,
          },
        });
        const count = Array.isArray(models.data) ? models.data.length : undefined;
        checks.push({
          name: "Inference address",
          ok: true,
          detail: `The inference address answered${count !== undefined ? ` (${count} model${count === 1 ? "" : "s"} listed)` : ""}.`,
        });
      } catch (error) {
        checks.push({ name: "Inference address", ok: false, detail: failureText(error, scrub) });
      }
      const failed = checks.find((check) => !check.ok);
      return {
        ok: !failed,
        message: failed ? failed.detail : `Fireworks accepted the key for account "${accountId}" and the inference address answered.`,
        checks,
      };
    },

    async createDataset(id, input) {
      const subject = `dataset "${id}"`;
      return createOrGet(
        () =>
          sendJson<FwDataset>({
            method: "POST",
            url: `${accountRoot}/datasets`,
            plane: "control",
            json: {
              datasetId: checkId(id, "datasets"),
              dataset: { displayName: input.displayName, exampleCount: String(input.exampleCount), format: input.format, userUploaded: {} },
            },
            action: `create the ${subject}`,
            subject,
          }),
        () => client.getDataset(id),
      );
    },

    async getDataset(id) {
      return sendJson<FwDataset>({ method: "GET", url: resourceUrl("datasets", id), plane: "control", action: `read the dataset "${id}"`, subject: `dataset "${id}"` });
    },

    async uploadDatasetFile(id, fileName, bytes) {
      const subject = `dataset "${id}"`;
      if (bytes.byteLength > multipartLimitBytes) {
        await uploadThroughSignedUrl("datasets", id, fileName, bytes, subject);
        return { method: "signed_url" };
      }
      const form = new FormData();
      form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/jsonl" }), fileName);
      await send({
        method: "POST",
        url: resourceUrl("datasets", id, "upload"),
        plane: "control",
        body: form,
        action: `upload "${fileName}" to the ${subject}`,
        subject,
        timeoutMs: uploadTimeoutMs(bytes.byteLength),
      });
      return { method: "multipart" };
    },

    async createEvaluator(id, input) {
      const subject = `evaluator "${id}"`;
      return createOrGet(
        () =>
          sendJson<FwEvaluator>({
            method: "POST",
            url: `${accountRoot}/evaluatorsV2`,
            plane: "control",
            json: {
              evaluatorId: checkId(id, "evaluators"),
              evaluator: {
                displayName: input.displayName,
                description: input.description,
                entryPoint: input.entryPoint,
                requirements: input.requirements,
                criteria: [{ type: "CODE_SNIPPETS", name: id, description: input.description }],
              },
            },
            action: `create the ${subject}`,
            subject,
          }),
        () => client.getEvaluator(id),
      );
    },

    async uploadEvaluatorPackage(id, fileName, tarGz) {
      await uploadThroughSignedUrl("evaluators", id, fileName, tarGz, `evaluator "${id}"`);
    },

    async getEvaluator(id) {
      return sendJson<FwEvaluator>({ method: "GET", url: resourceUrl("evaluators", id), plane: "control", action: `read the evaluator "${id}"`, subject: `evaluator "${id}"` });
    },

    async getEvaluatorBuildLog(id) {
      // Best effort: the log explains a failed build, and not being able to read it must not
      // hide the failure it would explain.
      try {
        const endpoint = await sendJson<{ buildLogSignedUri?: string }>({
          method: "GET",
          url: resourceUrl("evaluators", id, "getBuildLogEndpoint"),
          plane: "control",
          action: `get the build log link of the evaluator "${id}"`,
          subject: `evaluator "${id}"`,
        });
        if (!endpoint.buildLogSignedUri) return "";
        const log = (await download(endpoint.buildLogSignedUri, `read the build log of the evaluator "${id}"`)) ?? "";
        return scrub(log.length > MAX_LOG_CHARS ? log.slice(-MAX_LOG_CHARS) : log);
      } catch {
        return "";
      }
    },

    async createRftJob(jobId, body) {
      const payload: RftJobBody = {
        ...body,
        dataset: fullName("datasets", body.dataset),
        evaluator: fullName("evaluators", body.evaluator),
        ...(body.evaluationDataset ? { evaluationDataset: fullName("datasets", body.evaluationDataset) } : {}),
      };
      return createJob("rft", jobId, payload, body.trainingConfig.baseModel);
    },

    async createSftJob(jobId, body) {
      const payload: SftJobBody = {
        ...body,
        dataset: fullName("datasets", body.dataset),
        ...(body.evaluationDataset ? { evaluationDataset: fullName("datasets", body.evaluationDataset) } : {}),
      };
      return createJob("sft", jobId, payload, body.baseModel);
    },

    getJob,

    async cancelJob(kind, jobId) {
      await send({ method: "POST", ...jobCall(kind, jobId, "cancel"), json: {}, action: `cancel the ${JOB_LABEL[kind]} "${jobId}"` });
    },

    listJobs,

    async listAllJobs(kind, options = {}) {
      const jobs: FwJob[] = [];
      const seen = new Set<string>();
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const result = await listJobs(kind, { pageSize: options.pageSize ?? 200, pageToken });
        jobs.push(...result.jobs);
        if (!result.nextPageToken) return jobs;
        // A token seen before would loop forever.
        if (seen.has(result.nextPageToken)) break;
        seen.add(result.nextPageToken);
        pageToken = result.nextPageToken;
      }
      throw new FireworksApiError(`Fireworks kept returning more pages of ${JOB_LABEL[kind]}s; stopped after ${jobs.length}. Try again later.`, 200, true);
    },

    async getJobMetrics(kind, jobId) {
      let signedUrl: string | undefined;
      if (kind === "rft") {
        try {
          const endpoint = await sendJson<{ signedUrl?: string }>({
            method: "GET",
            ...jobCall(kind, jobId, "getMetricsFileEndpoint"),
            action: `get the metrics file link of the ${JOB_LABEL[kind]} "${jobId}"`,
          });
          signedUrl = endpoint.signedUrl;
        } catch (error) {
          // No metrics file yet (the job has not logged a step).
          if (error instanceof FireworksApiError && error.httpStatus === 404) return [];
          throw error;
        }
      } else {
        signedUrl = (await getJob(kind, jobId)).metricsFileSignedUrl;
      }
      if (!signedUrl) return [];
      const text = await download(signedUrl, `read the metrics file of the ${JOB_LABEL[kind]} "${jobId}"`);
      return text === null ? [] : parseFireworksMetrics(text);
    },

    async getModel(idOrName) {
      return sendJson<FwModel>({
        method: "GET",
        url: resourceUrl("models", idOrName),
        plane: "control",
        action: `read the model "${idOrName}"`,
        subject: `model "${idOrName}"`,
        messages: { 404: modelNotFound(fullName("models", idOrName)) },
      });
    },

    async createDeployment(id, input) {
      const subject = `deployment "${id}"`;
      return createOrGet(
        () =>
          sendJson<FwDeployment>({
            method: "POST",
            url: `${accountRoot}/deployments?deploymentId=${encodeURIComponent(checkId(id, "deployments"))}`,
            plane: "control",
            json: {
              displayName: input.displayName,
              baseModel: fullName("models", input.baseModel),
              // Left out when empty, so Fireworks answers with its own "accelerator_type must be specified".
              ...(input.acceleratorType ? { acceleratorType: input.acceleratorType } : {}),
              minReplicaCount: input.minReplicaCount,
              maxReplicaCount: input.maxReplicaCount,
            },
            action: `create the ${subject}`,
            subject,
            messages: {
              404: (detail) =>
                `Fireworks could not find the model "${input.baseModel}" to deploy (404): check the model name, and that the fine-tuned model is READY.${detail ? ` Fireworks said: "${detail}"` : ""}`,
            },
          }),
        () => client.getDeployment(id),
      );
    },

    async getDeployment(id) {
      return sendJson<FwDeployment>({ method: "GET", url: resourceUrl("deployments", id), plane: "control", action: `read the deployment "${id}"`, subject: `deployment "${id}"` });
    },

    async deleteDeployment(id) {
      try {
        await send({ method: "DELETE", url: resourceUrl("deployments", id), plane: "control", action: `delete the deployment "${id}"`, subject: `deployment "${id}"` });
      } catch (error) {
        if (error instanceof FireworksApiError && error.httpStatus === 404) return;
        throw error;
      }
    },

    async chat(model, messages, options = {}) {
      const answer = await sendJson<{
        choices?: { message?: { content?: unknown } }[];
        usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
      }>({
        method: "POST",
        url: `${inferenceBase}/chat/completions`,
        plane: "inference",
        json: {
          model,
          messages,
          ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        },
        action: `ask "${model}" for a completion`,
        messages: {
          404: (detail) =>
            `Fireworks has nothing serving "${model}" (404): wait until the deployment is READY, and address it as accounts/<account>/deployments/<id>.${detail ? ` Fireworks said: "${detail}"` : ""}`,
        },
      });
      const content = answer.choices?.[0]?.message?.content;
      if (typeof content !== "string") {
        throw new FireworksApiError(`Fireworks answered the request to "${model}" without a message (no choices[0].message.content). Try again.`, 200, true);
      }
      const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
      const usage = answer.usage
        ? { promptTokens: num(answer.usage.prompt_tokens), completionTokens: num(answer.usage.completion_tokens), totalTokens: num(answer.usage.total_tokens) }
        : undefined;
      return { text: content, ...(usage ? { usage } : {}) };
    },
  };
  return client;
}

/** One line for a job that ended without its model ("" when it completed or is still going). */
export function describeFwJobEnd(kind: FwJobKind, job: FwJob): string {
  const id = job.name.split("/").pop() ?? job.name;
  const said = job.status?.message ? ` Fireworks said: "${redactSecrets(quoteOneLine(job.status.message))}"` : "";
  const code = job.status?.code !== undefined && job.status.code !== "OK" && job.status.code !== 0 ? ` (${job.status.code})` : "";
  switch (job.state) {
    case "JOB_STATE_FAILED":
      return `The Fireworks ${JOB_LABEL[kind]} "${id}" failed${code}.${said}`;
    case "JOB_STATE_CANCELLED":
      return `The Fireworks ${JOB_LABEL[kind]} "${id}" was cancelled.${said}`;
    case "JOB_STATE_EXPIRED":
      return `The Fireworks ${JOB_LABEL[kind]} "${id}" expired before it could run: launch it again.${said}`;
    case "JOB_STATE_DELETED":
      return `The Fireworks ${JOB_LABEL[kind]} "${id}" was deleted on Fireworks.`;
    default:
      return "";
  }
}

function baseUrl(value: string, what: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return value.replace(/\/+$/, "");
  } catch {
    throw new ValidationError(`The Fireworks ${what} is not a valid http(s) address. Set it on the Connections page.`);
  }
}

function checkId(id: string, collection: FireworksCollection): string {
  if (!ID_PATTERN.test(id)) {
    throw new ValidationError(`"${quoteOneLine(id, 80)}" is not a valid Fireworks id for ${collection}: use letters, digits, ".", "_" and "-".`);
  }
  return id;
}

/**
 * Fireworks' own text from an error body: the control plane's gRPC-gateway shape
 * {code, message, details}, the inference API's OpenAI shape {error: {message, code}} or
 * validation shape {detail: [{loc, msg}]}, or storage's XML <Message>; else the body itself.
 */
function readErrorBody(text: string): { detail: string; grpcCode?: string | number } {
  const trimmed = text.trim();
  if (!trimmed) return { detail: "" };
  try {
    const json = JSON.parse(trimmed) as { code?: unknown; message?: unknown; error?: unknown; detail?: unknown };
    const code = typeof json.code === "number" || typeof json.code === "string" ? json.code : undefined;
    if (typeof json.error === "object" && json.error !== null) {
      const error = json.error as { message?: unknown; code?: unknown };
      const errorCode = typeof error.code === "number" || typeof error.code === "string" ? error.code : undefined;
      if (typeof error.message === "string") return { detail: quoteOneLine(error.message), grpcCode: errorCode ?? code };
    }
    if (typeof json.message === "string") return { detail: quoteOneLine(json.message), grpcCode: code };
    if (typeof json.error === "string") return { detail: quoteOneLine(json.error), grpcCode: code };
    if (typeof json.detail === "string") return { detail: quoteOneLine(json.detail) };
    if (Array.isArray(json.detail)) {
      const parts = json.detail.map((d: { loc?: unknown; msg?: unknown }) => `${Array.isArray(d?.loc) ? d.loc.join(".") : ""}: ${String(d?.msg ?? "")}`);
      return { detail: quoteOneLine(parts.join("; ")) };
    }
  } catch {
    const xml = /<Message>([\s\S]*?)<\/Message>/i.exec(trimmed);
    if (xml) return { detail: quoteOneLine(xml[1]) };
  }
  return { detail: quoteOneLine(trimmed, 200) };
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const words: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found (DNS lookup failed)",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    UND_ERR_SOCKET: "connection closed",
    UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  };
  if (code) return words[code] ?? code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function failureText(error: unknown, scrub: (text: string) => string): string {
  if (error instanceof ProviderError || error instanceof ValidationError) return error.message;
  return scrub(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
}
