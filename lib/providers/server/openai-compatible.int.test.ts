import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError, ValidationError } from "@/lib/errors";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import { startOpenAiStandIn, type OpenAiStandIn } from "@/test/stand-ins/openai-server";

const KEY = "sk-standin-secret-0123456789abcdef";
let standIn: OpenAiStandIn;

beforeAll(async () => {
  standIn = await startOpenAiStandIn({ apiKey: KEY, models: ["sql-7b"] });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
  standIn.configure({
    failFirst: 0,
    delayMs: 0,
    retryAfterSeconds: undefined,
    answer: (messages) => `\`\`\`sql\nSELECT count(*) FROM airports -- ${messages.at(-1)?.content}\n\`\`\``,
  });
});

const client = (overrides: Partial<Parameters<typeof createChatClient>[0]> = {}) =>
  createChatClient({ baseUrl: standIn.url, apiKey: KEY, model: "sql-7b", retryBaseMs: 10, ...overrides });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("createChatClient against the stand-in", () => {
  it("completes a chat and reports usage and latency", async () => {
    const out = await client().complete(
      [
        { role: "system", content: "You write DuckDB SQL." },
        { role: "user", content: "How many airports?" },
      ],
      { temperature: 0, maxTokens: 256 },
    );
    expect(out.text).toContain("SELECT count(*) FROM airports -- How many airports?");
    expect(out.usage?.totalTokens).toBeGreaterThan(0);
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    expect(out.attempts).toBe(1);
    expect(out.finishReason).toBe("stop");
    const [request] = standIn.requests;
    expect(request.authorization).toBe(`Bearer ${KEY}`);
    expect(request.body).toMatchObject({ model: "sql-7b", temperature: 0, max_tokens: 256 });
  });

  it("accepts a base URL with a trailing slash", async () => {
    const out = await client({ baseUrl: `${standIn.url}/` }).complete([{ role: "user", content: "q" }]);
    expect(out.text).toContain("SELECT");
  });

  it("retries a 429, honouring Retry-After, then succeeds", async () => {
    standIn.configure({ failFirst: 2, failStatus: 429, retryAfterSeconds: 0.2 });
    const started = Date.now();
    const out = await client().complete([{ role: "user", content: "q" }]);
    expect(out.attempts).toBe(3);
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it("caps a long Retry-After", async () => {
    standIn.configure({ failFirst: 1, failStatus: 429, retryAfterSeconds: 3600 });
    const started = Date.now();
    await client({ maxRetryDelayMs: 100 }).complete([{ role: "user", content: "q" }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("retries 503s with backoff and gives up after maxRetries", async () => {
    standIn.configure({ failFirst: 10, failStatus: 503 });
    const error = await failure(client({ maxRetries: 2 }).complete([{ role: "user", content: "q" }]));
    expect(standIn.requests).toHaveLength(3);
    expect(error.message).toMatch(/failed with 503 after 3 attempts/);
    expect(error.message).toContain("The server is overloaded");
  });

  it("explains a refused key without revealing it", async () => {
    const wrongKey = "sk-wrong-key-abcdefghijklmnop";
    const error = await failure(client({ apiKey: wrongKey }).complete([{ role: "user", content: "q" }]));
    expect(error.message).toMatch(/^The endpoint refused the API key \(401\)\. Check the key in the endpoint settings\./);
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error.details)).not.toContain(wrongKey);
    expect(standIn.requests).toHaveLength(1);
  });

  it("reports an unknown model as not found, quoting the endpoint", async () => {
    const error = await failure(client({ model: "no-such-model" }).complete([{ role: "user", content: "q" }]));
    expect(error.message).toMatch(/404/);
    expect(error.message).toMatch(/model "no-such-model" or the URL was not found/);
    expect(error.message).toContain("does not exist or you do not have access");
  });

  it("reports a wrong base URL as not found", async () => {
    const error = await failure(client({ baseUrl: standIn.url.replace(/\/v1$/, "/v2") }).complete([{ role: "user", content: "q" }]));
    expect(error.message).toMatch(/404.*not found/);
  });

  it("times out a slow endpoint", async () => {
    standIn.configure({ delayMs: 2000 });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 300 }).complete([{ role: "user", content: "q" }]));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.message).toMatch(/did not answer within 0.3 s/);
  });

  it("quotes a 400 body, truncated", async () => {
    const error = await failure(
      client().complete([{ role: "user", content: "q" }], { temperature: 7 }),
    );
    expect(error.message).toMatch(/rejected the request \(400\).*temperature/);
    expect(error.message.length).toBeLessThan(500);
  });

  it("reports an unreachable endpoint clearly", async () => {
    const error = await failure(
      createChatClient({ baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, model: "m", maxRetries: 0 }).complete([
        { role: "user", content: "q" },
      ]),
    );
    expect(error.message).toMatch(/Could not reach 127\.0\.0\.1:9/);
    expect(error.message).not.toContain(KEY);
  });

  describe("structured output", () => {
    const schema = {
      type: "object",
      properties: { rows: { type: "array", items: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } } },
      required: ["rows"],
      additionalProperties: false,
    };

    it("sends the schema as response_format json_schema, strict, and returns the JSON answer as text", async () => {
      standIn.configure({
        answer: (_messages, body) => {
          const format = body.response_format as { json_schema?: { name?: string } } | undefined;
          return JSON.stringify({ rows: [{ city: `from ${format?.json_schema?.name}` }] });
        },
      });
      const out = await client().complete([{ role: "user", content: "One city, as JSON." }], { jsonSchema: { name: "cities", schema } });
      expect(JSON.parse(out.text)).toEqual({ rows: [{ city: "from cities" }] });
      expect(standIn.requests[0]!.body).toMatchObject({
        response_format: { type: "json_schema", json_schema: { name: "cities", schema, strict: true } },
      });
    });

    it("sends no response_format without a schema", async () => {
      await client().complete([{ role: "user", content: "q" }]);
      expect(standIn.requests[0]!.body).not.toHaveProperty("response_format");
    });

    it("refuses an invalid schema name before sending anything", async () => {
      const error = await client()
        .complete([{ role: "user", content: "q" }], { jsonSchema: { name: "rows of main.people", schema } })
        .then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/schema name "rows of main\.people" is not valid/);
      expect(standIn.requests).toHaveLength(0);
    });

    it("reports a schema the endpoint cannot decode strictly as a rejected request, without retrying", async () => {
      const loose = { type: "object", properties: { rows: { type: "array", items: { type: "string" } } } };
      const error = await failure(client().complete([{ role: "user", content: "q" }], { jsonSchema: { name: "loose", schema: loose } }));
      expect(error.message).toMatch(/rejected the request \(400\).*'additionalProperties' is required to be supplied and to be false/);
      expect(error.message).not.toContain(KEY);
      expect(standIn.requests).toHaveLength(1);
    });
  });
});

