// Scans a dataset version runs before sign-off. Pure: the items and what the project knows
// (sensitive columns, export targets) in, findings out. The server side stores them and keeps the
// resolutions people made (lib/datasets/server/scan.ts).
//
// Kinds, default severity and how each is resolved:
//
// | kind             | severity | found when                                                    | resolution                 |
// |------------------|----------|---------------------------------------------------------------|----------------------------|
// | pii_<type>       | blocking | an email, phone, card, national ID or IBAN in the question     | redact, exclude or waive   |
// |                  |          | ...or in a string literal of the SQL (the result depends on it) | exclude or waive           |
// | sensitive_column | blocking | the SQL reads a column marked sensitive in the glossary        | exclude or waive           |
// |                  | warning  | a result value looks like personal data                        | exclude or waive           |
// | reserved_string  | blocking | a Bedrock reserved string in the question, SQL or result        | exclude or waive           |
// | duplicate_exact  | warning  | the same question as an earlier pair (case, spaces, punctuation) | exclude one, or waive      |
// | duplicate_near   | warning  | a question ≥ 90% like an earlier one (token sets) with the same result | exclude one, or waive |
// | empty_result     | warning  | the ground truth has no rows                                   | exclude or waive           |
// | lint_error       | warning  | the query carries a lint flag of severity error                | exclude or waive           |
// | size_limit       | warning            | the export breaks a target's documented record bounds | waive (whole version)      |
//
// Sensitive columns: for each "table.column" marked sensitive whose table the SQL reads
// (features.tables, or the table's name in the SQL when features are missing), the SQL reads the
// column when its name appears outside string literals (bare, qualified or quoted), when the SQL
// selects * (or alias.*), or when a result column has its name. This is conservative: another
// table's column of the same name is flagged too, which a person can waive.
//
// Duplicates are reported on the later pair (items in the order given) against the first earlier
// pair that is not excluded, so excluding either one clears it.

import { detectPii, PII_LABELS, type PiiKind, type PiiSpan } from "@/lib/datasets/pii";
import { tokenizeSql } from "@/lib/queries/sql-text";


/** "an email address", "a phone number". */
function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

