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

export interface CompleteOptions {
  temperature?: number;
  maxTokens?: number;
}

export interface ChatClient {
  readonly model: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<ChatCompletion>;
}
