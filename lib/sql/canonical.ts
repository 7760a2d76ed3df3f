import { createHash } from "node:crypto";
import type { JsonValue } from "@/lib/sql/result";

// A canonical fingerprint of a query result, for telling at a glance whether two results are the
// same (ground truth on the sandbox vs on a test-suite variant, before vs after a sandbox change).
// Column names are left out (the comparator ignores aliases by default); rows are sorted unless
// the query orders them; numbers are written with 12 significant digits so 0.1 + 0.2 and 0.3 agree;
// -0 is 0. Equal hashes mean equal results under the default comparison; unequal hashes can still
// compare equal within a float tolerance or with columns in another order.

function canonicalValue(value: JsonValue): JsonValue {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    if (Object.is(value, -0) || value === 0) return 0;
    return Number(value.toPrecision(12));
  }
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonicalValue((value as Record<string, JsonValue>)[k]!)]));
  }
  return value;
}

export function canonicalResultHash(rows: JsonValue[][], ordered: boolean): string {
  const lines = rows.map((row) => JSON.stringify(row.map(canonicalValue)));
  if (!ordered) lines.sort();
  const hash = createHash("sha256");
  hash.update(`${ordered ? "ordered" : "bag"}:${rows.length}\n`);
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest("hex");
}
