// A local stand-in for the Amazon Bedrock runtime's Converse API, for tests without network access.
// It checks what Bedrock checks before a model runs (a SigV4 signature made with the expected
// access key, the model id, the shape of the conversation) and answers in the same shapes, errors
// included: a JSON body {"message": …} and the error name in the x-amzn-ErrorType header, which is
// what the AWS SDK reads to build its exception. It speaks HTTP/2 (cleartext, prior knowledge)
// because that is how the SDK's Bedrock runtime client talks to the service by default.
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import { readBody } from "./read-body";
import { listenLocal } from "./serve";
import { headerOf, safeDecode, verifySigV4, type SigV4Problem } from "./sigv4";

export interface ConverseMessage {
  role: string;
  content: { text?: string }[];
}

export interface ConverseBody {
  messages?: ConverseMessage[];
  system?: { text?: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number };
}

export interface BedrockStandInBehaviour {
  /** Region requests must be signed for. Default "us-east-1". */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it as x-amz-security-token (temporary credentials). */
  sessionToken?: string;
  /** Model ids and deployment ARNs that exist; any other gets 404 ResourceNotFoundException. */
  models: string[];
  /** Produces the assistant's text. Default "SELECT 1". */
  answer: (messages: ConverseMessage[], body: ConverseBody, modelId: string) => string | Promise<string>;
  /** Fail this many (otherwise valid) requests first, counted since the behaviour was set. */
  failFirst: number;
  /** Status for those failures. Default 503. */
  failStatus: number;
  /** Error name for those failures; default from the status (429 ThrottlingException, 503 ServiceUnavailableException, other 5xx InternalServerException). */
  failType?: string;
  /** Message for those failures; default: what Bedrock says for that error. */
  failMessage?: string;
  /** Retry-After header (seconds) sent with the failures; omitted when undefined. */
  retryAfterSeconds?: number;
  /** Delay before every answer, in ms. Default 0. */
  delayMs: number;
}

export interface BedrockRecordedRequest {
  method: string;
  path: string;
  /** Percent-decoded model id from the path ("" when the path is not a model route). */
  modelId: string;
  authorization?: string;
  /** Access key id from the signature's credential scope. */
  accessKeyId?: string;
  sessionToken?: string;
  body: ConverseBody | string;
  status: number;
  /** Error name sent, when the request failed. */
  errorType?: string;
  at: number;
}

export interface BedrockStandIn {
  /** Endpoint URL for the SDK's `endpoint` option, e.g. "http://127.0.0.1:53121". */
  url: string;
  requests: BedrockRecordedRequest[];
  /** Changes the behaviour for subsequent requests; resets the failure counter. */
  configure(changes: Partial<BedrockStandInBehaviour>): void;
  close(): Promise<void>;
}

const DEFAULTS: BedrockStandInBehaviour = {
  region: "us-east-1",
  accessKeyId: "AKIASTANDIN000000001",
  secretAccessKey: "standin/secret/access/key/0000000000000",
  models: ["us.amazon.nova-micro-v1:0"],
  answer: () => "SELECT 1",
  failFirst: 0,
  failStatus: 503,
  delayMs: 0,
};

const FAILURE_MESSAGES: Record<string, string> = {
  ThrottlingException: "Too many requests, please wait before trying again.",
  ServiceUnavailableException: "Bedrock is unable to process your request.",
  InternalServerException: "The server encountered an internal error while processing the request.",
  ModelNotReadyException: "Model is not ready for inference. Wait and try your request again. Refer to Bedrock documentation for more information.",
};

