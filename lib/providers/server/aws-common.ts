import "server-only";

// What the AWS clients (Bedrock runtime, Bedrock control plane, S3) share: explicit credentials in
// the SDK's shape (absent → the SDK's default provider chain), and the error names that mean the
// request's signature or keys were refused.

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The SDK client option for explicit keys, or nothing so the default chain signs. */
export function awsCredentialsOption(credentials: AwsKeys | undefined): { credentials?: AwsKeys } {
  if (!credentials) return {};
  return {
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
  };
}

/** Error names AWS gives when the keys or the signature are not accepted. */
export const AWS_SIGNATURE_ERRORS: ReadonlySet<string> = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "SignatureDoesNotMatch",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "InvalidClientTokenId",
]);
