import "server-only";
import { AWS_SIGNATURE_ERRORS, awsCredentialsOption } from "@/lib/providers/server/aws-common";
import { backoff, formatSeconds, parseRetryAfter, quoteOneLine, sleep } from "@/lib/providers/server/retry";
import { BedrockRuntimeClient, ConverseCommand, type Message, type SystemContentBlock } from "@aws-sdk/client-bedrock-runtime";
import { ProviderError, ValidationError } from "@/lib/errors";
import type { ChatClient, ChatCompletion, ChatMessage, CompleteOptions } from "@/lib/providers/chat";
import { redactSecrets, registerSecret } from "@/lib/redact";

// Client for Amazon Bedrock's Converse API (base models, inference profiles, custom model
// deployments and provisioned throughput alike: the model id may be an id or an ARN). The AWS SDK
// signs requests; its own retries are switched off so this client's retry policy (which errors,
// how long to wait, Retry-After honoured and capped) is the one the OpenAI-compatible client has.
// Credentials are either given or found by the SDK's default chain; no message this module
// produces contains the secret key or the session token.

export interface BedrockCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface BedrockClientConfig {
  /** e.g. "us-east-1" */
  region: string;
  /** A base model or inference profile id ("us.amazon.nova-micro-v1:0") or a deployment / provisioned model ARN. */
  modelId: string;
  /** Overrides the regional endpoint (a VPC endpoint, a local stand-in). */
  endpointUrl?: string;
  /** Omitted: the SDK's default chain (environment, shared config and SSO, web identity, container or instance role). */
  credentials?: BedrockCredentials;
  /** Per attempt. Default 60 000. */
  timeoutMs?: number;
  /** Retries after the first attempt for throttling, 5xx, an unready model and network errors. Default 3. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry. Default 500. */
  retryBaseMs?: number;
  /** Cap on any single wait, including a server's Retry-After. Default 20 000. */
  maxRetryDelayMs?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NAMES = new Set([
  "ThrottlingException",
  "ServiceUnavailableException",
  "ModelNotReadyException",
  "InternalServerException",
  "TooManyRequestsException",
]);
const CREDENTIAL_ERRORS = new Set(["AccessDeniedException", ...AWS_SIGNATURE_ERRORS]);

/** What the SDK throws: a service exception (name, $metadata, hidden $response) or a network/credential error. */
interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  cause?: { code?: unknown; message?: unknown };
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

export function createBedrockChatClient(config: BedrockClientConfig): ChatClient {
  const region = config.region?.trim();
  const modelId = config.modelId?.trim();
  if (!region) throw new ValidationError("The Bedrock endpoint has no region. Set it in the endpoint settings, e.g. us-east-1.");
  if (!modelId) throw new ValidationError("The Bedrock endpoint has no model id. Give a model id such as us.amazon.nova-micro-v1:0, or a deployment ARN.");
  const secrets = [config.credentials?.secretAccessKey, config.credentials?.sessionToken, config.credentials?.accessKeyId].filter(
    (s): s is string => !!s,
  );
  for (const secret of secrets) registerSecret(secret);
  const scrub = (text: string) => redactSecrets(secrets.reduce((out, secret) => out.split(secret).join("[redacted]"), text));

  let endpoint: string | undefined;
  if (config.endpointUrl) {
    try {
      const url = new URL(config.endpointUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      endpoint = config.endpointUrl.replace(/\/+$/, "");
    } catch {
      throw new ValidationError(`The Bedrock endpoint URL is not a valid http(s) URL: ${scrub(config.endpointUrl).slice(0, 200)}`);
    }
  }
  const where = endpoint ? new URL(endpoint).host : `bedrock-runtime.${region}.amazonaws.com`;
  const timeoutMs = config.timeoutMs ?? 60_000;
  const maxRetries = config.maxRetries ?? 3;
  const retryBaseMs = config.retryBaseMs ?? 500;
  const maxRetryDelayMs = config.maxRetryDelayMs ?? 20_000;

  const client = new BedrockRuntimeClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...awsCredentialsOption(config.credentials),
    maxAttempts: 1,
  });
  const context: ErrorContext = { modelId, region, where, scrub };