export async function startBedrockStandIn(options: Partial<BedrockStandInBehaviour> = {}): Promise<BedrockStandIn> {
  let behaviour: BedrockStandInBehaviour = { ...DEFAULTS, ...options };
  let failed = 0;
  const requests: BedrockRecordedRequest[] = [];
  const sessions = new Set<Http2Session>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalServerException", String(error));
    });
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });

  async function handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const rawPath = (req.url ?? "/").split("?")[0];
    const route = /^\/model\/([^/]+)\/converse$/.exec(rawPath);
    const record: BedrockRecordedRequest = {
      method: req.method ?? "",
      path: rawPath,
      modelId: route ? safeDecode(route[1]) : "",
      authorization: headerOf(req, "authorization"),
      sessionToken: headerOf(req, "x-amz-security-token"),
      body: raw,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const fail = (status: number, type: string, message: string) => {
      record.status = status;
      record.errorType = type;
      sendError(res, status, type, message);
    };

    // Signature first: AWS authenticates a request before it looks at the route or the body.
    const auth = checkSignature(req, raw, behaviour);
    record.accessKeyId = auth.accessKeyId;
    if (auth.problem) return fail(auth.problem.status, auth.problem.type, auth.problem.message);

    if (!route) return fail(404, "UnknownOperationException", `No operation at ${req.method} ${rawPath}.`);
    if (req.method !== "POST") return fail(405, "UnknownOperationException", `Method ${req.method} is not allowed on ${rawPath}.`);

    let body: ConverseBody;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as ConverseBody;
      record.body = body;
    } catch {
      return fail(400, "SerializationException", "Could not parse the request body as JSON.");
    }
    const problem = validate(body);
    if (problem) return fail(400, "ValidationException", problem);
    if (!behaviour.models.includes(record.modelId)) {
      return record.modelId.startsWith("arn:")
        ? fail(404, "ResourceNotFoundException", `The specified resource ARN ${record.modelId} was not found. Check the ARN and try your request again.`)
        : fail(404, "ResourceNotFoundException", "Model not found.");
    }

    if (failed < behaviour.failFirst) {
      failed++;
      const status = behaviour.failStatus;
      const type =
        behaviour.failType ?? (status === 429 ? "ThrottlingException" : status === 503 ? "ServiceUnavailableException" : "InternalServerException");
      if (behaviour.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(behaviour.retryAfterSeconds));
      return fail(status, type, behaviour.failMessage ?? FAILURE_MESSAGES[type] ?? `${type}.`);
    }

    const started = Date.now();
    if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (res.stream.destroyed) return;

    const messages = body.messages!;
    const text = await behaviour.answer(messages, body, record.modelId);
    const inputTokens = countTokens([...(body.system ?? []), ...messages.flatMap((m) => m.content)].map((b) => b.text ?? "").join(" "));
    const outputTokens = countTokens(text);
    record.status = 200;
    sendJson(res, 200, {
      output: { message: { role: "assistant", content: [{ text }] } },
      stopReason: "end_turn",
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: Date.now() - started },
    });
  }

  const port = await listenLocal(server);

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    configure(changes) {
      behaviour = { ...behaviour, ...changes };
      failed = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** AWS authenticates a Converse request as SigV4 for the bedrock service in the expected region. */
function checkSignature(req: Http2ServerRequest, rawBody: string, expected: BedrockStandInBehaviour): { accessKeyId?: string; problem?: SigV4Problem } {
  return verifySigV4(req, rawBody, { ...expected, service: "bedrock" });
}

/** Bedrock's own checks on a Converse body, with its wording. */
function validate(body: ConverseBody): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return "1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must not be null";
  }
  for (const [i, message] of messages.entries()) {
    if (message?.role !== "user" && message?.role !== "assistant") {
      return `1 validation error detected: Value '${String(message?.role)}' at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`;
    }
    if (i === 0 && message.role !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (i > 0 && message.role === messages[i - 1].role) {
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    }
    for (const [j, block] of message.content.entries()) {
      if (typeof block?.text !== "string" || !block.text.trim()) {
        return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      }
    }
  }
  for (const [i, block] of (body.system ?? []).entries()) {
    if (typeof block?.text !== "string" || !block.text.trim()) {
      return `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`;
    }
  }
  const config = body.inferenceConfig ?? {};
  if (config.temperature !== undefined && (typeof config.temperature !== "number" || config.temperature < 0 || config.temperature > 1)) {
    return `1 validation error detected: Value '${String(config.temperature)}' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1`;
  }
  if (config.maxTokens !== undefined && (!Number.isInteger(config.maxTokens) || config.maxTokens < 1)) {
    return `1 validation error detected: Value '${String(config.maxTokens)}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1`;
  }
  return undefined;
}

function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}


function sendJson(res: Http2ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("x-amzn-requestid", `standin-${Math.random().toString(16).slice(2, 10)}`);
  res.end(JSON.stringify(payload));
}

function sendError(res: Http2ServerResponse, status: number, type: string, message: string): void {
  res.setHeader("x-amzn-errortype", `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`);
  sendJson(res, status, { message });
}