describe("the stand-in's response_format checks", () => {
  async function post(responseFormat: unknown, content = "q"): Promise<{ status: number; error: { message: string; param: string | null } }> {
    const response = await fetch(`${standIn.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "sql-7b", messages: [{ role: "user", content }], response_format: responseFormat }),
    });
    const body = (await response.json()) as { error: { message: string; param: string | null } };
    return { status: response.status, error: body.error };
  }

  it("rejects json_schema without a schema object", async () => {
    const out = await post({ type: "json_schema", json_schema: { name: "x", schema: "not an object" } });
    expect(out.status).toBe(400);
    expect(out.error).toMatchObject({ param: "response_format.json_schema.schema" });
    expect(out.error.message).toMatch(/json_schema\.schema/);
  });

  it("rejects json_schema without json_schema, an unknown type, and a strict schema with an optional property", async () => {
    expect((await post({ type: "json_schema" })).error.param).toBe("response_format.json_schema");
    expect((await post({ type: "xml" })).error.message).toMatch(/Supported values are/);
    const optional = { type: "object", properties: { a: { type: "string" }, b: { type: "string" } }, required: ["a"], additionalProperties: false };
    const out = await post({ type: "json_schema", json_schema: { name: "x", schema: optional, strict: true } });
    expect(out.status).toBe(400);
    expect(out.error.message).toMatch(/Missing 'b'/);
  });

  it("asks for the word JSON in the messages with json_object, and accepts a well-formed request", async () => {
    expect((await post({ type: "json_object" })).status).toBe(400);
    expect((await post({ type: "json_object" }, "Answer in JSON.")).status).toBe(200);
    expect((await post({ type: "text" })).status).toBe(200);
  });
});
