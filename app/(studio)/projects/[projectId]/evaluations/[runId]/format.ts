// How the scorecard page writes numbers, settings and the monthly workload (pure: used by the
// server page and its client components alike).
import type { EvalRunView } from "@/lib/evaluation/server/runs";

export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

export const count = (n: number) => Math.round(n).toLocaleString("en-US");

export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Cents for everyday sums, more digits for the sub-cent cost of a single call. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1_000) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}

/** A run whose numbers still change: the page polls it. */
export function isLive(status: string): boolean {
  return status === "queued" || status === "running";
}

export function formatStarted(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** The comparator settings the run scored with, in one line. */
export function describeCompareSettings(s: EvalRunView["compareSettings"]): string {
  const rows = s.orderMatters === "auto" ? "ordered only when the gold has ORDER BY" : s.orderMatters === "always" ? "always ordered" : "never ordered";
  return `rows ${rows} · columns ${s.ignoreColumnOrder ? "in any order" : "in order"} · tolerance ${s.floatAbsTol} · NULL ${s.nullEqualsNull ? "=" : "≠"} NULL`;
}

/** What the run covered: the split and any narrowing of it. */
export function describeScope(scope: EvalRunView["scope"], settings: EvalRunView["settings"]): string {
  const parts = [`${scope.split} split`];
  if (scope.complexities.length > 0) parts.push(`only ${scope.complexities.map((c) => c.replace("_", " ")).join(", ")}`);
  if (scope.shapes.length > 0) parts.push(`${plural(scope.shapes.length, "shape")} only`);
  if (scope.limit > 0) parts.push(`first ${count(scope.limit)} items`);
  if (scope.includeRegression) parts.push("plus the regression set");
  if (settings.repeats > 1) parts.push(`each asked ${settings.repeats} times`);
  return parts.join(" · ");
}

export const DEFAULT_MONTHLY_QUESTIONS = 22_000;
export const MAX_MONTHLY_QUESTIONS = 1_000_000_000;

/** The "questions per month" field: a whole number 0–1e9; thousands separators are allowed. */
export function parseMonthlyQuestions(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const cleaned = text.trim().replace(/[,_\s]/g, "");
  if (cleaned === "") return { ok: false, message: "Enter how many questions a month the model would answer, e.g. 22000." };
  if (/^-/.test(cleaned)) return { ok: false, message: "The workload cannot be negative." };
  if (/^\d*\.\d+$/.test(cleaned) || /^\d+\.\d*$/.test(cleaned)) return { ok: false, message: "Enter a whole number of questions (no decimals)." };
  if (!/^\d+$/.test(cleaned)) return { ok: false, message: "Enter digits only, e.g. 22000." };
  const value = Number(cleaned);
  if (value > MAX_MONTHLY_QUESTIONS) return { ok: false, message: "At most 1,000,000,000 questions a month." };
  return { ok: true, value };
}
