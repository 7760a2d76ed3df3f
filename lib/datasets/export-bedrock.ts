// Amazon Bedrock fine-tuning data for Nova Micro and Nova Lite: `bedrock-conversation-2024` JSONL,
// one conversation per line, train and validation in separate files. The rules below are the ones
// AWS documents for Nova customization and that its sample validator enforces
// (docs/nova "fine-tune-prepare-data-understanding" and aws-samples/amazon-nova-samples
// `nova_ft_dataset_validator.py`, summarised in our Bedrock reference §2).

export const BEDROCK_SCHEMA_VERSION = "bedrock-conversation-2024";
export const BEDROCK_MODELS = ["nova-micro", "nova-lite"] as const;
export type BedrockModel = (typeof BEDROCK_MODELS)[number];
export type BedrockPart = "train" | "validation";

/** Samples per file for Nova Micro/Lite SFT: the sample validator refuses a file outside 8–20,000. */
export const BEDROCK_MIN_SAMPLES = 8;
export const BEDROCK_MAX_SAMPLES = 20_000;
/** AWS recommends at least 100 samples per task; fewer is allowed, so it is a warning. */
export const BEDROCK_RECOMMENDED_SAMPLES = 100;
/** AWS's text-to-SQL sample caps train + validation at 20,000 together; a warning, not a rule. */
export const BEDROCK_MAX_COMBINED_SAMPLES = 20_000;

/**
 * Strings that make a Nova customization job fail wherever they appear (the validator's list,
 * matched case-insensitively). SQL literals and questions are checked like every other text.
 */
export const BEDROCK_RESERVED_STRINGS = ["User:", "Bot:", "Assistant:", "System:", "<image>", "<video>", "[EOS]", "<unk>"] as const;
const RESERVED = new RegExp(BEDROCK_RESERVED_STRINGS.map((s) => s.replace(/[[\]<>]/g, "\\$&")).join("|"), "i");

export interface BedrockItem {
  system: string;
  user: string;
  sql: string;
}

export interface BedrockRecord {
  schemaVersion: string;
  system?: { text: string }[];
  messages: { role: "user" | "assistant"; content: { text: string }[] }[];
}

export interface BedrockProblem {
  /** 1-based line number; 0 for a problem with the file as a whole. */
  line: number;
  message: string;
}

export interface BedrockValidation {
  /** Problems Bedrock refuses a job for (none = the file is accepted). */
  errors: BedrockProblem[];
  /** Problems AWS advises against but accepts. */
  warnings: BedrockProblem[];
}

/** One record: the system prompt (omitted when empty), the question, the gold SQL as the answer. */
export function toBedrockRecord(item: BedrockItem): BedrockRecord {
  return {
    schemaVersion: BEDROCK_SCHEMA_VERSION,
    ...(item.system.trim() ? { system: [{ text: item.system }] } : {}),
    messages: [
      { role: "user", content: [{ text: item.user }] },
      { role: "assistant", content: [{ text: item.sql }] },
    ],
  };
}

export function toBedrockLines(items: readonly BedrockItem[]): string[] {
  return items.map((item) => JSON.stringify(toBedrockRecord(item)));
}

/** S3 object names Bedrock accepts for a data file: letters, digits and `_ - / .` only. */
export function checkBedrockFileName(name: string): string | undefined {
  if (!name) return "the file name is empty";
  const bad = [...new Set(name.replace(/[A-Za-z0-9_\-/.]/g, ""))];
  if (bad.length) return `the file name "${name}" contains ${bad.map((c) => JSON.stringify(c)).join(", ")}; Bedrock accepts only letters, digits and _ - / .`;
  return undefined;
}

export interface BedrockValidateOptions {
  part: BedrockPart;
  model: BedrockModel;
  /** The file's name, checked against Bedrock's naming rule. */
  fileName?: string;
  /** Samples in the other file of the same job (train ↔ validation), for the combined cap. */
  otherPartCount?: number;
  /** Stop collecting after this many errors. */
  limit?: number;
}

/** Checks JSONL lines as Bedrock does before it starts a Nova fine-tuning job. */
export function validateBedrockLines(lines: readonly string[], options: BedrockValidateOptions): BedrockValidation {
  return runChecks(lines.length, options, (i, checked) => {
    const line = lines[i];
    if (line.includes("\n")) return "the line contains a raw newline; each record must be one line";
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return "not valid JSON";
    }
    return checkRecord(record, checked);
  });
}

/** The same checks on parsed records, as an export holds them before they are serialised. */
export function validateBedrockRecords(records: readonly unknown[], options: BedrockValidateOptions): BedrockValidation {
  return runChecks(records.length, options, (i, checked) => checkRecord(records[i], checked));
}

