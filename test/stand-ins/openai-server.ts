// A local stand-in for an OpenAI-compatible chat-completions endpoint, for tests and demos
// without network access. It checks what real endpoints check (Bearer key, model, JSON body,
// the shape of response_format) and answers in the same shapes, including OpenAI-style error bodies.
// An answer function can script each request: a normal answer, a slow one, a malformed body, or
// an error status with an optional Retry-After (see `standInReply`).
// Run as a program (`node --import tsx test/stand-ins/openai-server.ts --delay-ms 100 --answers
// answers.json`), it serves in its own process and prints "listening <base URL>"; benchmarks use
// that so the endpoint does not share the event loop of the code being measured.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody } from "./read-body";
import { cliOption, listenLocal, runAsProgram, sendJson, waitUnlessClosed } from "./serve";

export interface StandInMessage {
  role: string;
  content: string;
}

/** A scripted reply to one request, returned by an answer function instead of plain content. */
export type StandInReply =
  | { kind: "content"; content: string; delayMs?: number }
  /** `body` is sent as is with status 200 (or `status`): invalid JSON, JSON without choices… */
  | { kind: "raw"; body: string; status?: number; delayMs?: number }
  /** An OpenAI-style error body with this status, and a Retry-After header when given. */
  | { kind: "error"; status: number; message?: string; retryAfterSeconds?: number; delayMs?: number };

export const standInReply = {
  content: (content: string, delayMs?: number): StandInReply => ({ kind: "content", content, delayMs }),
  /** Answers after `delayMs` (on top of the behaviour's delay): slower than a client timeout, say. */
  slow: (delayMs: number, content: string): StandInReply => ({ kind: "content", content, delayMs }),
  invalidJson: (body = '{"id": "chatcmpl-broken", "choices": [{"message": '): StandInReply => ({ kind: "raw", body }),
  noChoices: (): StandInReply => ({ kind: "raw", body: JSON.stringify({ id: "chatcmpl-empty", object: "chat.completion", choices: [] }) }),
  error: (status: number, options: { message?: string; retryAfterSeconds?: number } = {}): StandInReply => ({ kind: "error", status, ...options }),
};

/** What the answer function is told about the request besides its messages. */
export interface StandInRequestInfo {
  /** 1 for the first request with these messages, 2 for the next (a retry, or a second run)… */
  attempt: number;
  /** Position of the request among all requests since the stand-in started (0-based). */
  index: number;
}

export interface StandInBehaviour {
  /** Key expected in "Authorization: Bearer …". Default "test-key". */
  apiKey: string;
  /** Models that exist; any other gets 404 model_not_found. Default ["test-model"]. */
  models: string[];
  /**
   * Produces the assistant's content, or a scripted reply (`standInReply`). Default: "SELECT 1".
   * `body` is the parsed request, so a handler can answer a structured-output request
   * (`body.response_format`) with JSON.
   */
  answer: (messages: StandInMessage[], body: Record<string, unknown>, info: StandInRequestInfo) => string | StandInReply | Promise<string | StandInReply>;
  /** Fail this many requests first (counted across all requests since the behaviour was set). */
  failFirst: number;
  /** Status for those failures. Default 503. */
  failStatus: number;
  /** Retry-After header (seconds) sent with the failures; omitted when undefined. */
  retryAfterSeconds?: number;
  /** Delay before every answer, in ms. Default 0. */
  delayMs: number;
  /** Port to listen on; 0 (default) picks a free one. Read when the stand-in starts. */
  port: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
  /** 0 while the request is being answered (or when the client went away first) */
  status: number;
  /** When the request arrived / was answered (ms since the epoch) */
  at: number;
  repliedAt?: number;
}

export interface OpenAiStandIn {
  /** Base URL ending in /v1, e.g. "http://127.0.0.1:53121/v1". */
  url: string;
  requests: RecordedRequest[];
  /** Changes the behaviour for subsequent requests; resets the failure counter. */
  configure(changes: Partial<StandInBehaviour>): void;
  close(): Promise<void>;
}

const DEFAULTS: StandInBehaviour = {
  apiKey: "test-key",
  models: ["test-model"],
  answer: () => "SELECT 1",
  failFirst: 0,
  failStatus: 503,
  delayMs: 0,
  port: 0,
};

