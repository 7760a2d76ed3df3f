import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError, ValidationError } from "@/lib/errors";
import { createBedrockChatClient, toConverse, type BedrockClientConfig } from "@/lib/providers/server/bedrock-converse";
import { startBedrockStandIn, type BedrockStandIn, type ConverseBody } from "@/test/stand-ins/bedrock-runtime-server";

const ACCESS_KEY_ID = "AKIAIOSFODNN7STANDIN";
const SECRET = "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";
const MODEL = "us.amazon.nova-micro-v1:0";
const DEPLOYMENT = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5";
let standIn: BedrockStandIn;

beforeAll(async () => {
  standIn = await startBedrockStandIn({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, models: [MODEL, DEPLOYMENT] });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
  standIn.configure({
    failFirst: 0,
    failType: undefined,
    failMessage: undefined,
    delayMs: 0,
    retryAfterSeconds: undefined,
    sessionToken: undefined,
    answer: (messages) => `\`\`\`sql\nSELECT count(*) FROM airports -- ${messages.at(-1)?.content[0]?.text}\n\`\`\``,
  });
});

const client = (overrides: Partial<BedrockClientConfig> = {}) =>
  createBedrockChatClient({
    region: "us-east-1",
    modelId: MODEL,
    endpointUrl: standIn.url,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    retryBaseMs: 10,
    ...overrides,
  });

const ask = (overrides: Partial<BedrockClientConfig> = {}) => client(overrides).complete([{ role: "user", content: "How many airports?" }]);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const provider = error as ProviderError;
  // Whatever went wrong, the secret never travels in the error.
  for (const text of [provider.message, JSON.stringify(provider.details ?? {})]) {
    expect(text).not.toContain(SECRET);
  }
  return provider;
}

