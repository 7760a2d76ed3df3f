import type { ResultSet } from "@/lib/evaluation/compare";

// Fireworks dataset lines (JSONL, OpenAI chat format). RFT rows hold the prompt only (system +
// user); every other top-level field is passed unchanged to the evaluator, which is how the
// reward function (the studio's result comparator) receives the gold result and SQL. SFT rows add
// the assistant's answer. Train, validation and test splits are separate files: Fireworks takes a
// validation file as a job's `evaluationDataset`.

export interface FireworksRftItem {
  id: string;
  /** The user message (the question, through the version's user template). */
  question: string;
  sql: string;
  result: ResultSet;
  /** This item's system prompt; when absent, the one passed for the whole file. */
  system?: string;
  /**
   * Whether the gold query orders its rows (a top-level ORDER BY): the evaluator then compares rows
   * in order, as an evaluation run does. Absent means false.
   */
  orderMatters?: boolean;
}

export interface FireworksSftItem {
  id?: string;
  question: string;
  sql: string;
  system?: string;
}

type Message = { role: "system" | "user" | "assistant"; content: string };
export interface FireworksRecord {
  messages: Message[];
  [field: string]: unknown;
}

function promptMessages(systemPrompt: string, question: string): Message[] {
  // The system message is optional in Fireworks' format; an empty one would fail validation.
  return systemPrompt.trim()
    ? [
        { role: "system", content: systemPrompt },
        { role: "user", content: question },
      ]
    : [{ role: "user", content: question }];
}

/**
 * One record per pair: messages = [system, user]; ground_truth = the gold result as a JSON string
 * of {columns, rows}; order_matters = whether the reward compares rows in order; gold_sql and
 * pair_id for the evaluator's logs.
 */
export function toFireworksRftRecords(items: readonly FireworksRftItem[], systemPrompt = ""): FireworksRecord[] {
  return items.map((item) => ({
    messages: promptMessages(item.system ?? systemPrompt, item.question),
    ground_truth: JSON.stringify({ columns: item.result.columns, rows: item.result.rows }),
    order_matters: item.orderMatters ?? false,
    gold_sql: item.sql,
    pair_id: item.id,
  }));
}

/** One record per pair: messages = [system, user, assistant (the gold SQL)]. */
export function toFireworksSftRecords(items: readonly FireworksSftItem[], systemPrompt = ""): FireworksRecord[] {
  return items.map((item) => ({
    messages: [...promptMessages(item.system ?? systemPrompt, item.question), { role: "assistant", content: item.sql }],
  }));
}

export function toFireworksRftLines(items: readonly FireworksRftItem[], systemPrompt = ""): string[] {
  return toFireworksRftRecords(items, systemPrompt).map((r) => JSON.stringify(r));
}

export function toFireworksSftLines(items: readonly FireworksSftItem[], systemPrompt = ""): string[] {
  return toFireworksSftRecords(items, systemPrompt).map((r) => JSON.stringify(r));
}

export interface FireworksLineProblem {
  /** 1-based line number; 0 for a problem with the file as a whole. */
  line: number;
  message: string;
}

const ROLES = new Set(["system", "user", "assistant"]);
export const FIREWORKS_SFT_MIN_EXAMPLES = 3;
export const FIREWORKS_MAX_EXAMPLES = 3_000_000;

/**
 * Checks lines the way Fireworks does before it accepts a dataset: each line a JSON object with a
 * non-empty `messages` array of {role, content}; roles system/user/assistant; system only first;
 * user and assistant alternating from a user turn; content a non-empty string. "rft" lines must end
 * on the user's turn, "sft" lines on the assistant's. A fine-tuning dataset holds 3 to 3,000,000
 * examples (Fireworks' fine-tuning docs). Returns the first `limit` problems (none = valid).
 */
export function validateFireworksLines(lines: readonly string[], kind?: "rft" | "sft", limit = 20): FireworksLineProblem[] {
  return runChecks(lines.length, kind, limit, (i) => {
    if (lines[i].includes("\n")) return "the line contains a raw newline; each example must be one line";
    let parsed: unknown;
    try {
      parsed = JSON.parse(lines[i]);
    } catch {
      return "not valid JSON";
    }
    return checkRecord(parsed, kind);
  });
}

/** The same checks on records before they are serialised (what an export builds first). */
export function validateFireworksRecords(records: readonly unknown[], kind?: "rft" | "sft", limit = 20): FireworksLineProblem[] {
  return runChecks(records.length, kind, limit, (i) => checkRecord(records[i], kind));
}

function runChecks(n: number, kind: "rft" | "sft" | undefined, limit: number, check: (index: number) => string | undefined): FireworksLineProblem[] {
  const problems: FireworksLineProblem[] = [];
  const report = (line: number, message: string) => {
    if (problems.length < limit) problems.push({ line, message });
  };
  if (n === 0) report(0, "The file has no examples.");
  if (kind === "sft" && n > 0 && n < FIREWORKS_SFT_MIN_EXAMPLES) {
    report(0, `Fireworks needs at least ${FIREWORKS_SFT_MIN_EXAMPLES} examples for fine-tuning; this file has ${n}.`);
  }
  if (n > FIREWORKS_MAX_EXAMPLES) {
    report(0, `Fireworks accepts at most ${FIREWORKS_MAX_EXAMPLES.toLocaleString("en-US")} examples; this file has ${n}.`);
  }
  for (let i = 0; i < n && problems.length < limit; i++) {
    const problem = check(i);
    if (problem) report(i + 1, problem);
  }
  return problems;
}

function checkRecord(parsed: unknown, kind: "rft" | "sft" | undefined): string | undefined {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "not a JSON object";
  const messages = (parsed as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return 'missing "messages" array';
  if (messages.length === 0) return '"messages" is empty';
  let previous: string | undefined;
  for (let m = 0; m < messages.length; m++) {
    const message = messages[m] as { role?: unknown; content?: unknown; weight?: unknown };
    const where = `messages[${m}]`;
    if (typeof message !== "object" || message === null || Array.isArray(message)) return `${where} is not an object`;
    if (typeof message.role !== "string" || !ROLES.has(message.role)) {
      return `${where} has role ${JSON.stringify(message.role)}; allowed: system, user, assistant`;
    }
    if (typeof message.content !== "string") return `${where} content is not a string`;
    if (message.content.trim() === "") return `${where} (${message.role}) has empty content`;
    if (message.weight !== undefined && message.weight !== 0 && message.weight !== 1) return `${where} weight must be 0 or 1`;
    const role = message.role;
    if (role === "system" && m !== 0) return `${where}: a system message may only come first`;
    if (role === "user" && previous === "user") return `${where}: two user messages in a row`;
    if (role === "assistant" && previous !== "user") return `${where}: an assistant message must follow a user message`;
    previous = role;
  }
  if (previous === "system") return "there is no user message";
  if (kind === "rft") {
    if (previous !== "user") return "an RFT example must end with the user's message (the prompt only)";
    if (!("ground_truth" in (parsed as object))) return 'missing "ground_truth" for the evaluator';
  }
  if (kind === "sft" && previous !== "assistant") return "an SFT example must end with the assistant's answer";
  return undefined;
}
