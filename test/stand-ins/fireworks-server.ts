// A local stand-in for Fireworks AI, for tests and demos without network access: the control plane
// (/v1/accounts/{account}/… datasets, evaluators, RFT and SFT jobs, models, deployments), the
// inference API (/inference/v1/chat/completions and /models) and the signed storage URLs Fireworks
// hands out for uploads and downloads, as the studio's Fireworks reference describes them.
// It checks what the service checks (the Bearer key, the account in the path, required and unknown
// fields, a READY dataset and an ACTIVE evaluator before a job, an existing READY model before a
// deployment) and answers in the same shapes: gRPC-gateway errors {code, message, details} on the
// control plane, OpenAI-style {error: {…}} on inference, XML on storage.
// Long-running work is driven by reads, not by clocks, so tests are deterministic: every GET of a
// job moves it one step (CREATING → VALIDATING → RUNNING ×runningPolls → WRITING_RESULTS →
// COMPLETED), and datasets, evaluator builds and deployments become ready after `readyAfterPolls`
// GETs. Uploaded files are really read: multipart bodies are parsed and each JSONL line checked;
// evaluator packages are gunzipped and their tar headers walked.
// Run as a program (`node --import tsx test/stand-ins/fireworks-server.ts --port 0 --api-key k
// --account acct`), it prints "listening <API base URL>".
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { cliOption, listenLocal, runAsProgram, sendJson, waitUnlessClosed } from "./serve";

export interface FireworksStandInMessage {
  role: string;
  content: string;
}

/** How a job ends: "fail" fails it half-way through its running polls; "stall" keeps it RUNNING without progress. */
export type StandInJobOutcome = "complete" | "fail" | "stall" | { fail: { code?: string; message?: string } };

export type StandInResource = Record<string, unknown> & { name: string; state: string };

export interface StandInJob {
  kind: "rft" | "sft";
  id: string;
  resource: StandInResource;
  polls: number;
  outcome: StandInJobOutcome;
  /** The metrics file's lines so far. */
  metrics: Record<string, number>[];
}

interface PendingUpload {
  fileName: string;
  size: number;
  received?: Buffer;
}

export interface StandInDataset {
  id: string;
  resource: StandInResource;
  /** Set once a file was uploaded and passed validation. */
  file?: { fileName: string; bytes: number; examples: number; /** The file as uploaded, for tests that read it back. */ text: string };
  pollsSinceUpload: number;
  pendingUploads: Map<string, PendingUpload>;
}

export interface StandInEvaluator {
  id: string;
  resource: StandInResource;
  pendingUploads: Map<string, PendingUpload>;
  /** Set by :validateUpload; the state follows after `readyAfterPolls` GETs. */
  build?: { ok: boolean; log: string; files: string[]; /** The uploaded .tar.gz, for tests that run the evaluator. */ archive?: Buffer };
  pollsSinceBuild: number;
}

export interface StandInDeployment {
  id: string;
  resource: StandInResource;
  polls: number;
}

export interface FireworksStandInState {
  /** Keyed by short id. */
  datasets: Map<string, StandInDataset>;
  evaluators: Map<string, StandInEvaluator>;
  /** Keyed by "rft:<id>" / "sft:<id>". */
  jobs: Map<string, StandInJob>;
  /** The account's own models (job outputs), keyed by full name. */
  models: Map<string, StandInResource>;
  deployments: Map<string, StandInDeployment>;
}

export interface FireworksStandInRequest {
  method: string;
  path: string;
  /** The query string, "" or "?…" */
  query: string;
  plane: "control" | "inference" | "storage" | "unknown";
  /** 0 while being answered, or when the client went away first. */
  status: number;
  at: number;
}

export interface FireworksStandInOptions {
  /** Key expected in "Authorization: Bearer …". Default "fw-test-key". */
  apiKey: string;
  /** The only account the key may use. Default "test-account". */
  accountId: string;
  /** Base models jobs and serverless inference accept. */
  baseModels: string[];
  /** GETs before an uploaded dataset is READY, a built evaluator ACTIVE (or BUILD_FAILED), a deployment READY. Default 1. */
  readyAfterPolls: number;
  /** GETs a job spends RUNNING. Default 4. */
  runningPolls: number;
  /** Training steps logged per RUNNING poll. Default 3. */
  stepsPerPoll: number;
  /** Decides at creation how a job ends. Default "complete". */
  jobOutcome: (job: StandInJob) => StandInJobOutcome;
  /** The assistant's answer to a chat completion. Default "SELECT 1". */
  answer: (messages: FireworksStandInMessage[], model: string) => string | Promise<string>;
  /** Default 0: any free port. */
  port: number;
}

export interface FireworksStandIn {
  /** e.g. http://127.0.0.1:53121 */
  apiBaseUrl: string;
  /** e.g. http://127.0.0.1:53121/inference/v1 */
  inferenceBaseUrl: string;
  accountId: string;
  state: FireworksStandInState;
  requests: FireworksStandInRequest[];
  /** The next n API requests (either plane, after the key check) get 429 with this Retry-After. */
  throttleNext(n: number, retryAfterSeconds: number): void;
  /** The next n API requests get this status with a server-error body. */
  failNext(n: number, status: number): void;
  /** The next n job creates get 429 RESOURCE_EXHAUSTED: the account's GPU quota is used up. */
  exhaustQuotaNext(n: number): void;
  /** The next n API requests are answered only after ms (to exercise client timeouts). */
  delayNext(n: number, ms: number): void;
  close(): Promise<void>;
}

const DEFAULT_BASE_MODELS = ["accounts/fireworks/models/qwen3-8b", "accounts/fireworks/models/llama-v3p1-8b-instruct"];
const ACCELERATORS = ["NVIDIA_A100_80GB", "NVIDIA_H100_80GB", "NVIDIA_H200_141GB", "NVIDIA_B200_180GB", "AMD_MI300X_192GB", "NVIDIA_L4_24GB"];
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
const FINAL_JOB_STATES = ["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EARLY_STOPPED", "JOB_STATE_EXPIRED", "JOB_STATE_DELETED"];