export type FindingSeverity = "blocking" | "warning";
export const FINDING_KINDS = [
  "pii_email",
  "pii_phone",
  "pii_card",
  "pii_national_id",
  "pii_iban",
  "sensitive_column",
  "reserved_string",
  "duplicate_exact",
  "duplicate_near",
  "empty_result",
  "lint_error",
  "size_limit",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const FINDING_KIND_LABELS: Record<FindingKind, string> = {
  pii_email: "Email addresses",
  pii_phone: "Phone numbers",
  pii_card: "Payment card numbers",
  pii_national_id: "National ID numbers",
  pii_iban: "IBANs",
  sensitive_column: "Sensitive columns",
  reserved_string: "Bedrock reserved strings",
  duplicate_exact: "Exact duplicates",
  duplicate_near: "Near duplicates",
  empty_result: "Empty results",
  lint_error: "Lint errors",
  size_limit: "Size limits",
};

export type FindingField = "question" | "sql" | "result" | "system_prompt" | "version";

export interface FindingDetail {
  field: FindingField;
  /** What was found, as written (for duplicates: the pair's own question; for size limits: target and rule). */
  match: string;
  start?: number;
  end?: number;
  /** For PII: which national ID or card network. */
  scheme?: string;
  column?: string;
  otherItemId?: string;
  otherQuestion?: string;
  similarity?: number;
  target?: string;
  split?: string;
  count?: number;
  limit?: number;
  code?: string;
}

export interface ScanFinding {
  itemId: string | null;
  kind: FindingKind;
  severity: FindingSeverity;
  message: string;
  detail: FindingDetail;
}

export interface ScanResult {
  columns: string[];
  rows: unknown[][];
}

export interface ScanItem {
  id: string;
  question: string;
  sql: string;
  result: ScanResult | null;
  features?: { tables?: string[] } | null;
  lintFlags?: { code: string; severity?: string; message: string }[];
  /** train | validation | test | heldout; counted for the size limits (train when absent). */
  split?: string;
  /** Excluded pairs are still scanned (their findings show as excluded) but leave the size counts and duplicate checks. */
  excluded?: boolean;
}

export const SCAN_TARGETS = ["fireworks", "bedrock_nova"] as const;
export type ScanTarget = (typeof SCAN_TARGETS)[number];

export interface ScanContext {
  /** "table.column", lower case. */
  sensitiveColumns: ReadonlySet<string>;
  /** Export targets whose size limits apply (default: all). */
  targets?: readonly ScanTarget[];
  /** The version's system prompt, which goes into every exported record. */
  systemPrompt?: string;
}

/** The question's PII redactable; a finding in the SQL is not (the ground truth depends on the literal). */
export function isRedactable(finding: { kind: string; detail: { field?: string } }): boolean {
  return finding.kind.startsWith("pii_") && finding.detail.field === "question";
}

// ---------------------------------------------------------------------------------------------
// Limits of the export targets (see the Scans section of lib/datasets/README.md for the sources).

export interface TargetLimit {
  target: ScanTarget;
  label: string;
  min: number;
  max: number;
  /** Fewer records than this trains poorly: a warning. */
  recommendedMin?: number;
  /** train + validation together. */
  combinedMax?: number;
}

export const TARGET_LIMITS: Record<ScanTarget, TargetLimit> = {
  // Fireworks SFT/RFT datasets: 3 to 3,000,000 examples per dataset.
  fireworks: { target: "fireworks", label: "Fireworks", min: 3, max: 3_000_000 },
  // Bedrock Nova Micro/Lite fine-tuning: 8 to 20,000 samples per file (the job fails outside),
  // train and validation 20,000 together, at least 100 samples recommended.
  bedrock_nova: { target: "bedrock_nova", label: "Bedrock Nova Micro/Lite", min: 8, max: 20_000, recommendedMin: 100, combinedMax: 20_000 },
};

export const BEDROCK_RESERVED_STRINGS = ["User:", "Bot:", "Assistant:", "System:", "<image>", "<video>", "[EOS]", "<unk>"] as const;

// ---------------------------------------------------------------------------------------------

const PII_SQL_HINT = "The ground truth depends on this literal, so it cannot be redacted: exclude the pair, or waive with a reason if the value is not real personal data.";

function piiFindings(item: ScanItem): ScanFinding[] {
  const out: ScanFinding[] = [];
  const seen = new Set<string>();
  const add = (field: "question" | "sql", s: PiiSpan) => {
    const key = `${field}|${s.kind}|${s.match}`;
    if (seen.has(key)) return;
    seen.add(key);
    const what = PII_LABELS[s.kind];
    out.push({
      itemId: item.id,
      kind: `pii_${s.kind}` as FindingKind,
      severity: "blocking",
      message:
        field === "question"
          ? `The question contains ${withArticle(what)} (${s.match}). Redact it in the question, exclude the pair, or waive with a reason if it is not real personal data.`
          : `A string literal in the SQL contains ${withArticle(what)} (${s.match}). ${PII_SQL_HINT}`,
      detail: { field, match: s.match, start: s.start, end: s.end, ...(s.scheme ? { scheme: s.scheme } : {}) },
    });
  };
  for (const s of detectPii(item.question)) add("question", s);
  for (const token of tokenizeSql(item.sql)) {
    if (token.kind !== "string") continue;
    for (const s of detectPii(token.text)) add("sql", { ...s, start: token.start + s.start, end: token.start + s.end });
  }
  return out;
}

/** Words of the SQL outside string literals and comments, lower case (quoted identifiers unquoted). */
function sqlWords(sql: string): { words: Set<string>; star: boolean } {
  const words = new Set<string>();
  let star = false;
  const tokens = tokenizeSql(sql);
  tokens.forEach((t, i) => {
    if (t.kind === "word") words.add(t.text.toLowerCase());
    else if (t.kind === "quoted") words.add(t.text.slice(1, -1).replace(/""/g, '"').toLowerCase());
    else if (t.text === "*") {
      const prev = tokens[i - 1];
      // SELECT *, a, * or alias.* (count(*) and multiplication are not reads of every column).
      if (prev && (prev.upper === "SELECT" || prev.upper === "DISTINCT" || prev.kind === "comma" || prev.kind === "dot")) star = true;
    }
  });
  return { words, star };
}

function sensitiveFindings(item: ScanItem, sensitive: ReadonlySet<string>): ScanFinding[] {
  const out: ScanFinding[] = [];
  if (sensitive.size > 0) {
    const { words, star } = sqlWords(item.sql);
    const featureTables = (item.features?.tables ?? []).map((t) => t.toLowerCase());
    const tables = new Set(featureTables.length ? featureTables : [...words]);
    const resultColumns = new Set((item.result?.columns ?? []).map((c) => c.toLowerCase()));
    for (const full of sensitive) {
      const dot = full.lastIndexOf(".");
      const table = full.slice(0, dot);
      const column = full.slice(dot + 1);
      if (!tables.has(table) && !tables.has(table.split(".").pop()!)) continue;
      const how = words.has(column) ? "reads" : star ? "selects * from the table with" : resultColumns.has(column) ? "returns" : null;
      if (!how) continue;
      out.push({
        itemId: item.id,
        kind: "sensitive_column",
        severity: "blocking",
        message: `The SQL ${how} ${full}, marked sensitive in the glossary. Exclude the pair, or waive with a reason if this column may be shared.`,
        detail: { field: "sql", match: column, column: full },
      });
    }
  }
  // Personal data in the result: one finding per column (the first value seen), a warning since the
  // column may be harmless and the person deciding knows the data.
  if (item.result) {
    const flagged = new Set<number>();
    for (const row of item.result.rows) {
      if (flagged.size === item.result.columns.length) break;
      row.forEach((value, c) => {
        if (flagged.has(c) || typeof value !== "string" || value.length < 6) return;
        const [s] = detectPii(value);
        if (!s) return;
        flagged.add(c);
        const column = item.result!.columns[c] ?? `column ${c + 1}`;
        out.push({
          itemId: item.id,
          kind: "sensitive_column",
          severity: "warning",
          message: `The result column "${column}" holds what looks like ${withArticle(PII_LABELS[s.kind])} (${s.match}). Mark the column sensitive in the glossary and exclude the pair, or waive with a reason if the data is synthetic.`,
          detail: { field: "result", match: s.match, column, scheme: s.kind },
        });
      });
    }
  }
  return out;
}

function reservedIn(text: string): { match: string; start: number }[] {
  const lower = text.toLowerCase();
  const out: { match: string; start: number }[] = [];
  for (const r of BEDROCK_RESERVED_STRINGS) {
    const at = lower.indexOf(r.toLowerCase());
    if (at >= 0) out.push({ match: text.slice(at, at + r.length), start: at });
  }
  return out;
}

const FIELD_WORDS: Record<FindingField, string> = { question: "question", sql: "SQL", result: "result", system_prompt: "system prompt", version: "version" };

function reservedFindings(item: ScanItem): ScanFinding[] {
  const out: ScanFinding[] = [];
  const fields: [FindingField, string][] = [
    ["question", item.question],
    ["sql", item.sql],
    ["result", item.result ? JSON.stringify(item.result) : ""],
  ];
  for (const [field, text] of fields) {
    for (const r of reservedIn(text)) {
      out.push({
        itemId: item.id,
        kind: "reserved_string",
        severity: "blocking",
        message: `The ${FIELD_WORDS[field]} contains "${r.match}", a string Bedrock reserves (its fine-tuning job fails on it). ${field === "question" ? "Edit the question in Review and freeze a new version, or exclude the pair" : "Exclude the pair"}, or waive with a reason if this version will not go to Bedrock.`,
        detail: field === "result" ? { field, match: r.match } : { field, match: r.match, start: r.start, end: r.start + r.match.length },
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Duplicates

/** Lower case, punctuation dropped, spaces collapsed. */
export function normalizeQuestion(q: string): string {
  return q
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function normalizeSql(sql: string): string {
  return tokenizeSql(sql)
    .map((t) => (t.kind === "word" ? t.upper : t.text))
    .join(" ");
}

export function questionTokens(q: string): string[] {
  return [...new Set(normalizeQuestion(q).split(" ").filter(Boolean))];
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const set = new Set(a);
  let inter = 0;
  for (const t of b) if (set.has(t)) inter++;
  return inter / (a.length + b.length - inter);
}

export const NEAR_DUPLICATE_THRESHOLD = 0.9;

const resultKey = (r: ScanResult | null) => (r ? JSON.stringify(r) : "");

function duplicateFindings(items: readonly ScanItem[]): ScanFinding[] {
  const out: ScanFinding[] = [];
  const normalized = items.map((i) => normalizeQuestion(i.question));
  // Exact: the first earlier pair (not excluded) with the same normalized question.
  const firstByQuestion = new Map<string, number>();
  const exactOf = new Map<number, number>();
  items.forEach((item, idx) => {
    const q = normalized[idx];
    const first = firstByQuestion.get(q);
    if (first !== undefined) exactOf.set(idx, first);
    if (first === undefined && !item.excluded) firstByQuestion.set(q, idx);
  });
  for (const [idx, first] of exactOf) {
    const item = items[idx];
    const other = items[first];
    const sameSql = normalizeSql(item.sql) === normalizeSql(other.sql);
    out.push({
      itemId: item.id,
      kind: "duplicate_exact",
      severity: "warning",
      message: `The same question as another pair${sameSql ? ", with the same SQL" : ", with different SQL"} ("${other.question.slice(0, 120)}"). Exclude one of the two, or waive with a reason.`,
      detail: { field: "question", match: item.question, otherItemId: other.id, otherQuestion: other.question, similarity: 1 },
    });
  }

  // Near: token-set Jaccard ≥ 0.9 and the same result. Only pairs with the same result can match,
  // so items are grouped by result first; within a group, prefix filtering finds candidates (two
  // sets with Jaccard ≥ t share a token among the first |A| - ⌈t·|A|⌉ + 1 of each, tokens ordered
  // rarest first), then each candidate is verified exactly.
  const tokens = items.map((i) => questionTokens(i.question));
  const frequency = new Map<string, number>();
  for (const ts of tokens) for (const t of ts) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const ordered = tokens.map((ts) => [...ts].sort((a, b) => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : a > b ? 1 : 0)));
  const groups = new Map<string, number[]>();
  items.forEach((item, idx) => {
    if (exactOf.has(idx) || tokens[idx].length === 0) return;
    const key = resultKey(item.result);
    const g = groups.get(key);
    if (g) g.push(idx);
    else groups.set(key, [idx]);
  });
  const t = NEAR_DUPLICATE_THRESHOLD;
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const index = new Map<string, number[]>();
    for (const idx of members) {
      const ts = ordered[idx];
      const prefix = ts.length - Math.ceil(t * ts.length) + 1;
      let best: { other: number; similarity: number } | null = null;
      const checked = new Set<number>();
      for (let p = 0; p < prefix; p++) {
        for (const other of index.get(ts[p]) ?? []) {
          if (checked.has(other)) continue;
          checked.add(other);
          const lo = Math.min(ts.length, ordered[other].length);
          const hi = Math.max(ts.length, ordered[other].length);
          if (lo < t * hi) continue;
          if (normalized[other] === normalized[idx]) continue;
          const similarity = jaccard(ts, ordered[other]);
          if (similarity >= t && (!best || other < best.other)) best = { other, similarity };
        }
      }
      if (best) {
        const item = items[idx];
        const other = items[best.other];
        out.push({
          itemId: item.id,
          kind: "duplicate_near",
          severity: "warning",
          message: `Nearly the same question as another pair with the same result ("${other.question.slice(0, 120)}"). Exclude one of the two, or waive with a reason if they ask different things.`,
          detail: { field: "question", match: item.question, otherItemId: other.id, otherQuestion: other.question, similarity: Math.round(best.similarity * 1000) / 1000 },
        });
      }
      // Excluded pairs are nobody's original.
      if (!items[idx].excluded) {
        for (let p = 0; p < prefix; p++) {
          const list = index.get(ts[p]);
          if (list) list.push(idx);
          else index.set(ts[p], [idx]);
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function groundTruthFindings(item: ScanItem): ScanFinding[] {
  const out: ScanFinding[] = [];
  if (item.result && item.result.rows.length === 0) {
    out.push({
      itemId: item.id,
      kind: "empty_result",
      severity: "warning",
      message: "The ground truth has no rows, so any query that returns nothing scores as correct. Exclude the pair, or waive with a reason if an empty answer is the point.",
      detail: { field: "result", match: "" },
    });
  }
  const seen = new Set<string>();
  for (const flag of item.lintFlags ?? []) {
    if (flag.severity !== "error" || seen.has(flag.code)) continue;
    seen.add(flag.code);
    out.push({
      itemId: item.id,
      kind: "lint_error",
      severity: "warning",
      message: `The SQL has a lint error: ${flag.message} Exclude the pair, or waive with a reason if the ground truth is right anyway.`,
      detail: { field: "sql", match: flag.code, code: flag.code },
    });
  }
  return out;
}

function sizeFindings(items: readonly ScanItem[], targets: readonly ScanTarget[]): ScanFinding[] {
  const out: ScanFinding[] = [];
  const count = (split: string) => items.filter((i) => !i.excluded && (i.split ?? "train") === split).length;
  const train = count("train");
  const validation = count("validation");
  const push = (limit: TargetLimit, rule: string, severity: FindingSeverity, split: string, n: number, bound: number, message: string) =>
    out.push({ itemId: null, kind: "size_limit", severity, message, detail: { field: "version", match: `${limit.target}:${rule}:${split}`, target: limit.target, split, count: n, limit: bound } });
  for (const target of targets) {
    const limit = TARGET_LIMITS[target];
    const files: [string, number][] = [["train", train], ...(validation > 0 ? ([["validation", validation]] as [string, number][]) : [])];
    for (const [split, n] of files) {
      if (n < limit.min) {
        push(limit, "min", "warning", split, n, limit.min, `The ${split} split has ${n} pairs in its export; ${limit.label} needs at least ${limit.min}, so that export will be refused. Approve more pairs and freeze a new version if this version should go to ${limit.label}.`);
      } else if (n > limit.max) {
        push(limit, "max", "warning", split, n, limit.max, `The ${split} split has ${n.toLocaleString("en-US")} pairs in its export; ${limit.label} accepts at most ${limit.max.toLocaleString("en-US")}, so that export will be refused. Exclude pairs or freeze a smaller version if this version should go to ${limit.label}.`);
      }
    }
    if (limit.recommendedMin && train >= limit.min && train < limit.recommendedMin) {
      push(limit, "recommended", "warning", "train", train, limit.recommendedMin, `The train split has ${train} pairs; ${limit.label} recommends at least ${limit.recommendedMin}. Approve more pairs and freeze a new version, or waive with a reason.`);
    }
    if (limit.combinedMax && train <= limit.max && validation <= limit.max && train + validation > limit.combinedMax) {
      push(limit, "combined", "warning", "train+validation", train + validation, limit.combinedMax, `Train and validation hold ${(train + validation).toLocaleString("en-US")} pairs together; ${limit.label} caps the two at ${limit.combinedMax.toLocaleString("en-US")}. Exclude pairs or freeze a smaller version, or waive with a reason.`);
    }
  }
  return out;
}

/** Every finding for a version's items, in a stable order (item order, then kind). */
export function scanItems(items: readonly ScanItem[], context: ScanContext): ScanFinding[] {
  const sensitive = new Set([...context.sensitiveColumns].map((c) => c.toLowerCase()));
  const perItem = new Map<string, ScanFinding[]>();
  const add = (f: ScanFinding) => {
    const key = f.itemId ?? "";
    const list = perItem.get(key);
    if (list) list.push(f);
    else perItem.set(key, [f]);
  };
  for (const item of items) {
    for (const f of piiFindings(item)) add(f);
    for (const f of sensitiveFindings(item, sensitive)) add(f);
    for (const f of reservedFindings(item)) add(f);
    for (const f of groundTruthFindings(item)) add(f);
  }
  for (const f of duplicateFindings(items)) add(f);
  const out: ScanFinding[] = [];
  if (context.systemPrompt) {
    for (const r of reservedIn(context.systemPrompt)) {
      out.push({
        itemId: null,
        kind: "reserved_string",
        severity: "blocking",
        message: `The system prompt contains "${r.match}", a string Bedrock reserves. Rename what carries it in the schema or glossary and freeze a new version, or waive with a reason if this version will not go to Bedrock.`,
        detail: { field: "system_prompt", match: r.match, start: r.start, end: r.start + r.match.length },
      });
    }
  }
  out.push(...sizeFindings(items, context.targets ?? SCAN_TARGETS));
  const kindOrder = new Map(FINDING_KINDS.map((k, i) => [k, i]));
  for (const item of items) {
    const list = perItem.get(item.id);
    if (list) out.push(...list.sort((a, b) => kindOrder.get(a.kind)! - kindOrder.get(b.kind)!));
  }
  return out;
}

export interface ScanSummary {
  scannedAt: string;
  total: number;
  bySeverity: Record<FindingSeverity, number>;
  byKind: Partial<Record<FindingKind, Record<FindingSeverity, number>>>;
}

export function summarizeFindings(findings: readonly { kind: string; severity: string }[], scannedAt: Date): ScanSummary {
  const summary: ScanSummary = { scannedAt: scannedAt.toISOString(), total: findings.length, bySeverity: { blocking: 0, warning: 0 }, byKind: {} };
  for (const f of findings) {
    const severity = f.severity as FindingSeverity;
    summary.bySeverity[severity] = (summary.bySeverity[severity] ?? 0) + 1;
    const kind = (summary.byKind[f.kind as FindingKind] ??= { blocking: 0, warning: 0 });
    kind[severity] = (kind[severity] ?? 0) + 1;
  }
  return summary;
}

/** The PII kind behind a pii_* finding kind. */
export function piiKindOf(kind: string): PiiKind | null {
  return kind.startsWith("pii_") ? (kind.slice(4) as PiiKind) : null;
}
