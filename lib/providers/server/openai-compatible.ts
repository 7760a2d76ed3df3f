import "server-only";
import { backoff, formatSeconds, parseRetryAfter, quoteOneLine, sleep } from "@/lib/providers/server/retry";
import { ProviderError, ValidationError } from "@/lib/errors";
import type { ChatClient, ChatCompletion, ChatMessage, CompleteOptions, JsonSchemaFormat } from "@/lib/providers/chat";
import { redactSecrets, registerSecret } from "@/lib/redact";

// Client for any endpoint speaking the OpenAI chat-completions protocol (OpenAI, Fireworks'
// inference API, vLLM, Ollama, a local stand-in in tests). The API key goes only into the
// Authorization header: every message this module produces is scrubbed of it.

export interface ChatClientConfig {
  /** e.g. "https://api.fireworks.ai/inference/v1"; "/chat/completions" is appended. */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Per attempt. Default 60 000. */
  timeoutMs?: number;
  /** Retries after the first attempt for 429/500/502/503/504 and network errors. Default 3. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry. Default 500. */
  retryBaseMs?: number;
  /** Cap on any single wait, including a server's Retry-After. Default 20 000. */
  maxRetryDelayMs?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function createChatClient(config: ChatClientConfig): ChatClient {
  const { apiKey, model } = config;
  if (!config.baseUrl) throw new ValidationError("The endpoint has no base URL. Set it in the endpoint settings.");
  if (!model) throw new ValidationError("The endpoint has no model name. Set it in the endpoint settings.");
  let endpoint: URL;
  try {
    endpoint = new URL(`${config.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  } catch {
    throw new ValidationError(`The base URL is not a valid URL: ${scrub(config.baseUrl, apiKey)}`);
  }
  registerSecret(apiKey);
  const timeoutMs = config.timeoutMs ?? 60_000;
  const maxRetries = config.maxRetries ?? 3;
  const retryBaseMs = config.retryBaseMs ?? 500;
  const maxRetryDelayMs = config.maxRetryDelayMs ?? 20_000;
  const where = endpoint.host;

  async function complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<ChatCompletion> {
    const body = JSON.stringify({
      model,
      messages,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
      ...(options.jsonSchema ? { response_format: responseFormat(options.jsonSchema) } : {}),
    });
    let lastError: ProviderError | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, accept: "application/json" },
          body,
          signal: controller.signal,
        });
        text = await response.text();
      } catch (error) {
        clearTimeout(timer);
        if (controller.signal.aborted) {
          throw new ProviderError(
            `The endpoint ${where} did not answer within ${formatSeconds(timeoutMs)}. Try again, or raise the timeout for slow models.`,
            { model, attempts: attempt + 1 },
          );
        }
        lastError = new ProviderError(
          scrub(`Could not reach ${where}: ${networkCause(error)}. Check the base URL and that the endpoint is running.`, apiKey),
          { model, attempts: attempt + 1 },
        );
        if (attempt < maxRetries) {
          await sleep(backoff(attempt, retryBaseMs, maxRetryDelayMs));
          continue;
        }
        throw lastError;
      }
      clearTimeout(timer);
      const latencyMs = Math.round(performance.now() - started);

      if (response.ok) return parseCompletion(text, latencyMs, attempt + 1, where, apiKey, model);

      lastError = statusError(response.status, text, where, model, apiKey, attempt + 1);
      if (RETRYABLE_STATUS.has(response.status) && attempt < maxRetries) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        const wait = Math.min(maxRetryDelayMs, retryAfter ?? backoff(attempt, retryBaseMs, maxRetryDelayMs));
        await sleep(wait);
        continue;
      }
      throw lastError;
    }
    throw lastError ?? new ProviderError(`The endpoint ${where} failed.`);
  }

  return { model, complete };
}

const SCHEMA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Structured output as `{ type: "json_schema", json_schema: { name, schema, strict: true } }`.
 * OpenAI documents only this shape. Fireworks documents it too (its structured-output guide
 * uses it, and its API reference leaves the `json_schema` object open, so `strict` is accepted);
 * Fireworks' other form, `{ type: "json_object", schema }`, is its own extension that OpenAI
 * and most OpenAI-compatible servers reject. One shape then works on every endpoint we target.
 */
function responseFormat(format: JsonSchemaFormat): Record<string, unknown> {
  if (!SCHEMA_NAME.test(format.name)) {
    throw new ValidationError(
      `The structured-output schema name "${format.name.slice(0, 80)}" is not valid: use letters, digits, "_" and "-", at most 64 characters.`,
    );
  }
  if (typeof format.schema !== "object" || format.schema === null || Array.isArray(format.schema)) {
    throw new ValidationError(`The structured-output schema "${format.name}" must be a JSON schema object.`);
  }
  return { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: true } };
}

function parseCompletion(
  text: string,
  latencyMs: number,
  attempts: number,
  where: string,
  apiKey: string,
  model: string,
): ChatCompletion {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderError(
      scrub(`The endpoint ${where} answered with something that is not JSON: ${quoteBody(text)}`, apiKey),
      { model },
    );
  }
  const body = json as {
    choices?: { message?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
  };
  const choice = body.choices?.[0];
  const content = choice?.message?.content ?? choice?.text;
  if (typeof content !== "string") {
    throw new ProviderError(
      scrub(`The endpoint ${where} answered without a message (no choices[0].message.content): ${quoteBody(text)}`, apiKey),
      { model },
    );
  }
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const usage = body.usage
    ? {
        promptTokens: num(body.usage.prompt_tokens),
        completionTokens: num(body.usage.completion_tokens),
        totalTokens: num(body.usage.total_tokens),
      }
    : undefined;
  return {
    text: content,
    usage,
    latencyMs,
    attempts,
    finishReason: typeof choice?.finish_reason === "string" ? choice.finish_reason : undefined,
  };
}

function statusError(
  status: number,
  bodyText: string,
  where: string,
  model: string,
  apiKey: string,
  attempts: number,
): ProviderError {
  const detail = providerMessage(bodyText);
  const suffix = detail ? ` The endpoint said: "${detail}"` : "";
  let message: string;
  if (status === 401 || status === 403) {
    message = `The endpoint refused the API key (${status}). Check the key in the endpoint settings.${suffix}`;
  } else if (status === 404) {
    message = `The endpoint ${where} answered 404: the model "${model}" or the URL was not found. Check the base URL (it usually ends in /v1) and the model name.${suffix}`;
  } else if (status === 429) {
    message = `The endpoint ${where} is rate limiting requests (429) and still was after ${attempts} attempts. Wait and try again, or lower the concurrency.${suffix}`;
  } else if (status >= 500) {
    message = `The endpoint ${where} failed with ${status} after ${attempts} attempts. Try again later.${suffix}`;
  } else if (status === 400 || status === 422) {
    message = `The endpoint ${where} rejected the request (${status}).${suffix}`;
  } else {
    message = `The endpoint ${where} answered ${status}.${suffix}`;
  }
  return new ProviderError(scrub(message, apiKey), { status, model, attempts });
}

/** The provider's own error message ({error:{message}}, {error:"..."}, {message}), or a short excerpt of the body. */
function providerMessage(bodyText: string): string {
  const trimmed = bodyText.trim();
  if (!trimmed) return "";
  try {
    const json = JSON.parse(trimmed) as { error?: unknown; message?: unknown; detail?: unknown };
    const candidate =
      (typeof json.error === "object" && json.error !== null && (json.error as { message?: unknown }).message) ||
      (typeof json.error === "string" && json.error) ||
      (typeof json.message === "string" && json.message) ||
      (typeof json.detail === "string" && json.detail);
    if (typeof candidate === "string") return quoteOneLine(candidate);
  } catch {
    // Not JSON: quote the text itself.
  }
  return quoteOneLine(trimmed);
}

function quoteBody(text: string): string {
  return `"${quoteOneLine(text.trim())}"`;
}


function scrub(text: string, apiKey: string): string {
  const withoutKey = apiKey ? text.split(apiKey).join("[redacted]") : text;
  return redactSecrets(withoutKey);
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}