// Fields each create accepts (the reference's bodies); anything else is refused as the
// gRPC gateway refuses unknown fields, which catches a client sending a misspelt or removed one.
const DATASET_CREATE_FIELDS = ["datasetId", "dataset", "sourceDatasetId", "filter"];
const DATASET_FIELDS = ["displayName", "exampleCount", "format", "userUploaded", "externalUrl"];
const EVALUATOR_CREATE_FIELDS = ["evaluatorId", "evaluator"];
const EVALUATOR_FIELDS = ["displayName", "description", "entryPoint", "requirements", "criteria", "multiMetrics", "rollupSettings"];
const RFT_FIELDS = [
  "displayName", "dataset", "evaluator", "evaluationDataset", "evalAutoCarveout", "trainingConfig", "inferenceParameters", "lossConfig",
  "chunkSize", "maxConcurrentRollouts", "maxConcurrentEvaluations", "maxInferenceReplicaCount", "nodeCount", "wandbConfig",
];
const TRAINING_CONFIG_FIELDS = [
  "baseModel", "warmStartFrom", "outputModel", "epochs", "learningRate", "loraRank", "maxContextLength", "batchSize", "batchSizeSamples",
  "loraAlpha", "loraDropout", "loraTargetModules", "learningRateWarmupSteps",
];
const INFERENCE_PARAMETER_FIELDS = ["maxOutputTokens", "temperature", "topP", "topK", "responseCandidatesCount", "extraBody"];
const SFT_FIELDS = [
  "displayName", "dataset", "baseModel", "warmStartFrom", "outputModel", "epochs", "learningRate", "loraRank", "maxContextLength", "batchSize",
  "batchSizeSamples", "learningRateWarmupSteps", "optimizerWeightDecay", "evaluationDataset", "evalAutoCarveout", "earlyStop", "jinjaTemplate",
  "isTurbo", "wandbConfig",
];
const DEPLOYMENT_FIELDS = [
  "displayName", "description", "baseModel", "acceleratorType", "acceleratorCount", "minReplicaCount", "maxReplicaCount", "deploymentShape",
  "enableAddons", "precision", "autoscalingPolicy", "annotations",
];
const CHAT_FIELDS = [
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "n", "stop", "stream", "response_format", "tools",
  "tool_choice", "context_length_exceeded_behavior", "presence_penalty", "frequency_penalty", "seed", "user", "logprobs", "top_logprobs",
  "reasoning_effort", "prompt_cache_key",
];

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const fail = (status: number, code: number, message: string) => new ApiFailure(status, code, message);
const invalid = (message: string) => fail(400, GRPC.INVALID_ARGUMENT, message);
const precondition = (message: string) => fail(400, GRPC.FAILED_PRECONDITION, message);
const notFound = (message: string) => fail(404, GRPC.NOT_FOUND, message);

