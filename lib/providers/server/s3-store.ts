import "server-only";
import { awsCredentialsOption } from "@/lib/providers/server/aws-common";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ProviderError, ValidationError } from "@/lib/errors";
import { quoteOneLine } from "@/lib/providers/server/retry";
import { redactSecrets, registerSecret } from "@/lib/redact";

// The S3 side of a Bedrock connection: the training and validation files a customization job reads,
// and the metrics it writes back. Also the pieces both AWS clients share (client options from a
// connection, what an SDK failure was), so S3 and Bedrock failures read the same way.
//
// Retries are the SDK's own (standard mode: throttling, 5xx and network errors, with backoff), as
// many attempts as `maxAttempts`. Credentials are either given or found by the SDK's default chain;
// no message built here contains the secret key, the session token or the access key id.

export interface AwsClientConfig {
  region: string;
  /** Absent: the SDK's default chain (environment, shared config and SSO, web identity, container or instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Overrides the Bedrock control-plane endpoint (a VPC endpoint, a local stand-in). */
  bedrockEndpoint?: string;
  /** Overrides the S3 endpoint; path-style addressing is then used, as S3-compatible servers expect. */
  s3Endpoint?: string;
  /** Attempts per call including the first, retried by the SDK. Default 4. */
  maxAttempts?: number;
  /**
   * Bedrock: the most a request may take. S3: the most a connection may sit idle (an upload of a
   * large training file may take longer in all). Connecting is capped at 10 s. Default 60 000.
   */
  timeoutMs?: number;
}