function runChecks(n: number, options: BedrockValidateOptions, check: (index: number, checked: Map<string, string | undefined>) => string | undefined): BedrockValidation {
  const limit = options.limit ?? 20;
  const errors: BedrockProblem[] = [];
  const warnings: BedrockProblem[] = [];
  const error = (line: number, message: string) => {
    if (errors.length < limit) errors.push({ line, message });
  };
  const file = options.part === "train" ? "training" : "validation";
  const model = options.model === "nova-lite" ? "Nova Lite" : "Nova Micro";
  if (n < BEDROCK_MIN_SAMPLES || n > BEDROCK_MAX_SAMPLES) {
    error(0, `the ${file} file has ${n.toLocaleString("en-US")} records; ${model} needs between ${BEDROCK_MIN_SAMPLES} and ${BEDROCK_MAX_SAMPLES.toLocaleString("en-US")} per file`);
  } else if (options.part === "train" && n < BEDROCK_RECOMMENDED_SAMPLES) {
    warnings.push({ line: 0, message: `the training file has ${n} records; AWS recommends at least ${BEDROCK_RECOMMENDED_SAMPLES}` });
  }
  if (options.otherPartCount !== undefined && n + options.otherPartCount > BEDROCK_MAX_COMBINED_SAMPLES) {
    warnings.push({
      line: 0,
      message: `train and validation hold ${(n + options.otherPartCount).toLocaleString("en-US")} records together; AWS's text-to-SQL sample keeps them at ${BEDROCK_MAX_COMBINED_SAMPLES.toLocaleString("en-US")} or fewer`,
    });
  }
  if (options.fileName !== undefined) {
    const problem = checkBedrockFileName(options.fileName);
    if (problem) error(0, problem);
  }
  // The system prompt is usually the same long text on every record: each distinct one is checked once.
  const checked = new Map<string, string | undefined>();
  for (let i = 0; i < n && errors.length < limit; i++) {
    const problem = check(i, checked);
    if (problem) error(i + 1, problem);
  }
  return { errors, warnings };
}

function checkText(value: unknown, where: string, checked: Map<string, string | undefined>): string | undefined {
  if (typeof value !== "string") return `${where} has no "text" string (only text content is supported)`;
  if (checked.has(value)) return checked.get(value) && `${where} ${checked.get(value)}`;
  let problem: string | undefined;
  if (value.trim() === "") problem = "is empty";
  else {
    const match = RESERVED.exec(value);
    if (match) problem = `contains the reserved string "${match[0]}", which makes the job fail; reword it`;
  }
  if (value.length > 256) checked.set(value, problem);
  return problem && `${where} ${problem}`;
}

function checkContent(content: unknown, where: string, checked: Map<string, string | undefined>): string | undefined {
  if (!Array.isArray(content) || content.length === 0) return `${where} must be a non-empty array of {"text": …} blocks`;
  for (let c = 0; c < content.length; c++) {
    const block = content[c] as Record<string, unknown>;
    const at = `${where}[${c}]`;
    if (typeof block !== "object" || block === null || Array.isArray(block)) return `${at} is not an object`;
    const keys = Object.keys(block);
    if (keys.length !== 1 || keys[0] !== "text") return `${at} holds ${keys.join(", ") || "nothing"}; only text content is supported`;
    const problem = checkText(block.text, at, checked);
    if (problem) return problem;
  }
  return undefined;
}

function checkRecord(record: unknown, checked: Map<string, string | undefined>): string | undefined {
  if (typeof record !== "object" || record === null || Array.isArray(record)) return "not a JSON object";
  const r = record as Record<string, unknown>;
  if (r.schemaVersion !== undefined && typeof r.schemaVersion !== "string") return '"schemaVersion" must be a string';
  if (r.system !== undefined) {
    const problem = checkContent(r.system, "system", checked);
    if (problem) return problem;
  }
  const messages = r.messages;
  if (!Array.isArray(messages)) return 'missing "messages" array';
  if (messages.length < 2) return `"messages" has ${messages.length} message${messages.length === 1 ? "" : "s"}; at least a user and an assistant message are needed`;
  for (let m = 0; m < messages.length; m++) {
    const message = messages[m] as Record<string, unknown>;
    const where = `messages[${m}]`;
    if (typeof message !== "object" || message === null || Array.isArray(message)) return `${where} is not an object`;
    const expected = m % 2 === 0 ? "user" : "assistant";
    if (message.role !== "user" && message.role !== "assistant") return `${where} has role ${JSON.stringify(message.role)}; only user and assistant are allowed`;
    if (message.role !== expected) {
      return m === 0 ? `${where} must be the user's; a conversation starts with the user` : `${where} is a second ${message.role} message in a row; user and assistant must alternate`;
    }
    const problem = checkContent(message.content, `${where}.content`, checked);
    if (problem) return problem;
  }
  if (messages.length % 2 !== 0) return "the last message must be the assistant's";
  return undefined;
}