export async function startOpenAiStandIn(options: Partial<StandInBehaviour> = {}): Promise<OpenAiStandIn> {
  let behaviour: StandInBehaviour = { ...DEFAULTS, ...options };
  let failed = 0;
  let sequence = 0;
  const requests: RecordedRequest[] = [];
  const attemptsByMessages = new Map<string, number>();
  const sockets = new Set<import("node:net").Socket>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error), "server_error", null);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? "/").split("?")[0];
    const record: RecordedRequest = {
      method: req.method ?? "",
      path,
      authorization: req.headers.authorization,
      body: raw,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const index = requests.length - 1;
    const reply = (status: number, send: () => void) => {
      record.status = status;
      record.repliedAt = Date.now();
      send();
    };

    if (path !== "/v1/chat/completions") {
      return reply(404, () => sendError(res, 404, `Unknown request URL: ${req.method} ${path}.`, "invalid_request_error", "unknown_url"));
    }
    if (req.method !== "POST") {
      return reply(405, () => sendError(res, 405, `Method ${req.method} not allowed.`, "invalid_request_error", null));
    }
    const auth = req.headers.authorization ?? "";
    const key = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (!key) {
      return reply(401, () =>
        sendError(res, 401, "You didn't provide an API key. Provide it in the Authorization header (Bearer).", "invalid_request_error", null),
      );
    }
    if (key !== behaviour.apiKey) {
      // Like the real service, echo only a masked form of the key.
      const masked = key.length > 8 ? `${key.slice(0, 3)}***${key.slice(-4)}` : "***";
      return reply(401, () => sendError(res, 401, `Incorrect API key provided: ${masked}.`, "invalid_request_error", "invalid_api_key"));
    }

    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
      record.body = body;
    } catch {
      return reply(400, () => sendError(res, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null));
    }
    const problem = validate(body);
    if (problem) return reply(400, () => sendError(res, 400, problem, "invalid_request_error", null));
    const formatProblem = validateResponseFormat(body);
    if (formatProblem) {
      return reply(400, () => sendError(res, 400, formatProblem.message, "invalid_request_error", formatProblem.code, formatProblem.param));
    }
    if (!behaviour.models.includes(body.model as string)) {
      return reply(404, () =>
        sendError(res, 404, `The model \`${String(body.model)}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found"),
      );
    }

    if (failed < behaviour.failFirst) {
      failed++;
      const status = behaviour.failStatus;
      if (behaviour.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(behaviour.retryAfterSeconds));
      return reply(status, () =>
        status === 429
          ? sendError(res, 429, "Rate limit reached for requests. Please try again shortly.", "requests", "rate_limit_exceeded")
          : sendError(res, status, "The server is overloaded or not ready yet.", "server_error", null),
      );
    }

    const messages = body.messages as StandInMessage[];
    const messagesKey = JSON.stringify(messages);
    const attempt = (attemptsByMessages.get(messagesKey) ?? 0) + 1;
    attemptsByMessages.set(messagesKey, attempt);
    const answered = await behaviour.answer(messages, body, { attempt, index });
    const scripted: StandInReply = typeof answered === "string" ? { kind: "content", content: answered } : answered;
    const delayMs = behaviour.delayMs + (scripted.delayMs ?? 0);
    if (delayMs > 0) await waitUnlessClosed(res, delayMs);
    // The client gave up (its timeout, a cancelled run, a killed worker): nothing to answer.
    if (res.destroyed || res.writableEnded || req.socket.destroyed) return;

    if (scripted.kind === "error") {
      if (scripted.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(scripted.retryAfterSeconds));
      const status = scripted.status;
      const message = scripted.message ?? (status === 429 ? "Rate limit reached for requests. Please try again shortly." : "The server had an error while processing your request.");
      return reply(status, () => sendError(res, status, message, status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error", status === 429 ? "rate_limit_exceeded" : null));
    }
    if (scripted.kind === "raw") {
      return reply(scripted.status ?? 200, () => {
        res.statusCode = scripted.status ?? 200;
        res.setHeader("content-type", "application/json");
        res.end(scripted.body);
      });
    }
    const content = scripted.content;
    const promptTokens = countTokens(messages.map((m) => m.content).join(""));
    const completionTokens = countTokens(content);
    reply(200, () =>
      sendJson(res, 200, {
        id: `chatcmpl-standin-${++sequence}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      }),
    );
  }

  const port = await listenLocal(server, behaviour.port);

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    configure(changes) {
      behaviour = { ...behaviour, ...changes };
      failed = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function validate(body: Record<string, unknown>): string | undefined {
  if (typeof body.model !== "string" || body.model === "") return "you must provide a model parameter";
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "'messages' is a required property and must be a non-empty array";
  }
  for (const [i, m] of (body.messages as unknown[]).entries()) {
    const message = m as { role?: unknown; content?: unknown };
    if (typeof message !== "object" || message === null) return `messages[${i}] must be an object`;
    if (!["system", "user", "assistant", "tool", "developer"].includes(message.role as string)) {
      return `Invalid value for 'messages[${i}].role': ${JSON.stringify(message.role)}`;
    }
    if (typeof message.content !== "string") return `Invalid type for 'messages[${i}].content': expected a string`;
  }
  if (body.temperature !== undefined && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 2)) {
    return "Invalid 'temperature': expected a number between 0 and 2";
  }
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)) {
    return "Invalid 'max_tokens': expected a positive integer";
  }
  return undefined;
}

interface FormatProblem {
  message: string;
  param: string;
  code: string | null;
}

/**
 * `response_format` as OpenAI checks it: a known type; for "json_schema" a name and a schema
 * object, and with `strict: true` the subset strict decoding needs (an object at the root,
 * `additionalProperties: false` and every property required on each object); for "json_object"
 * the word "json" somewhere in the messages.
 */
