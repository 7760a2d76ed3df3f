// What a person gives to add or change a model endpoint (pure zod schemas, shared by the endpoint
// forms, the API routes and lib/evaluation/server/endpoints.ts). Limits match
// endpointSettingsSchema (lib/evaluation/endpoints.ts), which reads the stored settings back.
import { z } from "zod";
import { endpointSettingsSchema, pricingSchema } from "@/lib/evaluation/endpoints";

/** An optional text field where blank means "not given" (what an empty form field sends). */
const optionalText = <T extends z.ZodType<string, string>>(schema: T) =>
  z
    .string()
    .trim()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(schema.optional())
    .optional();

const endpointName = z.string().trim().min(1, "Name the endpoint.").max(80, "Keep the name under 80 characters.");

const httpUrl = (what: string, example: string) =>
  z
    .string()
    .trim()
    .url(`The ${what} must be a full URL, e.g. ${example}.`)
    .refine((u) => /^https?:\/\//i.test(u), `The ${what} must start with http:// or https://.`);

const temperature = z.number().min(0, "The temperature is at least 0.").max(2, "The temperature is at most 2.");
const maxTokens = z
  .number()
  .int("Max tokens is a whole number.")
  .min(16, "Max tokens is at least 16.")
  .max(32_768, "Max tokens is at most 32,768.");
const fewShotK = z
  .number()
  .int("The number of examples is a whole number.")
  .min(1, "Show at least 1 example.")
  .max(20, "Show at most 20 examples.");

/** How an LLM endpoint is called, and what its tokens cost (USD per million; omitted: not priced). */
export const callSettingsInput = z.object({
  temperature: temperature.default(0),
  maxTokens: maxTokens.default(1024),
  pricing: pricingSchema.optional(),
});
export type CallSettingsInput = z.infer<typeof callSettingsInput>;

// The stored settings' own rule, so a region accepted here is always read back.
const awsRegion = endpointSettingsSchema.shape.region.unwrap();
const accessKeyId = z
  .string()
  .trim()
  .regex(/^[A-Z0-9]{16,128}$/, "An AWS access key id is capital letters and digits, e.g. AKIAIOSFODNN7EXAMPLE.");
const secretAccessKey = z.string().trim().min(16, "That secret access key is too short.").max(256, "That secret access key is too long.");

export const openAiEndpointInput = z.object({
  kind: z.literal("openai_compatible"),
  name: endpointName,
  baseUrl: httpUrl("base URL", "https://api.example.com/v1"),
  model: z.string().trim().min(1, "Give the model name the endpoint expects.").max(200, "Keep the model name under 200 characters."),
  apiKey: z.string().trim().max(4_000, "That key is too long to be an API key.").default(""),
  settings: callSettingsInput.prefault({}),
});

export const bedrockEndpointInput = z
  .object({
    kind: z.literal("bedrock_converse"),
    name: endpointName,
    region: awsRegion,
    /** A base model or inference profile id, or a custom model deployment / provisioned model ARN. */
    model: z
      .string()
      .trim()
      .min(1, "Give the model id (e.g. us.amazon.nova-micro-v1:0) or the deployment ARN.")
      .max(2_048, "That model id is too long.")
      .regex(/^\S+$/, "A model id or ARN has no spaces, e.g. us.amazon.nova-micro-v1:0."),
    /** Overrides the regional endpoint (a VPC endpoint); omitted: bedrock-runtime.<region>.amazonaws.com. */
    endpointUrl: optionalText(httpUrl("endpoint URL", "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com")),
    /** Both or neither; neither: the server's default AWS credential chain. */
    accessKeyId: optionalText(accessKeyId),
    secretAccessKey: optionalText(secretAccessKey),
    settings: callSettingsInput.prefault({}),
  })
  .superRefine((input, ctx) => {
    const keysProblem = credentialsProblem(input);
    if (keysProblem) ctx.addIssue({ code: "custom", message: keysProblem.message, path: [keysProblem.field] });
    if (input.settings.temperature > 1) {
      ctx.addIssue({ code: "custom", message: "Bedrock takes a temperature between 0 and 1.", path: ["settings", "temperature"] });
    }
    const arnRegion = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):/.exec(input.model)?.[1];
    if (arnRegion && arnRegion !== input.region) {
      ctx.addIssue({
        code: "custom",
        message: `The ARN is in ${arnRegion} but the endpoint's region is ${input.region}: set the region to ${arnRegion}.`,
        path: ["region"],
      });
    }
  });

