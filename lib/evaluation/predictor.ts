// What the evaluation runner needs from a model endpoint (pure types). Built by
// lib/evaluation/server/endpoints.ts (createPredictor), used by lib/evaluation/server/runner.ts.
import type { ChatMessage } from "@/lib/providers/chat";
import type { ItemPrompt } from "@/lib/datasets/prompt";
import type { Pricing } from "@/lib/evaluation/endpoints";

/** An item as the predictor sees it: its prompt fields and its id. */
export interface PredictorItem extends ItemPrompt {
  id: string;
}

export interface ModelAnswer {
  /** The model's whole answer (SQL is extracted from it by the runner) */
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Wall time of the successful attempt (ms) */
  latencyMs: number;
  /** Attempts made; 1 when the first succeeded, 0 for built-in endpoints that make no call */
  attempts: number;
}

export interface Predictor {
  kind: string;
  /**
   * Everything besides the messages that changes an answer (kind, base URL or region, model,
   * temperature, max tokens, few-shot k): part of the response-cache key. Never holds a secret.
   */
  identity: string;
  pricing?: Pricing;
  /** Built-in endpoints answer without network: no cache, no call limit, cost 0. */
  local: boolean;
  /** The messages the model is sent for this item (few-shot examples included). */
  messages(item: PredictorItem): ChatMessage[];
  /** Asks the model. Throws ProviderError when the endpoint fails after its retries. */
  answer(item: PredictorItem, messages: ChatMessage[], signal?: AbortSignal): Promise<ModelAnswer>;
}