export interface S3Store {
  readonly region: string;
  /** Resolves when the bucket exists and these credentials may see it. */
  headBucket(bucket: string): Promise<void>;
  putObject(bucket: string, key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  /** The object as UTF-8 text; null when there is no such key. */
  getObjectText(bucket: string, key: string): Promise<string | null>;
  /** Every key under the prefix, across as many pages as S3 returns (up to `pageSize` keys each, default 1000). */
  listKeys(bucket: string, prefix: string, pageSize?: number): Promise<string[]>;
  /** Deleting a key that does not exist succeeds, as on S3. */
  deleteObject(bucket: string, key: string): Promise<void>;
}

const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_TIMEOUT_MS = 60_000;

/** "s3://bucket/some/key" → { bucket, key }; the key may be empty ("s3://bucket" or "s3://bucket/"). */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!match || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(match[1])) {
    throw new ValidationError(`"${quoteOneLine(uri, 200)}" is not an S3 URI. Write it as s3://bucket/key.`);
  }
  return { bucket: match[1], key: match[2] ?? "" };
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key.replace(/^\/+/, "")}`;
}

export function createS3Store(config: AwsClientConfig): S3Store {
  const shared = resolveAwsConfig(config, config.s3Endpoint, "S3", { limitWholeRequest: false });
  const client = new S3Client({ ...shared.options, ...(shared.endpoint ? { forcePathStyle: true } : {}) });
  const where = shared.endpoint ? new URL(shared.endpoint).host : `s3.${shared.region}.amazonaws.com`;

  async function call<T>(operation: S3Operation, bucket: string, key: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toS3Error(classifyAwsError(error), { operation, bucket, key, where, region: shared.region, scrub: shared.scrub });
    }
  }

  return {
    region: shared.region,
    headBucket: (bucket) =>
      call("HeadBucket", bucket, undefined, async () => {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      }),
    putObject: (bucket, key, body, contentType) =>
      call("PutObject", bucket, key, async () => {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) }));
      }),
    getObjectText: async (bucket, key) => {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString("utf-8")) ?? "";
      } catch (error) {
        const failure = classifyAwsError(error);
        // A missing key is an answer (metrics not written yet); a missing bucket is not.
        if (failure.name === "NoSuchKey" || (failure.status === 404 && failure.name !== "NoSuchBucket")) return null;
        throw toS3Error(failure, { operation: "GetObject", bucket, key, where, region: shared.region, scrub: shared.scrub });
      }
    },
    listKeys: (bucket, prefix, pageSize) =>
      call("ListObjectsV2", bucket, prefix, async () => {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(pageSize ? { MaxKeys: pageSize } : {}), ...(token ? { ContinuationToken: token } : {}) }));
          for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return keys;
      }),
    deleteObject: (bucket, key) =>
      call("DeleteObject", bucket, key, async () => {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }),
  };
}

type S3Operation = "HeadBucket" | "PutObject" | "GetObject" | "ListObjectsV2" | "DeleteObject";

const S3_ACTION: Record<S3Operation, string> = {
  HeadBucket: "s3:ListBucket",
  PutObject: "s3:PutObject",
  GetObject: "s3:GetObject",
  ListObjectsV2: "s3:ListBucket",
  DeleteObject: "s3:DeleteObject",
};

interface S3Context {
  operation: S3Operation;
  bucket: string;
  key?: string;
  where: string;
  region: string;
  scrub: (text: string) => string;
}

const S3_CREDENTIAL_ERRORS = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired"]);
const S3_REGION_ERRORS = new Set(["PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"]);

function toS3Error(failure: AwsFailure, context: S3Context): ProviderError {
  const { operation, bucket, key, where, region } = context;
  const target = key !== undefined && operation !== "ListObjectsV2" ? s3Uri(bucket, key) : `s3://${bucket}`;
  const code = failure.status !== undefined ? `${failure.status} ${failure.name}` : failure.name;
  const said = failure.detail ? ` S3 said: "${failure.detail}"` : "";
  let message: string;
  if (failure.kind === "no_credentials") message = NO_CREDENTIALS;
  else if (failure.kind === "network") message = `Could not reach S3 at ${where} (${failure.detail}). Check the region and the S3 endpoint URL, and that the server can reach AWS.`;
  else if (failure.kind === "timeout") message = `S3 at ${where} did not answer ${operation} on ${target} in time. Try again, or check the S3 endpoint URL.`;
  else if (failure.name === "NoSuchBucket" || (operation === "HeadBucket" && failure.status === 404)) {
    message = `The S3 bucket "${bucket}" does not exist (${code}). Create it in ${region}, or fix the bucket name in the connection settings.`;
  } else if (S3_REGION_ERRORS.has(failure.name) || failure.status === 301) {
    message = `The S3 bucket "${bucket}" is not in ${region} (${code}). Use a bucket in the connection's region; Bedrock reads training data from a bucket in its own region.${said}`;
  } else if (S3_CREDENTIAL_ERRORS.has(failure.name)) {
    message = `S3 did not accept the AWS credentials (${code}). Check the access key id and secret in the connection, or the server's credentials.${said}`;
  } else if (failure.name === "AccessDenied" || failure.status === 403) {
    message = `S3 refused ${operation} on ${target} (${code}). Give these credentials ${S3_ACTION[operation]} on the bucket "${bucket}" (check the bucket policy, and kms:Decrypt / kms:GenerateDataKey if it is encrypted with a KMS key).${said}`;
  } else if (failure.name === "SlowDown" || failure.status === 503 || failure.status === 429) {
    message = `S3 kept asking to slow down on ${operation} (${code}) after ${failure.attempts} attempts. Wait a minute and try again.${said}`;
  } else if (failure.status !== undefined && failure.status >= 500) {
    message = `S3 failed ${operation} on ${target} with ${code} after ${failure.attempts} attempts. Try again later.${said}`;
  } else {
    message = `S3 refused ${operation} on ${target} (${code}).${said}`;
  }
  return new ProviderError(context.scrub(message), {
    service: "s3",
    operation,
    awsError: failure.name,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    region,
    attempts: failure.attempts,
  });
}

// ---- Shared by the AWS clients -------------------------------------------------------------------

export const NO_CREDENTIALS =
  "No AWS credentials were found. Give an access key id and secret in the connection, or give the server credentials (environment variables, shared config, or an instance or container role).";