  async function complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<ChatCompletion> {
    if (options.jsonSchema) {
      throw new ValidationError(
        "Structured output (a JSON schema) is not available on Bedrock endpoints. Use an OpenAI-compatible endpoint for this step.",
      );
    }
    const { system, conversation } = toConverse(messages);
    const inferenceConfig = {
      ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    };
    let lastError: ProviderError | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const attempts = attempt + 1;
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const command = new ConverseCommand({
          modelId,
          messages: conversation,
          ...(system.length > 0 ? { system } : {}),
          ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
        });
        const out = await client.send(command, { abortSignal: controller.signal });
        const latencyMs = Math.round(performance.now() - started);
        const text = (out.output?.message?.content ?? [])
          .map((block) => ("text" in block && typeof block.text === "string" ? block.text : ""))
          .join("");
        if (!out.output?.message || !(out.output.message.content ?? []).some((block) => "text" in block)) {
          throw new ProviderError(
            `Bedrock answered without any text for ${modelId} (stop reason: ${out.stopReason ?? "none"}). Check that the model supports the Converse API.`,
            { model: modelId, attempts },
          );
        }
        const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
        return {
          text,
          usage: out.usage
            ? { promptTokens: num(out.usage.inputTokens), completionTokens: num(out.usage.outputTokens), totalTokens: num(out.usage.totalTokens) }
            : undefined,
          latencyMs,
          attempts,
          finishReason: out.stopReason,
        };
      } catch (error) {
        // The attempt is over: its timer must not fire during the wait before the next one.
        clearTimeout(timer);
        if (error instanceof ProviderError) throw error;
        if (controller.signal.aborted) {
          throw new ProviderError(
            `Bedrock (${modelId} in ${region}) did not answer within ${formatSeconds(timeoutMs)}. Try again, or raise the timeout for slow models.`,
            { model: modelId, region, attempts },
          );
        }
        const failure = classify(error as SdkError);
        lastError = toProviderError(failure, context, attempts);
        if (failure.retryable && attempt < maxRetries) {
          const wait = Math.min(maxRetryDelayMs, failure.retryAfterMs ?? backoff(attempt, retryBaseMs, maxRetryDelayMs));
          await sleep(wait);
          continue;
        }
        throw lastError;
      } finally {
        clearTimeout(timer);
      }
    }
    throw lastError ?? new ProviderError(`Bedrock (${modelId} in ${region}) failed.`);
  }

  return { model: modelId, complete };
}

/**
 * Converse takes the system prompt apart from the turns, and turns must alternate starting with
 * the user: system messages go to `system`, and consecutive turns of one role are joined (blank
 * line between) so any chat the studio builds is a valid conversation.
 */
export function toConverse(messages: ChatMessage[]): { system: SystemContentBlock[]; conversation: Message[] } {
  const system: SystemContentBlock[] = [];
  const conversation: Message[] = [];
  for (const message of messages) {
    if (message.role === "system") {
      system.push({ text: message.content });
      continue;
    }
    const last = conversation.at(-1);
    if (last && last.role === message.role) {
      const previous = last.content?.[0];
      const text = previous && "text" in previous ? previous.text : "";
      last.content = [{ text: `${text}\n\n${message.content}` }];
    } else {
      conversation.push({ role: message.role, content: [{ text: message.content }] });
    }
  }
  return { system, conversation };
}

interface Failure {
  kind: "credentials" | "no_credentials" | "not_found" | "throttled" | "not_ready" | "server" | "quota" | "validation" | "network" | "other";
  status?: number;
  name: string;
  detail: string;
  retryable: boolean;
  retryAfterMs?: number;
}

interface ErrorContext {
  modelId: string;
  region: string;
  where: string;
  scrub: (text: string) => string;
}

