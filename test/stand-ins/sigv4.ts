// AWS Signature Version 4, checked the way an AWS service checks it, for the local stand-ins of AWS
// APIs. HTTP/1.1 and HTTP/2 requests alike (over HTTP/2 the SDK signs the host as :authority).
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface SigV4Expectation {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it as x-amz-security-token (temporary credentials). */
  sessionToken?: string;
  region: string;
  /** The signing name, e.g. "bedrock". */
  service: string;
}

export interface SigV4Request {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/** What AWS answers for a request it does not authenticate: always 403, with its error name. */
export interface SigV4Problem {
  status: number;
  type: string;
  message: string;
}

/**
 * Verifies "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
 * SignedHeaders=…, Signature=…": the key must be known, the scope must name the region and the
 * service, and the signature must match one recomputed with the secret over the received request.
 */
export function verifySigV4(req: SigV4Request, rawBody: string, expected: SigV4Expectation): { accessKeyId?: string; problem?: SigV4Problem } {
  const authorization = headerOf(req, "authorization");
  if (!authorization) {
    return { problem: { status: 403, type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" } };
  }
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) {
    return {
      problem: {
        status: 403,
        type: "IncompleteSignatureException",
        message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
      },
    };
  }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  const invalidToken: SigV4Problem = { status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  if (accessKeyId !== expected.accessKeyId) return { accessKeyId, problem: invalidToken };
  if (expected.sessionToken !== undefined && headerOf(req, "x-amz-security-token") !== expected.sessionToken) return { accessKeyId, problem: invalidToken };
  if (service !== expected.service) {
    return { accessKeyId, problem: { status: 403, type: "InvalidSignatureException", message: `Credential should be scoped to correct service: '${expected.service}'.` } };
  }
  if (region !== expected.region) {
    return { accessKeyId, problem: { status: 403, type: "InvalidSignatureException", message: `Credential should be scoped to a valid region. ` } };
  }
  const amzDate = headerOf(req, "x-amz-date") ?? "";
  const names = signedHeaders.split(";");
  if (!(names.includes("host") || names.includes(":authority")) || !amzDate.startsWith(date)) {
    return { accessKeyId, problem: { status: 403, type: "InvalidSignatureException", message: "The request signature does not sign the host and date." } };
  }
  const url = req.url ?? "/";
  const rawPath = url.split("?")[0];
  const canonicalHeaders = names.map((name) => `${name}:${(headerOf(req, name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  // Services other than S3 sign the path URI-encoded once more, segment by segment.
  const canonicalUri = rawPath
    .split("/")
    .map((segment) => encodeRfc3986(segment))
    .join("/");
  const payloadHash = headerOf(req, "x-amz-content-sha256") ?? sha256(rawBody);
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery(url), canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${expected.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const computed = createHmac("sha256", key).update(stringToSign).digest("hex");
  if (computed !== signature) {
    return {
      accessKeyId,
      problem: {
        status: 403,
        type: "InvalidSignatureException",
        message:
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      },
    };
  }
  return { accessKeyId };
}

/** A request header by name; the host falls back to HTTP/2's :authority pseudo-header. */
export function headerOf(req: SigV4Request, name: string): string | undefined {
  const lower = name.toLowerCase();
  const value = req.headers[lower] ?? (lower === "host" ? req.headers[":authority"] : undefined);
  return Array.isArray(value) ? value.join(",") : value;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function canonicalQuery(url: string): string {
  const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
  if (!query) return "";
  return query
    .split("&")
    .map((pair) => pair.split("=").map((part) => encodeRfc3986(safeDecode(part))))
    .sort(([a, av = ""], [b, bv = ""]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v = ""]) => `${k}=${v}`)
    .join("&");
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}