export interface ResolvedAwsConfig {
  region: string;
  endpoint?: string;
  scrub: (text: string) => string;
  /** Constructor options for any of the SDK's clients. */
  options: {
    region: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    maxAttempts: number;
    requestHandler: { connectionTimeout: number; socketTimeout: number; requestTimeout?: number; throwOnRequestTimeout?: boolean };
  };
}

/**
 * Checks a connection's settings once and turns them into SDK client options. `limitWholeRequest`
 * bounds each request's total time (small JSON calls); without it only idleness is bounded.
 */
export function resolveAwsConfig(config: AwsClientConfig, endpointUrl: string | undefined, service: string, { limitWholeRequest }: { limitWholeRequest: boolean }): ResolvedAwsConfig {
  const region = config.region?.trim();
  if (!region) throw new ValidationError("The AWS connection has no region. Set it in the connection settings, e.g. us-east-1.");
  const secrets = [config.credentials?.secretAccessKey, config.credentials?.sessionToken, config.credentials?.accessKeyId].filter((s): s is string => !!s);
  for (const secret of secrets) registerSecret(secret);
  const scrub = (text: string) => redactSecrets(secrets.reduce((out, secret) => out.split(secret).join("[redacted]"), text));
  if (config.credentials && (!config.credentials.accessKeyId || !config.credentials.secretAccessKey)) {
    throw new ValidationError("The AWS connection has an incomplete key pair. Give both the access key id and the secret access key, or use the default credential chain.");
  }
  let endpoint: string | undefined;
  if (endpointUrl) {
    try {
      const url = new URL(endpointUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      endpoint = endpointUrl.replace(/\/+$/, "");
    } catch {
      throw new ValidationError(`The ${service} endpoint URL is not a valid http(s) URL: ${scrub(quoteOneLine(endpointUrl, 200))}. Fix it in the connection settings, or leave it empty for AWS's own.`);
    }
  }
  const maxAttempts = Math.max(1, Math.floor(config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const timeoutMs = Math.max(1, config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return {
    region,
    endpoint,
    scrub,
    options: {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...awsCredentialsOption(config.credentials),
      maxAttempts,
      // The SDK only warns when requestTimeout passes unless told to throw.
      requestHandler: {
        connectionTimeout: Math.min(timeoutMs, 10_000),
        socketTimeout: timeoutMs,
        ...(limitWholeRequest ? { requestTimeout: timeoutMs, throwOnRequestTimeout: true } : {}),
      },
    },
  };
}

/** What an AWS call's failure was: no credentials, no answer, too slow, or the service's answer. */
export interface AwsFailure {
  kind: "no_credentials" | "network" | "timeout" | "service";
  /** The service's error name (x-amzn-ErrorType / S3's Code), or the SDK's. */
  name: string;
  status?: number;
  /** The service's message on one line, or the network cause. */
  detail: string;
  attempts: number;
}

/** What the SDK throws: a service exception (name, $metadata) or a network / credential error. */
interface SdkError {
  name?: string;
  message?: string;
  code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export function classifyAwsError(error: unknown): AwsFailure {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkError;
  const name = e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts ?? 1;
  const message = quoteOneLine(String(e.message ?? ""));
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return { kind: "no_credentials", name, detail: message, attempts };
  }
  if (name === "TimeoutError" || name === "AbortError") return { kind: "timeout", name, detail: message, attempts };
  if (status === undefined) return { kind: "network", name, detail: networkCause(e), attempts };
  // Some S3 answers carry no body (HEAD): the SDK names those after the status ("NotFound", "403").
  const detail = message === "UnknownError" || message === String(status) ? "" : message;
  return { kind: "service", name, status, detail, attempts };
}

function networkCause(error: SdkError): string {
  const code = [error.code, (error.cause as SdkError | undefined)?.code].find((c): c is string => typeof c === "string");
  if (code) return code;
  const message = String(error.message ?? error);
  const caused = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(message)?.[1];
  return caused ?? quoteOneLine(message, 200);
}