describe("createBedrockChatClient against the stand-in, through the AWS SDK", () => {
  it("converses, signing with the given key, and reports usage, latency and the stop reason", async () => {
    const out = await client().complete(
      [
        { role: "system", content: "You write DuckDB SQL." },
        { role: "user", content: "How many airports?" },
      ],
      { temperature: 0, maxTokens: 256 },
    );
    expect(out.text).toContain("SELECT count(*) FROM airports -- How many airports?");
    expect(out.usage).toEqual({ promptTokens: 7, completionTokens: expect.any(Number), totalTokens: expect.any(Number) });
    expect(out.usage!.totalTokens).toBe(out.usage!.promptTokens! + out.usage!.completionTokens!);
    expect(out.attempts).toBe(1);
    expect(out.finishReason).toBe("end_turn");
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = standIn.requests;
    expect(request.status).toBe(200);
    expect(request.modelId).toBe(MODEL);
    expect(request.accessKeyId).toBe(ACCESS_KEY_ID);
    expect(request.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=`));
    expect(request.body).toEqual({
      system: [{ text: "You write DuckDB SQL." }],
      messages: [{ role: "user", content: [{ text: "How many airports?" }] }],
      inferenceConfig: { maxTokens: 256, temperature: 0 },
    } satisfies ConverseBody);
  });

  it("calls a custom model deployment by its ARN, percent-encoded in the path", async () => {
    const out = await ask({ modelId: DEPLOYMENT });
    expect(out.text).toContain("SELECT");
    expect(standIn.requests[0].modelId).toBe(DEPLOYMENT);
    expect(standIn.requests[0].path).toContain("arn%3Aaws%3Abedrock");
  });

  it("sends a session token with temporary credentials", async () => {
    standIn.configure({ sessionToken: "FwoGZXIvYXdzEStandInSessionToken" });
    await ask({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, sessionToken: "FwoGZXIvYXdzEStandInSessionToken" } });
    expect(standIn.requests[0].sessionToken).toBe("FwoGZXIvYXdzEStandInSessionToken");
  });

  it("uses the SDK's default credential chain when no keys are given", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    try {
      const out = await ask({ credentials: undefined });
      expect(out.text).toContain("SELECT");
      expect(standIn.requests[0].accessKeyId).toBe(ACCESS_KEY_ID);
    } finally {
      for (const [name, value] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("says where credentials can come from when the default chain finds none", async () => {
    // Every source the chain reads is emptied, and the instance metadata service switched off.
    const names = [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_SHARED_CREDENTIALS_FILE",
      "AWS_CONFIG_FILE",
      "AWS_EC2_METADATA_DISABLED",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
    ];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/credentials";
    process.env.AWS_CONFIG_FILE = "/nonexistent/config";
    process.env.AWS_EC2_METADATA_DISABLED = "true";
    try {
      const error = await failure(ask({ credentials: undefined }));
      expect(error.message).toMatch(
        /^No AWS credentials were found for this Bedrock endpoint\. Give an access key id and secret in the endpoint settings, or give the server credentials/,
      );
      expect(standIn.requests).toHaveLength(0);
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("explains an unknown access key id (403) and does not retry it", async () => {
    const error = await failure(ask({ credentials: { accessKeyId: "AKIAWRONGWRONGWRONG1", secretAccessKey: SECRET } }));
    expect(error.message).toMatch(
      /^Bedrock refused the request \(403 UnrecognizedClientException\)\. Check the AWS credentials and that the IAM identity may call bedrock:InvokeModel on this model\./,
    );
    expect(error.message).not.toContain("AKIAWRONGWRONGWRONG1");
    expect(error.details).toMatchObject({ status: 403, attempts: 1 });
    expect(standIn.requests).toHaveLength(1);
  });

  it("explains a wrong secret (the signature does not match) without quoting it", async () => {
    const wrongSecret = "wrong/secret/key/that/must/never/show/up00";
    const error = await failure(ask({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: wrongSecret } }));
    expect(error.message).toMatch(/403 InvalidSignatureException.*Check the AWS credentials/);
    expect(error.message).not.toContain(wrongSecret);
  });

  it("reports an unknown model (404) with the region to check", async () => {
    const error = await failure(ask({ modelId: "amazon.nova-nano-v9:0" }));
    expect(error.message).toMatch(
      /^The model id or deployment ARN "amazon\.nova-nano-v9:0" is not found in region us-east-1 \(404 ResourceNotFoundException\)\./,
    );
    expect(standIn.requests).toHaveLength(1);
  });

  it("reads a ValidationException about the model identifier as a model not found", async () => {
    standIn.configure({ failFirst: 1, failStatus: 400, failType: "ValidationException", failMessage: "The provided model identifier is invalid." });
    const error = await failure(ask());
    expect(error.message).toMatch(/^The model id or deployment ARN "us\.amazon\.nova-micro-v1:0" is not found in region us-east-1 \(400 ValidationException\)\..*The provided model identifier is invalid/);
    expect(standIn.requests).toHaveLength(1);
  });

  it("reports a credential scope for another region as refused credentials", async () => {
    const error = await failure(ask({ region: "eu-west-1" }));
    expect(error.message).toMatch(/403 InvalidSignatureException.*Credential should be scoped to a valid region/);
  });

  it("quotes a 400 ValidationException and does not retry it", async () => {
    const error = await failure(
      client().complete([
        { role: "assistant", content: "SELECT 1" },
        { role: "user", content: "q" },
      ]),
    );
    expect(error.message).toBe(
      'Bedrock rejected the request (400 ValidationException). Bedrock said: "A conversation must start with a user message. Try again with a conversation that starts with a user message."',
    );
    expect(standIn.requests).toHaveLength(1);
  });

  it("quotes a blank message as Bedrock words it", async () => {
    const error = await failure(client().complete([{ role: "user", content: "  " }]));
    expect(error.message).toMatch(/400 ValidationException.*messages\.0\.content\.0 is blank/);
  });

  it("retries a 429 ThrottlingException, honouring Retry-After, then succeeds", async () => {
    standIn.configure({ failFirst: 2, failStatus: 429, retryAfterSeconds: 0.2 });
    const started = Date.now();
    const out = await ask();
    expect(out.attempts).toBe(3);
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(standIn.requests.map((r) => r.errorType)).toEqual(["ThrottlingException", "ThrottlingException", undefined]);
    // Two waits of 200 ms, where the backoff alone would have waited about 10 + 20 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(standIn.requests[2].at - standIn.requests[1].at).toBeGreaterThanOrEqual(190);
  });

  it("caps a long Retry-After", async () => {
    standIn.configure({ failFirst: 1, failStatus: 429, retryAfterSeconds: 3600 });
    const started = Date.now();
    await client({ maxRetryDelayMs: 100 }).complete([{ role: "user", content: "q" }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("waits for a model that is not ready yet", async () => {
    standIn.configure({ failFirst: 1, failStatus: 429, failType: "ModelNotReadyException" });
    const out = await ask({ modelId: DEPLOYMENT });
    expect(out.attempts).toBe(2);
  });

  it("says a throttled call is still throttled after its retries", async () => {
    standIn.configure({ failFirst: 10, failStatus: 429 });
    const error = await failure(ask({ maxRetries: 1 }));
    expect(error.message).toMatch(/^Bedrock is throttling requests \(429 ThrottlingException\) and still was after 2 attempts\. Wait and try again/);
  });

  it("retries 5xx with backoff and gives up after maxRetries", async () => {
    standIn.configure({ failFirst: 10, failStatus: 500 });
    const error = await failure(ask({ maxRetries: 2 }));
    expect(standIn.requests).toHaveLength(3);
    expect(error.message).toMatch(/^Bedrock failed with 500 InternalServerException after 3 attempts\. Try again later\./);
    expect(error.message).toContain("The server encountered an internal error");
    expect(error.details).toMatchObject({ status: 500, attempts: 3, region: "us-east-1", model: MODEL });
  });

  it("masks the keys when Bedrock's own message quotes them", async () => {
    standIn.configure({ failFirst: 1, failStatus: 400, failType: "ValidationException", failMessage: `bad signature for ${ACCESS_KEY_ID}:${SECRET}` });
    const error = await failure(ask());
    expect(error.message).toMatch(/400 ValidationException.*bad signature for \[redacted\]:\[redacted\]/);
    expect(error.message).not.toContain(ACCESS_KEY_ID);
  });

  it("retries a 503 ServiceUnavailableException", async () => {
    standIn.configure({ failFirst: 1, failStatus: 503 });
    expect((await ask()).attempts).toBe(2);
  });

  describe("with a slow model", () => {
    afterEach(() => standIn.configure({ delayMs: 0 }));

    it("times out each attempt", async () => {
      standIn.configure({ delayMs: 2000 });
      const started = Date.now();
      const error = await failure(ask({ timeoutMs: 300, maxRetries: 0 }));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(error.message).toBe(`Bedrock (${MODEL} in us-east-1) did not answer within 0.3 s. Try again, or raise the timeout for slow models.`);
    });
  });

  it("reports an unreachable endpoint clearly", async () => {
    const error = await failure(ask({ endpointUrl: "http://127.0.0.1:9", maxRetries: 1 }));
    expect(error.message).toBe("Could not reach Bedrock at 127.0.0.1:9: ECONNREFUSED. Check the region and endpoint URL, and that the server can reach AWS.");
  });

  it("refuses an unusable configuration before calling", () => {
    expect(() => client({ region: " " })).toThrow(ValidationError);
    expect(() => client({ modelId: "" })).toThrow(/no model id/);
    expect(() => client({ endpointUrl: "ftp://example.com" })).toThrow(/not a valid http\(s\) URL/);
    expect(standIn.requests).toHaveLength(0);
  });

  it("refuses structured output, which Converse does not take as a response format", async () => {
    const error = await client()
      .complete([{ role: "user", content: "q" }], { jsonSchema: { name: "rows", schema: { type: "object" } } })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(standIn.requests).toHaveLength(0);
  });
});

describe("toConverse", () => {
  it("moves system messages out and joins consecutive turns of one role", () => {
    expect(
      toConverse([
        { role: "system", content: "s1" },
        { role: "user", content: "a" },
        { role: "user", content: "b" },
        { role: "assistant", content: "c" },
        { role: "system", content: "s2" },
        { role: "user", content: "d" },
      ]),
    ).toEqual({
      system: [{ text: "s1" }, { text: "s2" }],
      conversation: [
        { role: "user", content: [{ text: "a\n\nb" }] },
        { role: "assistant", content: [{ text: "c" }] },
        { role: "user", content: [{ text: "d" }] },
      ],
    });
  });
});