function classify(error: SdkError): Failure {
  const name = error?.name ?? "Error";
  const status = error?.$metadata?.httpStatusCode ?? error?.$response?.statusCode;
  const detail = quoteOneLine(String(error?.message ?? ""));
  const retryAfterMs = parseRetryAfter(headerOf(error?.$response?.headers, "retry-after") ?? null);
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(detail)) {
    return { kind: "no_credentials", name, detail, retryable: false };
  }
  if (status === undefined) {
    return { kind: "network", name, detail: networkCause(error), retryable: true };
  }
  if (CREDENTIAL_ERRORS.has(name) || status === 401 || status === 403) return { kind: "credentials", status, name, detail, retryable: false };
  if (name === "ResourceNotFoundException" || status === 404) return { kind: "not_found", status, name, detail, retryable: false };
  if (name === "ValidationException" && /model (identifier|id)|inference profile|on-demand throughput/i.test(detail)) {
    return { kind: "not_found", status, name, detail, retryable: false };
  }
  if (name === "ServiceQuotaExceededException") return { kind: "quota", status, name, detail, retryable: false };
  if (name === "ModelNotReadyException") return { kind: "not_ready", status, name, detail, retryable: true, retryAfterMs };
  if (name === "ThrottlingException" || name === "TooManyRequestsException" || status === 429) {
    return { kind: "throttled", status, name, detail, retryable: true, retryAfterMs };
  }
  if (RETRYABLE_NAMES.has(name) || RETRYABLE_STATUS.has(status) || status >= 500) {
    return { kind: "server", status, name, detail, retryable: RETRYABLE_NAMES.has(name) || RETRYABLE_STATUS.has(status), retryAfterMs };
  }
  if (status === 400 || status === 422) return { kind: "validation", status, name, detail, retryable: false };
  return { kind: "other", status, name, detail, retryable: false };
}

function toProviderError(failure: Failure, context: ErrorContext, attempts: number): ProviderError {
  const { modelId, region, where } = context;
  const code = failure.status !== undefined ? `${failure.status} ${failure.name}` : failure.name;
  const said = failure.detail ? ` Bedrock said: "${failure.detail}"` : "";
  let message: string;
  switch (failure.kind) {
    case "no_credentials":
      message =
        "No AWS credentials were found for this Bedrock endpoint. Give an access key id and secret in the endpoint settings, or give the server credentials (environment variables, shared config, or an instance or container role).";
      break;
    case "credentials":
      message = `Bedrock refused the request (${code}). Check the AWS credentials and that the IAM identity may call bedrock:InvokeModel on this model.${said}`;
      break;
    case "not_found":
      message = `The model id or deployment ARN "${modelId}" is not found in region ${region} (${code}). Check the id, that the model or deployment exists in ${region}, and that model access is granted there.${said}`;
      break;
    case "throttled":
      message = `Bedrock is throttling requests (${code}) and still was after ${attempts} attempts. Wait and try again, lower the concurrency, or ask AWS for a higher quota for this model.${said}`;
      break;
    case "not_ready":
      message = `The model "${modelId}" is not ready yet (${code}) after ${attempts} attempts. A custom model deployment can take several minutes to become ready; try again later.${said}`;
      break;
    case "quota":
      message = `The AWS account's Bedrock quota is used up (${code}). Request a higher quota in Service Quotas, or lower the concurrency.${said}`;
      break;
    case "server":
      message = `Bedrock failed with ${code} after ${attempts} attempts. Try again later.${said}`;
      break;
    case "network":
      message = `Could not reach Bedrock at ${where}: ${failure.detail}. Check the region and endpoint URL, and that the server can reach AWS.`;
      break;
    case "validation":
      message = `Bedrock rejected the request (${code}).${said}`;
      break;
    default:
      message = `Bedrock answered ${code}.${said}`;
  }
  return new ProviderError(context.scrub(message), { ...(failure.status !== undefined ? { status: failure.status } : {}), model: modelId, region, attempts });
}

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

function networkCause(error: SdkError): string {
  const cause = error?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  const message = String(error?.message ?? error);
  // The HTTP/2 handler wraps the socket error: "… (caused by: connect ECONNREFUSED 127.0.0.1:9)".
  const caused = /caused by: (?:\w+ )?(E[A-Z]{3,})\b/.exec(message)?.[1];
  if (caused) return caused;
  if (typeof error?.code === "string") return error.code;
  return quoteOneLine(message);
}




