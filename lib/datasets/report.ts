// What a version's split looks like: counts per split by complexity, shape and table, and how many
// templates each split holds. Pure, so the version page, the API and the tests read the same figures.

import { SPLITS, type SplitName } from "@/lib/datasets/split";
import { tablesRead } from "@/lib/queries/features";

export interface ReportItem {
  split: string;
  complexity: string;
  shape: string;
  templateHash: string;
  /** QueryFeatures (or its stored JSON text); only `tables` is read. */
  features?: { tables?: unknown } | string | null;
}

export interface SplitReportRow {
  key: string;
  counts: Record<SplitName, number>;
  total: number;
}

export interface SplitReport {
  /** Splits that hold at least one item, in the order train, validation, test, heldout. */
  splits: SplitName[];
  totals: Record<SplitName, number>;
  byComplexity: SplitReportRow[];
  byShape: SplitReportRow[];
  byTable: SplitReportRow[];
  /** Distinct templates per split. */
  templates: Record<SplitName, number>;
  /** Templates found in more than one split (a correct split has none). */
  sharedTemplates: number;
}

const COMPLEXITY_ORDER = ["simple", "moderate", "complex", "highly_complex"];

function zero(): Record<SplitName, number> {
  return { train: 0, validation: 0, test: 0, heldout: 0 };
}

function isSplit(value: string): value is SplitName {
  return (SPLITS as readonly string[]).includes(value);
}

/** The tables an item's SQL reads (see tablesRead in lib/queries/features.ts). */
export const tablesOf = (features: ReportItem["features"]): string[] => tablesRead(features);

export function splitReport(items: readonly ReportItem[]): SplitReport {
  const totals = zero();
  const complexity = new Map<string, Record<SplitName, number>>();
  const shape = new Map<string, Record<SplitName, number>>();
  const table = new Map<string, Record<SplitName, number>>();
  const templateSplits = new Map<string, Set<SplitName>>();
  const bump = (map: Map<string, Record<SplitName, number>>, key: string, split: SplitName) => {
    const row = map.get(key) ?? zero();
    row[split]++;
    map.set(key, row);
  };
  for (const item of items) {
    if (!isSplit(item.split)) continue;
    totals[item.split]++;
    bump(complexity, item.complexity, item.split);
    bump(shape, item.shape || "(none)", item.split);
    for (const t of tablesOf(item.features)) bump(table, t, item.split);
    const set = templateSplits.get(item.templateHash) ?? new Set<SplitName>();
    set.add(item.split);
    templateSplits.set(item.templateHash, set);
  }
  const templates = zero();
  let sharedTemplates = 0;
  for (const set of templateSplits.values()) {
    for (const s of set) templates[s]++;
    if (set.size > 1) sharedTemplates++;
  }
  const rows = (map: Map<string, Record<SplitName, number>>, order: (a: string, b: string) => number): SplitReportRow[] =>
    [...map.entries()].map(([key, counts]) => ({ key, counts, total: counts.train + counts.validation + counts.test + counts.heldout })).sort((a, b) => order(a.key, b.key));
  const rank = (k: string) => (COMPLEXITY_ORDER.includes(k) ? COMPLEXITY_ORDER.indexOf(k) : COMPLEXITY_ORDER.length);
  const byTotal = (map: Map<string, Record<SplitName, number>>) => (a: string, b: string) => {
    const ta = Object.values(map.get(a)!).reduce((x, y) => x + y, 0);
    const tb = Object.values(map.get(b)!).reduce((x, y) => x + y, 0);
    return tb - ta || (a < b ? -1 : a > b ? 1 : 0);
  };
  return {
    splits: SPLITS.filter((s) => totals[s] > 0),
    totals,
    byComplexity: rows(complexity, (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)),
    byShape: rows(shape, byTotal(shape)),
    byTable: rows(table, byTotal(table)),
    templates,
    sharedTemplates,
  };
}
