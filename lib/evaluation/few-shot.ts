// Few-shot prompting, the first rung of the cost ladder: any LLM endpoint, shown the k approved
// pairs most similar to the question, before anyone pays for fine-tuning. Pure: the examples come
// from the dataset version's train split, chosen by the retrieval baseline's index.
import type { ChatMessage } from "@/lib/providers/chat";
import type { Example, ExampleIndex } from "@/lib/evaluation/retrieval-baseline";

/** An approved pair offered as an example; `id` (the dataset item's) lets the item itself be left out. */
export interface FewShotExample extends Example {
  id?: string;
}

/** The question being answered: its text and, when it is a dataset item, its id. */
export interface FewShotTarget {
  question: string;
  id?: string;
}

/**
 * The k examples nearest to the target, ordered least similar first so the closest example sits
 * right before the real question. The target never serves as its own example: an example with
 * its id or exactly its question text is left out (evaluating on the train split would otherwise
 * hand the model its answer).
 */
export function pickFewShotExamples<T extends FewShotExample>(index: ExampleIndex<T>, target: FewShotTarget, k: number): T[] {
  const question = target.question.trim();
  const neighbours = index.nearest(target.question, k, (example) => (target.id !== undefined && example.id === target.id) || example.question.trim() === question);
  return neighbours.map((n) => n.example).reverse();
}

/**
 * The conversation a few-shot endpoint is sent: the system prompt; for each example a user turn
 * (its question rendered as the real question is, so the version's user template applies) and an
 * assistant turn with its SQL, exactly as the training exports write it; then the real user turn.
 */
export function fewShotMessages(
  prompt: { system: string; user: string },
  examples: readonly Example[],
  renderQuestion: (question: string) => string = (question) => question,
): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: prompt.system }];
  for (const example of examples) {
    messages.push({ role: "user", content: renderQuestion(example.question) }, { role: "assistant", content: example.sql });
  }
  messages.push({ role: "user", content: prompt.user });
  return messages;
}
