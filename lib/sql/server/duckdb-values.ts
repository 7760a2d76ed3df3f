import "server-only";
import {
  DuckDBArrayValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  type DuckDBValue,
} from "@duckdb/node-api";
import type { JsonValue } from "@/lib/sql/result";

const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Converts one DuckDB value into plain JSON.
 * Integers become numbers when they fit exactly in a double, strings otherwise; DECIMAL becomes a
 * number; non-finite doubles become "NaN" / "Infinity" / "-Infinity"; DATE becomes "YYYY-MM-DD";
 * TIMESTAMP becomes an ISO string (with "Z" for TIMESTAMPTZ); LIST/ARRAY become arrays, STRUCT an
 * object, MAP an object keyed by the stringified key; everything else its DuckDB text form.
 */
export function toJsonValue(value: DuckDBValue): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value >= MIN_SAFE_BIGINT && value <= MAX_SAFE_BIGINT ? Number(value) : value.toString();
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue) return timestampToIso(value.micros, true) ?? value.toString();
  if (value instanceof DuckDBTimestampValue) return timestampToIso(value.micros, false) ?? value.toString();
  if (value instanceof DuckDBTimestampSecondsValue)
    return timestampToIso(value.seconds * 1_000_000n, false) ?? value.toString();
  if (value instanceof DuckDBTimestampMillisecondsValue)
    return timestampToIso(value.millis * 1000n, false) ?? value.toString();
  if (value instanceof DuckDBTimestampNanosecondsValue)
    return timestampToIso(value.nanos / 1000n, false) ?? value.toString();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toJsonValue);
  if (value instanceof DuckDBStructValue) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, entry] of Object.entries(value.entries)) out[key] = toJsonValue(entry);
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const out: { [key: string]: JsonValue } = {};
    for (const { key, value: entry } of value.entries) {
      const converted = toJsonValue(key);
      out[typeof converted === "string" ? converted : JSON.stringify(converted)] = toJsonValue(entry);
    }
    return out;
  }
  if (value instanceof DuckDBUnionValue) return toJsonValue(value.value);
  return String(value);
}

const MICROS_PER_MS = 1000n;
// JavaScript dates cover ±8.64e15 ms; outside that (or for ±infinity) the caller falls back to DuckDB's text.
const MAX_DATE_MS = 8_640_000_000_000_000n;

/** "2024-01-02T03:04:05.123456" (plus "Z" when the value is an instant), or undefined when out of range. */
export function timestampToIso(micros: bigint, utc: boolean): string | undefined {
  let ms = micros / MICROS_PER_MS;
  let subMs = micros % MICROS_PER_MS;
  if (subMs < 0n) {
    subMs += MICROS_PER_MS;
    ms -= 1n;
  }
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return undefined;
  const date = new Date(Number(ms));
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const base = date.toISOString().slice(0, 19);
  const fraction = (date.getUTCMilliseconds() * 1000 + Number(subMs)).toString().padStart(6, "0").replace(/0+$/, "");
  return base + (fraction ? `.${fraction}` : "") + (utc ? "Z" : "");
}