export const fewShotEndpointInput = z.object({
  kind: z.literal("few_shot"),
  name: endpointName,
  /** An OpenAI-compatible or Bedrock endpoint of the same project, prompted with the examples. */
  baseEndpointId: z.string().trim().min(1, "Pick the endpoint to prompt with the examples."),
  k: fewShotK.default(5),
});

const endpointKinds = z.discriminatedUnion("kind", [openAiEndpointInput, bedrockEndpointInput, fewShotEndpointInput], {
  error: (issue) => (issue.code === "invalid_union" ? "Pick the endpoint kind: openai_compatible, bedrock_converse or few_shot." : undefined),
});

/** A new endpoint. A body without `kind` is an OpenAI-compatible endpoint (the shape before kinds existed). */
export const createEndpointInput = z.preprocess(
  (value) => (typeof value === "object" && value !== null && !Array.isArray(value) && !("kind" in value) ? { ...value, kind: "openai_compatible" } : value),
  endpointKinds,
);
/** What a form or an API client sends. */
export type CreateEndpointRequest = z.input<typeof endpointKinds>;
/** The same, validated and with defaults filled in. */
export type CreateEndpointInput = z.output<typeof endpointKinds>;

/** Changes to an endpoint; anything omitted stays as it is. */
export const updateEndpointInput = z
  .object({
    name: endpointName.optional(),
    /** OpenAI-compatible and Bedrock endpoints; `pricing: null` removes the prices. */
    settings: z
      .object({
        temperature: temperature.optional(),
        maxTokens: maxTokens.optional(),
        pricing: pricingSchema.nullable().optional(),
      })
      .optional(),
    /** OpenAI-compatible: a new API key (blank: keep the current one). */
    apiKey: optionalText(z.string().max(4_000, "That key is too long to be an API key.")),
    /** Bedrock: new keys, both together (blank: keep the current ones). */
    accessKeyId: optionalText(accessKeyId),
    secretAccessKey: optionalText(secretAccessKey),
    /** Bedrock: forget the stored keys and use the server's default credential chain. */
    useDefaultCredentials: z.boolean().optional(),
    /** Few-shot: how many examples are shown. */
    k: fewShotK.optional(),
  })
  .superRefine((input, ctx) => {
    const keysProblem = credentialsProblem(input);
    if (keysProblem) ctx.addIssue({ code: "custom", message: keysProblem.message, path: [keysProblem.field] });
    if (input.useDefaultCredentials && input.accessKeyId) {
      ctx.addIssue({ code: "custom", message: "Either give new keys or switch to the default credentials, not both.", path: ["useDefaultCredentials"] });
    }
  });
export type UpdateEndpointRequest = z.input<typeof updateEndpointInput>;
export type UpdateEndpointInput = z.output<typeof updateEndpointInput>;

function credentialsProblem(input: { accessKeyId?: string; secretAccessKey?: string }): { field: string; message: string } | null {
  if (input.accessKeyId && !input.secretAccessKey) {
    return { field: "secretAccessKey", message: "Give the secret access key that goes with the access key id, or leave both empty to use the server's default credentials." };
  }
  if (!input.accessKeyId && input.secretAccessKey) {
    return { field: "accessKeyId", message: "Give the access key id that goes with the secret access key, or leave both empty to use the server's default credentials." };
  }
  return null;
}
