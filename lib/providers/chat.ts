// Types shared by chat-completion clients and their callers (pure, importable anywhere).

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

export interface ChatCompletion {
  text: string;
  usage?: ChatUsage;
  /** Wall time of the successful attempt, in ms. */
  latencyMs: number;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
  finishReason?: string;
}

/** A JSON schema the answer must follow (structured output). */
export interface JsonSchemaFormat {
  /** Letters, digits, "_" and "-", at most 64 characters (what OpenAI and Fireworks accept). */
  name: string;
  /**
   * Written for strict decoding: every object lists all its properties in `required` and sets
   * `additionalProperties: false`.
   */
  schema: Record<string, unknown>;
}

export interface CompleteOptions {
  temperature?: number;
  maxTokens?: number;
  /** Constrains the answer to JSON following this schema; the answer is still returned as text. */
  jsonSchema?: JsonSchemaFormat;
}

export interface ChatClient {
  readonly model: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<ChatCompletion>;
}