export async function startFireworksStandIn(options: Partial<FireworksStandInOptions> = {}): Promise<FireworksStandIn> {
  const settings: FireworksStandInOptions = {
    apiKey: "fw-test-key",
    accountId: "test-account",
    baseModels: DEFAULT_BASE_MODELS,
    readyAfterPolls: 1,
    runningPolls: 4,
    stepsPerPoll: 3,
    jobOutcome: () => "complete",
    answer: () => "SELECT 1",
    port: 0,
    ...options,
  };
  const account = settings.accountId;
  const state: FireworksStandInState = { datasets: new Map(), evaluators: new Map(), jobs: new Map(), models: new Map(), deployments: new Map() };
  const requests: FireworksStandInRequest[] = [];
  /** Signed storage objects by token: an upload slot or a readable file. */
  const storage = new Map<string, { signature: string } & ({ kind: "upload"; upload: PendingUpload } | { kind: "read"; read: () => string | undefined })>();
  const scripted = { throttle: 0, retryAfterSeconds: 0, fail: 0, failStatus: 500, quota: 0, delay: 0, delayMs: 0 };
  const sockets = new Set<Socket>();
  let base = "";

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { code: GRPC.INTERNAL, message: `stand-in error: ${String(error)}`, details: [] });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const now = () => new Date().toISOString();
  const fullName = (collection: string, id: string) => `accounts/${account}/${collection}/${id}`;

  function signedUrl(fileName: string, object: { kind: "upload"; upload: PendingUpload } | { kind: "read"; read: () => string | undefined }): string {
    const token = randomBytes(12).toString("hex");
    const signature = randomBytes(16).toString("hex");
    storage.set(token, { ...object, signature });
    return `${base}/storage/${token}/${encodeURIComponent(fileName)}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=3600&X-Goog-Signature=${signature}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const path = url.pathname;
    const plane: FireworksStandInRequest["plane"] = path.startsWith("/storage/")
      ? "storage"
      : path.startsWith("/inference/v1/")
        ? "inference"
        : path.startsWith("/v1/")
          ? "control"
          : "unknown";
    const record: FireworksStandInRequest = { method: req.method ?? "", path, query: url.search, plane, status: 0, at: Date.now() };
    requests.push(record);
    const raw = await readRawBody(req);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      record.status = status;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      if (typeof payload === "string") {
        res.statusCode = status;
        if (!res.hasHeader("content-type")) res.setHeader("content-type", "text/plain; charset=utf-8");
        res.end(payload);
      } else {
        sendJson(res, status, payload);
      }
    };
    const apiError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
      plane === "inference"
        ? answer(status, { error: { object: "error", type: status >= 500 ? "server_error" : "invalid_request_error", message, code: codeName(code) } }, headers)
        : answer(status, { code, message, details: [] }, headers);

    if (plane === "storage") return serveStorage(req, res, url, raw, answer);
    if (plane === "unknown") return answer(404, "404 page not found");

    if (scripted.delay > 0) {
      scripted.delay--;
      await waitUnlessClosed(res, scripted.delayMs);
      if (res.destroyed || req.socket.destroyed) return;
    }
    const key = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (key !== settings.apiKey) {
      return apiError(401, GRPC.UNAUTHENTICATED, key ? "unauthenticated: the API key is invalid or has been revoked" : "unauthenticated: missing API key in the Authorization header");
    }
    if (scripted.throttle > 0) {
      scripted.throttle--;
      return apiError(429, GRPC.RESOURCE_EXHAUSTED, "rate limit exceeded: too many requests, retry later", { "retry-after": String(scripted.retryAfterSeconds) });
    }
    if (scripted.fail > 0) {
      scripted.fail--;
      const status = scripted.failStatus;
      return apiError(status, status === 503 ? GRPC.UNAVAILABLE : GRPC.INTERNAL, status === 503 ? "the service is currently unavailable" : "internal error");
    }

    try {
      const result = plane === "inference" ? await inference(req.method ?? "", path, raw) : control(req.method ?? "", path, url.searchParams, raw, req.headers["content-type"] ?? "");
      answer(result.status ?? 200, result.body);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      if (plane === "inference") {
        answer(error.status, {
          error: { object: "error", type: "invalid_request_error", message: error.message, ...(error.status === 404 ? { param: "model" } : {}), code: codeName(error.code) },
        });
      } else {
        apiError(error.status, error.code, error.message);
      }
    }
  }

  // ---- storage (the signed URLs) ----

  function serveStorage(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, answer: (status: number, payload: unknown, headers?: Record<string, string>) => void): void {
    const xml = (status: number, code: string, message: string) =>
      answer(status, `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, { "content-type": "application/xml; charset=UTF-8" });
    const token = url.pathname.split("/")[2] ?? "";
    const object = storage.get(token);
    if (!object) return xml(404, "NoSuchKey", "The specified key does not exist.");
    if (url.searchParams.get("X-Goog-Signature") !== object.signature) {
      return xml(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    // A signed URL is its own credential; storage refuses a second one rather than guess.
    if (req.headers.authorization) return xml(400, "InvalidArgument", "Authorization header is not allowed with a signed URL.");
    if (object.kind === "read") {
      if (req.method !== "GET") return xml(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
      const content = object.read();
      if (content === undefined) return xml(404, "NoSuchKey", "The specified key does not exist.");
      return answer(200, content, { "content-type": "application/octet-stream" });
    }
    if (req.method !== "PUT") return xml(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    const { upload } = object;
    if (req.headers["content-type"] !== "application/octet-stream") {
      return xml(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided (signed header content-type: application/octet-stream).");
    }
    const range = req.headers["x-goog-content-length-range"];
    if (range !== `${upload.size},${upload.size}`) {
      return xml(403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided (signed header x-goog-content-length-range: ${upload.size},${upload.size}).`);
    }
    if (raw.length !== upload.size) {
      return xml(400, raw.length > upload.size ? "EntityTooLarge" : "EntityTooSmall", `Your proposed upload is ${raw.length} bytes; the signed range is ${upload.size},${upload.size}.`);
    }
    upload.received = raw;
    answer(200, "");
  }

  // ---- control plane ----

  interface Result {
    status?: number;
    body: unknown;
  }

  function control(method: string, path: string, query: URLSearchParams, raw: Buffer, contentType: string): Result {
    // /v1/accounts/{account}/{collection}[/{id}[:verb]]; a resource name may hold no further "/".
    const parts = path.split("/").slice(2);
    if (parts[0] !== "accounts" || !parts[1] || !parts[2] || parts.length > 4) throw notFound("Not Found");
    const [, pathAccount, collection, idAndVerb] = parts;
    const [id, verb] = idAndVerb === undefined ? [undefined, undefined] : splitVerb(decodeURIComponent(idAndVerb));
    if (pathAccount === "fireworks" && collection === "models" && method === "GET") return publicModels(id, query);
    if (pathAccount !== account) {
      throw fail(403, GRPC.PERMISSION_DENIED, `permission denied: the API key has no access to account "${pathAccount}"`);
    }
    const body = () => parseJsonBody(raw);
    const route = `${method} ${collection}${id === undefined ? "" : "/{id}"}${verb ? `:${verb}` : ""}`;
    switch (route) {
      case "POST datasets":
        return createDataset(body());
      case "GET datasets":
        return list([...state.datasets.values()].map((d) => d.resource), "datasets", query);
      case "GET datasets/{id}":
        return { body: pollDataset(dataset(id!)) };
      case "POST datasets/{id}:upload":
        return multipartUpload(dataset(id!), raw, contentType);
      case "POST datasets/{id}:getUploadEndpoint":
        return uploadEndpoint(dataset(id!).pendingUploads, body(), dataset(id!).file !== undefined);
      case "POST datasets/{id}:validateUpload":
        return validateDatasetUpload(dataset(id!));
      case "POST evaluatorsV2":
        return createEvaluator(body());
      case "GET evaluators":
        return list([...state.evaluators.values()].map((e) => e.resource), "evaluators", query);
      case "GET evaluators/{id}":
        return { body: pollEvaluator(evaluator(id!)) };
      case "POST evaluators/{id}:getUploadEndpoint":
        return uploadEndpoint(evaluator(id!).pendingUploads, body(), evaluator(id!).build !== undefined);
      case "POST evaluators/{id}:validateUpload":
        return validateEvaluatorUpload(evaluator(id!));
      case "GET evaluators/{id}:getBuildLogEndpoint":
        return buildLogEndpoint(evaluator(id!));
      case "POST reinforcementFineTuningJobs":
      case "POST supervisedFineTuningJobs":
        return createJob(kindOf(collection), body(), query);
      case "GET reinforcementFineTuningJobs":
      case "GET supervisedFineTuningJobs": {
        const kind = kindOf(collection);
        return list([...state.jobs.values()].filter((j) => j.kind === kind).map((j) => j.resource), collection, query);
      }
      case "GET reinforcementFineTuningJobs/{id}":
      case "GET supervisedFineTuningJobs/{id}":
        return { body: pollJob(job(kindOf(collection), id!)) };
      case "POST reinforcementFineTuningJobs/{id}:cancel":
      case "POST supervisedFineTuningJobs/{id}:cancel":
        body();
        return cancelJob(job(kindOf(collection), id!));
      case "GET reinforcementFineTuningJobs/{id}:getMetricsFileEndpoint": {
        const found = job("rft", id!);
        if (found.metrics.length === 0) throw notFound(`metrics file for job "${found.resource.name}" not found: the job has not logged a step yet`);
        return { body: { signedUrl: metricsUrl(found) } };
      }
      case "GET models":
        return list([...state.models.values()], "models", query);
      case "GET models/{id}": {
        const model = state.models.get(fullName("models", id!));
        if (!model) throw notFound(`Model not found: ${fullName("models", id!)}`);
        return { body: model };
      }
      case "POST deployments":
        return createDeployment(body(), query);
      case "GET deployments":
        return list([...state.deployments.values()].map((d) => d.resource), "deployments", query);
      case "GET deployments/{id}":
        return { body: pollDeployment(deployment(id!)) };
      case "DELETE deployments/{id}":
        deployment(id!);
        state.deployments.delete(id!);
        return { body: {} };
      default:
        throw notFound("Not Found");
    }
  }

  function publicModels(id: string | undefined, query: URLSearchParams): Result {
    const models = settings.baseModels
      .filter((name) => name.startsWith("accounts/fireworks/models/"))
      .map((name) => ({ name, displayName: name.split("/").pop(), state: "READY", kind: "HF_BASE_MODEL", status: { code: "OK", message: "" } }));
    if (id === undefined) return list(models, "models", query);
    const model = models.find((m) => m.name === `accounts/fireworks/models/${id}`);
    if (!model) throw notFound(`Model not found: accounts/fireworks/models/${id}`);
    return { body: model };
  }

  function dataset(id: string): StandInDataset {
    const found = state.datasets.get(id);
    if (!found) throw notFound(`dataset "${fullName("datasets", id)}" not found`);
    return found;
  }

  function evaluator(id: string): StandInEvaluator {
    const found = state.evaluators.get(id);
    if (!found) throw notFound(`evaluator "${fullName("evaluators", id)}" not found`);
    return found;
  }

  function job(kind: "rft" | "sft", id: string): StandInJob {
    const found = state.jobs.get(`${kind}:${id}`);
    if (!found) throw notFound(`job "${fullName(kind === "rft" ? "reinforcementFineTuningJobs" : "supervisedFineTuningJobs", id)}" not found`);
    return found;
  }

  function deployment(id: string): StandInDeployment {
    const found = state.deployments.get(id);
    if (!found) throw notFound(`deployment "${fullName("deployments", id)}" not found`);
    return found;
  }

  function createDataset(body: Record<string, unknown>): Result {
    rejectUnknown(body, DATASET_CREATE_FIELDS, "");
    const id = requireId(body.datasetId, "dataset_id");
    const spec = requireObject(body.dataset, "dataset");
    rejectUnknown(spec, DATASET_FIELDS, "dataset.");
    if (spec.format !== undefined && !["FORMAT_UNSPECIFIED", "CHAT", "COMPLETION", "RL"].includes(spec.format as string)) {
      throw invalid(`invalid value for enum field format: ${JSON.stringify(spec.format)}`);
    }
    if (spec.exampleCount !== undefined && !isInt64(spec.exampleCount)) throw invalid("dataset.example_count must be an integer");
    if (state.datasets.has(id)) throw fail(409, GRPC.ALREADY_EXISTS, `dataset "${fullName("datasets", id)}" already exists`);
    const resource: StandInResource = {
      name: fullName("datasets", id),
      displayName: typeof spec.displayName === "string" ? spec.displayName : id,
      createTime: now(),
      state: "UPLOADING",
      status: { code: "OK", message: "" },
      exampleCount: String(spec.exampleCount ?? "0"),
      format: spec.format ?? "FORMAT_UNSPECIFIED",
      userUploaded: {},
      estimatedTokenCount: "0",
    };
    state.datasets.set(id, { id, resource, pollsSinceUpload: 0, pendingUploads: new Map() });
    return { body: resource };
  }

  function pollDataset(found: StandInDataset): StandInResource {
    if (found.file && found.resource.state !== "READY") {
      found.pollsSinceUpload++;
      if (found.pollsSinceUpload >= settings.readyAfterPolls) found.resource.state = "READY";
    }
    return found.resource;
  }

  function acceptDatasetFile(found: StandInDataset, fileName: string, bytes: Buffer): void {
    if (!fileName.endsWith(".jsonl")) throw invalid(`file "${fileName}": only .jsonl files are accepted`);
    const text = bytes.toString("utf8");
    const checked = checkChatJsonl(text);
    if ("error" in checked) throw invalid(`file "${fileName}": ${checked.error}`);
    found.file = { fileName, bytes: bytes.length, examples: checked.examples, text };
    found.resource.exampleCount = String(checked.examples);
    found.resource.estimatedTokenCount = String(Math.ceil(text.length / 4));
  }

  function multipartUpload(found: StandInDataset, raw: Buffer, contentType: string): Result {
    refuseSecondUpload(found);
    const parts = parseMultipart(raw, contentType);
    if (!parts) throw invalid("the request must be multipart/form-data with a boundary");
    const file = parts.find((part) => part.name === "file");
    if (!file || file.filename === undefined) throw invalid('the multipart body has no "file" part with a file name');
    acceptDatasetFile(found, file.filename, file.data);
    return {
      body: { id: found.resource.name, object: "file", bytes: file.data.length, created_at: Math.floor(Date.now() / 1000), filename: file.filename, purpose: "fine-tune" },
    };
  }

  function refuseSecondUpload(found: StandInDataset): void {
    if (found.file) throw precondition(`dataset "${found.resource.name}" already has an uploaded file`);
  }

  function uploadEndpoint(pending: Map<string, PendingUpload>, body: Record<string, unknown>, done: boolean): Result {
    rejectUnknown(body, ["filenameToSize", "readMask"], "");
    if (done) throw precondition("the upload was already validated");
    const sizes = requireObject(body.filenameToSize, "filename_to_size");
    const entries = Object.entries(sizes);
    if (entries.length === 0) throw invalid("filename_to_size must name at least one file");
    const urls: Record<string, string> = {};
    for (const [fileName, size] of entries) {
      if (!isInt64(size) || Number(size) < 0) throw invalid(`filename_to_size["${fileName}"] must be a byte count`);
      const upload: PendingUpload = { fileName, size: Number(size) };
      pending.set(fileName, upload);
      urls[fileName] = signedUrl(fileName, { kind: "upload", upload });
    }
    return { body: { filenameToSignedUrls: urls } };
  }

  function receivedUploads(pending: Map<string, PendingUpload>): PendingUpload[] {
    if (pending.size === 0) throw precondition("there is no upload to validate: call getUploadEndpoint first");
    const uploads = [...pending.values()];
    const missing = uploads.find((upload) => !upload.received);
    if (missing) throw precondition(`file "${missing.fileName}" was not uploaded to its signed URL`);
    pending.clear();
    return uploads;
  }

  function validateDatasetUpload(found: StandInDataset): Result {
    refuseSecondUpload(found);
    const [upload] = receivedUploads(found.pendingUploads);
    acceptDatasetFile(found, upload.fileName, upload.received!);
    return { body: {} };
  }

  function createEvaluator(body: Record<string, unknown>): Result {
    rejectUnknown(body, EVALUATOR_CREATE_FIELDS, "");
    const id = requireId(body.evaluatorId, "evaluator_id");
    const spec = requireObject(body.evaluator, "evaluator");
    rejectUnknown(spec, EVALUATOR_FIELDS, "evaluator.");
    if (typeof spec.entryPoint !== "string" || !/^[\w./-]+\.py::\w+$/.test(spec.entryPoint)) {
      throw invalid('evaluator.entry_point must look like "test_file.py::function"');
    }
    if (!Array.isArray(spec.criteria) || spec.criteria.length === 0) throw invalid("evaluator.criteria must have at least one criterion");
    for (const [i, criterion] of spec.criteria.entries()) {
      const c = criterion as { type?: unknown; name?: unknown };
      if (c?.type !== "CODE_SNIPPETS") throw invalid(`evaluator.criteria[${i}].type must be CODE_SNIPPETS`);
      if (typeof c.name !== "string" || !c.name) throw invalid(`evaluator.criteria[${i}].name is required`);
    }
    if (state.evaluators.has(id)) throw fail(409, GRPC.ALREADY_EXISTS, `evaluator "${fullName("evaluators", id)}" already exists`);
    const resource: StandInResource = {
      name: fullName("evaluators", id),
      displayName: spec.displayName ?? id,
      description: spec.description ?? "",
      entryPoint: spec.entryPoint,
      requirements: spec.requirements ?? "",
      criteria: spec.criteria,
      createTime: now(),
      // As the reference notes, an evaluator stays BUILDING until its package is uploaded and validated.
      state: "BUILDING",
      status: { code: "OK", message: "" },
    };
    state.evaluators.set(id, { id, resource, pendingUploads: new Map(), pollsSinceBuild: 0 });
    return { body: resource };
  }

  function validateEvaluatorUpload(found: StandInEvaluator): Result {
    if (found.build) throw precondition(`evaluator "${found.resource.name}" was already built`);
    const [upload] = receivedUploads(found.pendingUploads);
    found.build = { ...buildEvaluator(upload.fileName, upload.received!, String(found.resource.entryPoint)), archive: upload.received! };
    found.pollsSinceBuild = 0;
    return { body: {} };
  }

  function pollEvaluator(found: StandInEvaluator): StandInResource {
    if (found.build && found.resource.state === "BUILDING") {
      found.pollsSinceBuild++;
      if (found.pollsSinceBuild >= settings.readyAfterPolls) {
        found.resource.state = found.build.ok ? "ACTIVE" : "BUILD_FAILED";
        found.resource.status = found.build.ok
          ? { code: "OK", message: "" }
          : { code: "FAILED_PRECONDITION", message: `evaluator build failed: ${found.build.log.split("\n").find((l) => l.startsWith("ERROR")) ?? "see the build log"}` };
      }
    }
    return found.resource;
  }

  function buildLogEndpoint(found: StandInEvaluator): Result {
    if (!found.build) throw notFound(`no build log for evaluator "${found.resource.name}": it has not been built`);
    const build = found.build;
    return { body: { buildLogSignedUri: signedUrl("build.log", { kind: "read", read: () => build.log }) } };
  }

  function createJob(kind: "rft" | "sft", body: Record<string, unknown>, query: URLSearchParams): Result {
    const collection = kind === "rft" ? "reinforcementFineTuningJobs" : "supervisedFineTuningJobs";
    if (scripted.quota > 0) {
      scripted.quota--;
      throw fail(429, GRPC.RESOURCE_EXHAUSTED, `quota exceeded: the GPU quota of account "${account}" is exhausted; request more quota or wait for running jobs to finish`);
    }
    const idParam = query.get(kind === "rft" ? "reinforcementFineTuningJobId" : "supervisedFineTuningJobId");
    const id = idParam === null ? `job-${randomBytes(6).toString("hex")}` : requireId(idParam, `${kind === "rft" ? "reinforcement" : "supervised"}_fine_tuning_job_id`);
    rejectUnknown(body, kind === "rft" ? RFT_FIELDS : SFT_FIELDS, "");
    const training = kind === "rft" ? requireObject(body.trainingConfig, "training_config") : body;
    if (kind === "rft") rejectUnknown(training, TRAINING_CONFIG_FIELDS, "training_config.");
    const inference = kind === "rft" && body.inferenceParameters !== undefined ? requireObject(body.inferenceParameters, "inference_parameters") : {};
    rejectUnknown(inference, INFERENCE_PARAMETER_FIELDS, "inference_parameters.");
    if (state.jobs.has(`${kind}:${id}`)) throw fail(409, GRPC.ALREADY_EXISTS, `job "${fullName(collection, id)}" already exists`);

    const datasetName = requireString(body.dataset, "dataset");
    readyDataset(datasetName, "dataset");
    if (body.evaluationDataset !== undefined) readyDataset(requireString(body.evaluationDataset, "evaluation_dataset"), "evaluation_dataset");
    if (kind === "rft") {
      const evaluatorName = requireString(body.evaluator, "evaluator");
      const found = state.evaluators.get(ownId(evaluatorName, "evaluators") ?? "");
      if (!found) throw invalid(`evaluator "${evaluatorName}" not found`);
      if (found.resource.state !== "ACTIVE") throw precondition(`evaluator "${evaluatorName}" is not ACTIVE (state ${found.resource.state}): wait for its build to finish`);
      const n = inference.responseCandidatesCount;
      if (n !== undefined && (!Number.isInteger(n) || (n as number) < 2)) {
        throw invalid("inference_parameters.response_candidates_count must be at least 2: the reward compares candidates");
      }
      if (body.lossConfig !== undefined) {
        const loss = requireObject(body.lossConfig, "loss_config");
        rejectUnknown(loss, ["method", "klBeta"], "loss_config.");
        if (!["GRPO", "DAPO", "DPO", "ORPO", "GSPO_TOKEN"].includes(loss.method as string)) throw invalid(`invalid value for enum field loss_config.method: ${JSON.stringify(loss.method)}`);
      }
    }
    if (training.maxContextLength !== undefined && (!Number.isInteger(training.maxContextLength) || (training.maxContextLength as number) % 16 !== 0)) {
      throw invalid("max_context_length must be a multiple of 16");
    }
    const baseModel = training.baseModel;
    const warmStart = training.warmStartFrom;
    if ((baseModel === undefined) === (warmStart === undefined)) throw invalid("exactly one of base_model or warm_start_from must be set");
    if (baseModel !== undefined && !settings.baseModels.includes(baseModel as string)) throw notFound(`Model not found: ${String(baseModel)}`);
    if (warmStart !== undefined && state.models.get(warmStart as string)?.state !== "READY") throw notFound(`Model not found: ${String(warmStart)}`);
    const output = training.outputModel === undefined ? id : requireString(training.outputModel, "output_model");
    const outputModel = output.includes("/") ? output : fullName("models", output);
    if (!ownId(outputModel, "models")) throw invalid(`output_model "${output}" must be a model id or accounts/${account}/models/<id>`);
    if (state.models.has(outputModel)) throw fail(409, GRPC.ALREADY_EXISTS, `model "${outputModel}" already exists: choose another output model`);

    const common = { name: fullName(collection, id), displayName: body.displayName ?? id, state: "JOB_STATE_CREATING", status: { code: "OK", message: "" }, createTime: now() };
    const resource: StandInResource =
      kind === "rft"
        ? {
            ...body,
            ...common,
            trainingConfig: { epochs: 1, learningRate: 1e-4, loraRank: 8, maxContextLength: 8192, batchSize: 32768, ...training, outputModel },
            inferenceParameters: { maxOutputTokens: 2048, temperature: 0.7, topP: 1, topK: 40, responseCandidatesCount: 4, ...inference },
            lossConfig: body.lossConfig ?? { method: "GRPO" },
            jobProgress: {},
          }
        : { epochs: 1, learningRate: 1e-4, loraRank: 8, maxContextLength: 8192, ...body, ...common, outputModel, jobProgress: {} };
    const created: StandInJob = { kind, id, resource, polls: 0, outcome: "complete", metrics: [] };
    created.outcome = settings.jobOutcome(created);
    state.jobs.set(`${kind}:${id}`, created);
    return { body: resource };
  }

  function ownId(name: string, collection: string): string | undefined {
    const prefix = `accounts/${account}/${collection}/`;
    return name.startsWith(prefix) && ID.test(name.slice(prefix.length)) ? name.slice(prefix.length) : undefined;
  }

  function readyDataset(name: string, field: string): void {
    const found = state.datasets.get(ownId(name, "datasets") ?? "");
    if (!found) throw invalid(`${field} "${name}" not found`);
    if (found.resource.state !== "READY") throw precondition(`${field} "${name}" is not READY (state ${found.resource.state}): upload its file and wait until it is READY`);
  }

  function epochsOf(found: StandInJob): number {
    const epochs = found.kind === "rft" ? (found.resource.trainingConfig as { epochs?: unknown }).epochs : found.resource.epochs;
    return typeof epochs === "number" && epochs >= 1 ? Math.floor(epochs) : 1;
  }

  function logSteps(found: StandInJob): void {
    const total = settings.runningPolls * settings.stepsPerPoll;
    const epochs = epochsOf(found);
    for (let i = 0; i < settings.stepsPerPoll; i++) {
      const step = found.metrics.length + 1;
      const loss = round(2.2 * Math.exp(-0.12 * step) + 0.15);
      const point: Record<string, number> = { step, epoch: Math.min(epochs, Math.floor(((step - 1) * epochs) / total) + 1), loss };
      if (found.kind === "rft") point.reward = round(0.9 - 0.7 * Math.exp(-0.15 * step));
      if (found.kind === "sft" && found.resource.evaluationDataset !== undefined && i === settings.stepsPerPoll - 1) point.eval_loss = round(loss + 0.05);
      found.metrics.push(point);
    }
    if (found.kind === "sft") found.resource.metricsFileSignedUrl ??= metricsUrl(found);
  }

  function metricsUrl(found: StandInJob): string {
    return signedUrl("metrics.jsonl", { kind: "read", read: () => (found.metrics.length ? found.metrics.map((m) => JSON.stringify(m)).join("\n") + "\n" : undefined) });
  }

  /** One GET, one step: see the header comment. */
  function pollJob(found: StandInJob): StandInResource {
    const r = found.resource;
    if (FINAL_JOB_STATES.includes(r.state)) return r;
    if (r.state === "JOB_STATE_CANCELLING") {
      r.state = "JOB_STATE_CANCELLED";
      r.status = { code: "CANCELLED", message: "the job was cancelled" };
      r.completedTime = now();
      return r;
    }
    const running = settings.runningPolls;
    const stalled = found.outcome === "stall" && found.polls >= 2;
    if (!stalled) found.polls++;
    const p = found.polls;
    if (p === 1) {
      r.state = "JOB_STATE_VALIDATING";
    } else if (p <= 1 + running) {
      const k = p - 1;
      r.state = "JOB_STATE_RUNNING";
      if (stalled) return r;
      logSteps(found);
      r.jobProgress = { ...(r.jobProgress as object), percent: Math.round((100 * k) / running), epoch: found.metrics.at(-1)?.epoch ?? 1 };
      const failure = found.outcome === "fail" ? {} : typeof found.outcome === "object" ? found.outcome.fail : undefined;
      if (failure && k === Math.max(1, Math.ceil(running / 2))) {
        r.state = "JOB_STATE_FAILED";
        r.status = {
          code: failure.code ?? "INVALID_ARGUMENT",
          message: failure.message ?? (found.kind === "rft" ? "evaluator raised an exception on every rollout: KeyError: 'ground_truth'" : "training diverged: loss became NaN"),
        };
        r.completedTime = now();
      }
    } else if (p === 2 + running) {
      r.state = "JOB_STATE_WRITING_RESULTS";
      r.jobProgress = { ...(r.jobProgress as object), percent: 100 };
    } else {
      r.state = "JOB_STATE_COMPLETED";
      r.completedTime = now();
      const outputModel = String(found.kind === "rft" ? (r.trainingConfig as { outputModel: string }).outputModel : r.outputModel);
      const baseModel = found.kind === "rft" ? (r.trainingConfig as { baseModel?: string }).baseModel : (r.baseModel as string | undefined);
      state.models.set(outputModel, {
        name: outputModel,
        displayName: outputModel.split("/").pop(),
        state: "READY",
        status: { code: "OK", message: "" },
        kind: "HF_PEFT_ADDON",
        baseModel: baseModel ?? "",
        createTime: now(),
      });
    }
    return r;
  }

  function cancelJob(found: StandInJob): Result {
    if (FINAL_JOB_STATES.includes(found.resource.state)) {
      throw precondition(`job "${found.resource.name}" is already in a final state (${found.resource.state}) and cannot be cancelled`);
    }
    found.resource.state = "JOB_STATE_CANCELLING";
    return { body: {} };
  }

  function createDeployment(body: Record<string, unknown>, query: URLSearchParams): Result {
    rejectUnknown(body, DEPLOYMENT_FIELDS, "");
    const idParam = query.get("deploymentId");
    const id = idParam === null ? randomBytes(4).toString("hex") : requireId(idParam, "deployment_id");
    if (state.deployments.has(id)) throw fail(409, GRPC.ALREADY_EXISTS, `deployment "${fullName("deployments", id)}" already exists`);
    if (body.acceleratorType === undefined && body.deploymentShape === undefined) throw invalid("accelerator_type must be specified");
    if (body.acceleratorType !== undefined && !ACCELERATORS.includes(body.acceleratorType as string)) {
      throw invalid(`invalid value for enum field accelerator_type: ${JSON.stringify(body.acceleratorType)}`);
    }
    const baseModel = requireString(body.baseModel, "base_model");
    const own = state.models.get(baseModel);
    if (!own && !settings.baseModels.includes(baseModel)) throw notFound(`Model not found: ${baseModel}`);
    if (own && own.state !== "READY") throw precondition(`model "${baseModel}" is not READY (state ${own.state})`);
    const min = body.minReplicaCount ?? 0;
    const max = body.maxReplicaCount ?? 1;
    if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) < 0 || (max as number) < (min as number)) {
      throw invalid("replica counts must be integers with 0 <= min_replica_count <= max_replica_count");
    }
    const resource: StandInResource = {
      ...body,
      name: fullName("deployments", id),
      displayName: body.displayName ?? id,
      baseModel,
      minReplicaCount: min,
      maxReplicaCount: max,
      state: "CREATING",
      status: { code: "OK", message: "" },
      createTime: now(),
    };
    state.deployments.set(id, { id, resource, polls: 0 });
    return { body: resource };
  }

  function pollDeployment(found: StandInDeployment): StandInResource {
    if (found.resource.state === "CREATING") {
      found.polls++;
      if (found.polls >= settings.readyAfterPolls) found.resource.state = "READY";
    }
    return found.resource;
  }

  // ---- inference ----

  async function inference(method: string, path: string, raw: Buffer): Promise<Result> {
    if (method === "GET" && path === "/inference/v1/models") {
      const created = Math.floor(Date.now() / 1000);
      const data = [
        ...settings.baseModels.map((id) => ({ id, object: "model", owned_by: id.split("/")[1], created })),
        ...[...state.deployments.values()].filter((d) => d.resource.state === "READY").map((d) => ({ id: d.resource.name, object: "model", owned_by: account, created })),
      ];
      return { body: { object: "list", data } };
    }
    if (method !== "POST" || path !== "/inference/v1/chat/completions") throw notFound(`Unknown request URL: ${method} ${path}`);
    let body: Record<string, unknown>;
    try {
      body = parseJsonBody(raw);
    } catch {
      throw invalid("could not parse the JSON body of the request");
    }
    const extra = Object.keys(body).find((field) => !CHAT_FIELDS.includes(field));
    if (extra) throw invalid(`Extra inputs are not permitted (body.${extra})`);
    if (typeof body.model !== "string" || !body.model) throw invalid("Field required (body.model)");
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid("Field required (body.messages): a non-empty array");
    for (const [i, m] of (body.messages as unknown[]).entries()) {
      const message = m as { role?: unknown; content?: unknown };
      if (!["system", "user", "assistant", "tool"].includes(message?.role as string)) throw invalid(`Input should be 'system', 'user', 'assistant' or 'tool' (body.messages.${i}.role)`);
      if (typeof message.content !== "string") throw invalid(`Input should be a valid string (body.messages.${i}.content)`);
    }
    if (body.stream === true) throw invalid("the stand-in does not stream: send stream: false");
    if (!servesModel(body.model)) throw notFound("Model not found, inaccessible, and/or not deployed");
    const messages = body.messages as FireworksStandInMessage[];
    const content = await settings.answer(messages, body.model);
    const promptTokens = Math.ceil(messages.map((m) => m.content).join("").length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    return {
      body: {
        id: `chatcmpl-${randomBytes(6).toString("hex")}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      },
    };
  }

  /** A READY deployment (accounts/{a}/deployments/{d}, or <model>#<deployment> naming its model) or a serverless base model. */
  function servesModel(model: string): boolean {
    const [modelPart, deploymentPart] = model.includes("#") ? model.split("#", 2) : [undefined, model];
    const id = ownId(deploymentPart, "deployments");
    if (id) {
      const found = state.deployments.get(id);
      return !!found && found.resource.state === "READY" && (modelPart === undefined || found.resource.baseModel === modelPart);
    }
    return modelPart === undefined && settings.baseModels.includes(model);
  }

  const port = await listenLocal(server, settings.port);
  base = `http://127.0.0.1:${port}`;

  return {
    apiBaseUrl: base,
    inferenceBaseUrl: `${base}/inference/v1`,
    accountId: account,
    state,
    requests,
    throttleNext(n, retryAfterSeconds) {
      scripted.throttle = n;
      scripted.retryAfterSeconds = retryAfterSeconds;
    },
    failNext(n, status) {
      scripted.fail = n;
      scripted.failStatus = status;
    },
    exhaustQuotaNext(n) {
      scripted.quota = n;
    },
    delayNext(n, ms) {
      scripted.delay = n;
      scripted.delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A list answer as the gateway pages it: pageSize defaults to 50 and is capped at 200; the page
 * token is opaque to clients (here, the offset and collection, base64url-encoded) and is only good
 * for the collection that issued it.
 */
function list(items: unknown[], plural: string, query: URLSearchParams): { body: unknown } {
  const rawSize = query.get("pageSize");
  const requested = rawSize === null || rawSize === "" ? 0 : Number(rawSize);
  if (!Number.isInteger(requested) || requested < 0) throw invalid(`invalid page_size ${JSON.stringify(rawSize)}: must be a non-negative integer`);
  const pageSize = requested === 0 ? 50 : Math.min(requested, 200);
  let offset = 0;
  const token = query.get("pageToken");
  if (token) {
    let decoded: { c?: unknown; o?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { c?: unknown; o?: unknown };
    } catch {
      throw invalid("invalid page_token");
    }
    if (decoded.c !== plural || !Number.isInteger(decoded.o) || (decoded.o as number) < 0) throw invalid("invalid page_token");
    offset = decoded.o as number;
  }
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize < items.length ? Buffer.from(JSON.stringify({ c: plural, o: offset + pageSize })).toString("base64url") : undefined;
  return { body: { [plural]: page, ...(next ? { nextPageToken: next } : {}), totalSize: items.length } };
}

function kindOf(collection: string): "rft" | "sft" {
  return collection === "reinforcementFineTuningJobs" ? "rft" : "sft";
}

function splitVerb(segment: string): [string, string | undefined] {
  const colon = segment.indexOf(":");
  return colon < 0 ? [segment, undefined] : [segment.slice(0, colon), segment.slice(colon + 1)];
}

function codeName(code: number): string {
  const names: Record<number, string> = {
    3: "INVALID_ARGUMENT",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    16: "UNAUTHENTICATED",
  };
  return names[code] ?? "UNKNOWN";
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

function isInt64(value: unknown): boolean {
  return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
}

function parseJsonBody(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8") || "{}");
  } catch {
    throw invalid("proto: syntax error: the body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("proto: the body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function rejectUnknown(object: Record<string, unknown>, known: string[], prefix: string): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key));
  if (unknown) throw invalid(`proto: (line 1:2): unknown field "${prefix}${unknown}"`);
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`missing required field: ${field}`);
  return value as Record<string, unknown>;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || !value) throw invalid(`missing required field: ${field}`);
  return value;
}

function requireId(value: unknown, field: string): string {
  const id = requireString(value, field);
  if (!ID.test(id)) throw invalid(`invalid ${field} "${id}": use lower-case letters, digits and dashes (at most 63), starting with a letter or digit`);
  return id;
}

/**
 * Fireworks' chat JSONL rules (reference §3): each line an object with a non-empty `messages`
 * array of {role: system|user|assistant, content: string}, a system message only first; 3 to
 * 3,000,000 examples.
 */
export function checkChatJsonl(text: string): { examples: number } | { error: string } {
  const lines = text.split("\n");
  let examples = 0;
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const at = `line ${index + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      return { error: `${at}: not valid JSON` };
    }
    const messages = (row as { messages?: unknown })?.messages;
    if (typeof row !== "object" || row === null || !Array.isArray(messages) || messages.length === 0) {
      return { error: `${at}: missing "messages" (a non-empty array of {role, content})` };
    }
    for (const [i, m] of messages.entries()) {
      const message = m as { role?: unknown; content?: unknown };
      if (!["system", "user", "assistant"].includes(message?.role as string)) {
        return { error: `${at}: messages[${i}].role ${JSON.stringify(message?.role)} is not one of system, user, assistant` };
      }
      if (message.role === "system" && i > 0) return { error: `${at}: a system message must come first` };
      if (typeof message.content !== "string") return { error: `${at}: messages[${i}].content must be a string` };
    }
    examples++;
  }
  if (examples < 3) return { error: `the file has ${examples} example${examples === 1 ? "" : "s"}; a dataset needs at least 3` };
  if (examples > 3_000_000) return { error: `the file has ${examples} examples; a dataset holds at most 3,000,000` };
  return { examples };
}

/** An evaluator "build": the package must gunzip, be a tar, and hold requirements.txt, a test_*.py and the entry point's file. */
function buildEvaluator(fileName: string, bytes: Buffer, entryPoint: string): { ok: boolean; log: string; files: string[] } {
  const log = [`Step 1/4: unpacking ${fileName} (${bytes.length} bytes)`];
  const failed = (reason: string, files: string[] = []) => ({ ok: false, log: [...log, `ERROR: ${reason}`, "Build failed."].join("\n") + "\n", files });
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch {
    return failed(`${fileName} is not a gzip file: package the evaluator as a .tar.gz`);
  }
  let entries: TarEntry[];
  try {
    entries = readTar(tar);
  } catch (error) {
    return failed(`${fileName} is not a readable tar archive: ${(error as Error).message}`);
  }
  const files = entries.filter((e) => e.type === "0").map((e) => e.name);
  log.push(`found ${files.length} file${files.length === 1 ? "" : "s"}: ${files.join(", ") || "(none)"}`);
  // Packages are made either from inside the source directory or from its parent.
  const topLevel = (name: string) => name.split("/").length <= 2;
  const basename = (name: string) => name.split("/").pop() ?? name;
  if (!files.some((f) => topLevel(f) && basename(f) === "requirements.txt")) return failed("the package has no requirements.txt", files);
  if (!files.some((f) => topLevel(f) && /^test_.*\.py$/.test(basename(f)))) return failed("the package has no test_*.py file with the evaluation test", files);
  const entryFile = entryPoint.split("::")[0];
  if (!files.some((f) => f === entryFile || basename(f) === entryFile)) return failed(`the entry point's file ${entryFile} is not in the package`, files);
  const requirements = entries.find((e) => basename(e.name) === "requirements.txt")!.data.toString("utf8");
  const packages = requirements.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  log.push(`Step 2/4: pip install -r requirements.txt`, `Successfully installed ${packages.join(" ") || "(nothing)"}`);
  log.push(`Step 3/4: importing ${entryPoint}`, "Step 4/4: evaluator is ready", "Build succeeded.");
  return { ok: true, log: log.join("\n") + "\n", files };
}

export interface TarEntry {
  name: string;
  /** "0" regular file, "5" directory, … */
  type: string;
  data: Buffer;
}

/** Walks ustar/GNU/pax headers: names (prefix, long-name and pax path records), sizes, checksums. */
export function readTar(bytes: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const text = (b: Buffer) => b.toString("utf8").replace(/\0.*$/s, "");
  const octal = (b: Buffer) => {
    const s = text(b).trim();
    if (!/^[0-7]*$/.test(s)) throw new Error("a header field is not octal");
    return s ? parseInt(s, 8) : 0;
  };
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return entries;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (octal(header.subarray(148, 156)) !== sum) throw new Error(`bad header checksum at byte ${offset}`);
    if (header[124] & 0x80) throw new Error("base-256 sizes are not supported");
    const size = octal(header.subarray(124, 136));
    const type = header[156] === 0 ? "0" : String.fromCharCode(header[156]);
    const ustar = text(header.subarray(257, 263)).startsWith("ustar");
    const prefix = ustar ? text(header.subarray(345, 500)) : "";
    const name = text(header.subarray(0, 100));
    const data = bytes.subarray(offset + 512, offset + 512 + size);
    if (data.length < size) throw new Error("the archive is truncated");
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = text(data);
      continue;
    }
    if (type === "x") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
      if (path) longName = path;
      continue;
    }
    if (type === "g") continue;
    const full = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    entries.push({ name: full.replace(/^(\.\/)+/, ""), type: type === "7" ? "0" : type, data });
  }
  throw new Error("the archive has no end-of-archive marker");
}

/** A .tar.gz of the given files (ustar), for tests that upload evaluator packages. */
export function createTarGz(files: Record<string, string | Uint8Array>): Uint8Array {
  const blocks: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const [name, content] of Object.entries(files)) {
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write(`${mtime.toString(8).padStart(11, "0")}\0`, 136);
    header.fill(" ", 148, 156);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}

interface MultipartPart {
  name?: string;
  filename?: string;
  data: Buffer;
}

/** multipart/form-data parts; null when the body is not multipart with the declared boundary. */
function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | null {
  const match = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!match) return null;
  const boundary = Buffer.from(`--${match[1] ?? match[2]}`);
  const delimiter = Buffer.concat([Buffer.from("\r\n"), boundary]);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(boundary);
  if (pos < 0) return null;
  pos += boundary.length;
  for (;;) {
    if (body.subarray(pos, pos + 2).toString() === "--") return parts;
    if (body.subarray(pos, pos + 2).toString() !== "\r\n") return null;
    pos += 2;
    const headerEnd = body.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0) return null;
    const headers = body.subarray(pos, headerEnd).toString("utf8");
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) return null;
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? "";
    parts.push({
      name: /;\s*name="([^"]*)"/i.exec(disposition)?.[1],
      filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1],
      data: body.subarray(headerEnd + 4, next),
    });
    pos = next + delimiter.length;
  }
}

function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}



/**
 * Serves the stand-in as a program. Options: --port N (default any free port), --api-key K,
 * --account A, --ready-after-polls N, --running-polls N.
 */
async function main(argv: string[]) {
  const option = (name: string) => cliOption(argv, name);
  const number = (name: string) => (option(name) === undefined ? {} : { [name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]: Number(option(name)) });
  const standIn = await startFireworksStandIn({
    port: Number(option("port") ?? 0),
    ...(option("api-key") ? { apiKey: option("api-key") } : {}),
    ...(option("account") ? { accountId: option("account") } : {}),
    ...number("ready-after-polls"),
    ...number("running-polls"),
  });
  return { url: standIn.apiBaseUrl, close: () => standIn.close() };
}

runAsProgram(import.meta.url, main);