function validateResponseFormat(body: Record<string, unknown>): FormatProblem | undefined {
  const format = body.response_format;
  if (format === undefined || format === null) return undefined;
  const problem = (message: string, param: string, code: string | null = null): FormatProblem => ({ message, param, code });
  if (typeof format !== "object" || Array.isArray(format)) {
    return problem("Invalid type for 'response_format': expected an object.", "response_format", "invalid_type");
  }
  const { type, json_schema: jsonSchema } = format as { type?: unknown; json_schema?: unknown };
  if (type === undefined) return problem("Missing required parameter: 'response_format.type'.", "response_format.type", "missing_required_parameter");
  if (type !== "text" && type !== "json_object" && type !== "json_schema") {
    return problem(
      `Invalid value: ${JSON.stringify(type)}. Supported values are: 'json_object', 'json_schema', and 'text'.`,
      "response_format.type",
      "invalid_value",
    );
  }
  if (type === "json_object") {
    const mentionsJson = (body.messages as StandInMessage[]).some((m) => /json/i.test(m.content));
    return mentionsJson
      ? undefined
      : problem("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");
  }
  if (type !== "json_schema") return undefined;
  if (typeof jsonSchema !== "object" || jsonSchema === null || Array.isArray(jsonSchema)) {
    return problem("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter");
  }
  const { name, schema, strict } = jsonSchema as { name?: unknown; schema?: unknown; strict?: unknown };
  if (typeof name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    return problem(
      "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' and is at most 64 characters.",
      "response_format.json_schema.name",
      "invalid_value",
    );
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    return problem(
      "Missing required parameter: 'response_format.json_schema.schema' (a JSON schema object).",
      "response_format.json_schema.schema",
      "missing_required_parameter",
    );
  }
  if (strict !== undefined && strict !== null && typeof strict !== "boolean") {
    return problem("Invalid type for 'response_format.json_schema.strict': expected a boolean.", "response_format.json_schema.strict", "invalid_type");
  }
  if (strict !== true) return undefined;
  const root = schema as Record<string, unknown>;
  if (root.type !== "object") {
    return problem(
      `Invalid schema for response_format '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: ${JSON.stringify(root.type)}'.`,
      "response_format",
      "invalid_json_schema",
    );
  }
  const strictProblem = strictSchemaProblem(root, []);
  return strictProblem
    ? problem(`Invalid schema for response_format '${name}': ${strictProblem}`, "response_format", "invalid_json_schema")
    : undefined;
}

function strictSchemaProblem(node: unknown, context: string[]): string | undefined {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  const schema = node as Record<string, unknown>;
  const where = `In context=(${context.map((c) => `'${c}'`).join(", ")})`;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const properties = typeof schema.properties === "object" && schema.properties !== null ? (schema.properties as Record<string, unknown>) : undefined;
  if (types.includes("object") || properties) {
    if (schema.additionalProperties !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties ?? {}).filter((key) => !required.includes(key));
    if (missing.length > 0) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
    for (const [key, child] of Object.entries(properties ?? {})) {
      const found = strictSchemaProblem(child, [...context, "properties", key]);
      if (found) return found;
    }
  }
  if (schema.items !== undefined) {
    const found = strictSchemaProblem(schema.items, [...context, "items"]);
    if (found) return found;
  }
  for (const keyword of ["anyOf", "$defs", "definitions"] as const) {
    const value = schema[keyword];
    if (typeof value !== "object" || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const found = strictSchemaProblem(child, [...context, keyword, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** A rough token count, as tokenizers average on English and SQL: one token per 4 characters. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}




function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null): void {
  sendJson(res, status, { error: { message, type, param, code } });
}

/**
 * Serves the stand-in as a program. Options: --port N (default: any free port), --delay-ms N,
 * --api-key K, --model M, --answers FILE: JSON {"byUser": {"<user message>": "<answer>"},
 * "fallback": "<answer>"}; a user message not listed gets the fallback ("SELECT 1" by default).
 */
async function main(argv: string[]) {
  const option = (name: string) => cliOption(argv, name);
  const answersFile = option("answers");
  const answers = answersFile ? (JSON.parse(readFileSync(answersFile, "utf8")) as { byUser?: Record<string, string>; fallback?: string }) : {};
  const byUser = new Map(Object.entries(answers.byUser ?? {}));
  const standIn = await startOpenAiStandIn({
    ...(option("api-key") ? { apiKey: option("api-key") } : {}),
    ...(option("model") ? { models: [option("model")!] } : {}),
    delayMs: Number(option("delay-ms") ?? 0),
    port: Number(option("port") ?? 0),
    answer: (messages) => byUser.get([...messages].reverse().find((m) => m.role === "user")?.content ?? "") ?? answers.fallback ?? "SELECT 1",
  });
  return standIn;
}

runAsProgram(import.meta.url, main);
