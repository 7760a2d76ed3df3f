import { parseNumericBounds, type NumericBounds } from "@/lib/schema/checks";
import type { ColumnModel, TableModel } from "@/lib/schema/model";
import { COUNTRIES, CITY_NAMES, COUNTRY_NAMES, findCountry, type Place } from "@/lib/sandbox/places";
import { createFaker, type FakeSource } from "@/lib/sandbox/fake";
import type { Rng } from "@/lib/sandbox/random";
import {
  AIRCRAFT, AIRLINE_PREFIXES, AIRLINE_SUFFIXES, AIRPORT_SUFFIXES, CALLSIGN_WORDS, CATEGORY_VOCABULARIES, CURRENCIES,
  TABLE_CATEGORY_VOCABULARIES,
} from "@/lib/sandbox/words";

// Fake values per column: the semantic type and the column's name choose what kind of value,
// the declared type and simple CHECK bounds decide its range and shape. Generators are pure:
// given the same Rng state they return the same value.

export type SqlValue = string | number | boolean | null;

export type TypeKind =
  | "integer" | "decimal" | "float" | "string" | "boolean" | "date" | "timestamp" | "time"
  | "uuid" | "enum" | "interval" | "unsupported";

export interface ParsedType {
  kind: TypeKind;
  /** Integer range of the type, or the largest magnitude a DECIMAL(p,s) holds. */
  min?: number;
  max?: number;
  precision?: number;
  scale?: number;
  /** Maximum length of VARCHAR(n) / CHAR(n). */
  length?: number;
}

const INT_RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127], INT1: [-128, 127],
  SMALLINT: [-32768, 32767], INT2: [-32768, 32767], SHORT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647], INT: [-2147483648, 2147483647], INT4: [-2147483648, 2147483647], SIGNED: [-2147483648, 2147483647],
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], INT8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], LONG: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  HUGEINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UTINYINT: [0, 255], USMALLINT: [0, 65535], UINTEGER: [0, 4294967295], UBIGINT: [0, Number.MAX_SAFE_INTEGER], UHUGEINT: [0, Number.MAX_SAFE_INTEGER],
};

export function parseColumnType(type: string): ParsedType {
  const t = type.trim().toUpperCase();
  const base = (/^[A-Z_ ]+?(?=\s*\(|$|\[)/.exec(t)?.[0] ?? t).trim();
  if (/\[|^(STRUCT|MAP|UNION|LIST|BLOB|BYTEA|BIT|BITSTRING|VARIANT|GEOMETRY|JSON)\b/.test(t)) return { kind: "unsupported" };
  const range = INT_RANGES[base];
  if (range) return { kind: "integer", min: range[0], max: range[1] };
  if (base === "DECIMAL" || base === "NUMERIC") {
    const m = /\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\)/.exec(t);
    const precision = m ? Number(m[1]) : 18;
    const scale = m?.[2] !== undefined ? Number(m[2]) : m ? 0 : 3;
    const max = Math.min(Math.pow(10, precision - scale) - Math.pow(10, -scale), Number.MAX_SAFE_INTEGER);
    return { kind: "decimal", precision, scale, min: -max, max };
  }
  if (["DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8"].includes(base)) return { kind: "float" };
  if (["BOOLEAN", "BOOL", "LOGICAL"].includes(base)) return { kind: "boolean" };
  if (base === "DATE") return { kind: "date" };
  if (base.startsWith("TIMESTAMP") || base === "DATETIME") return { kind: "timestamp" };
  if (base.startsWith("TIME")) return { kind: "time" };
  if (base === "UUID") return { kind: "uuid" };
  if (base === "ENUM") return { kind: "enum" };
  if (base === "INTERVAL") return { kind: "interval" };
  if (["VARCHAR", "CHAR", "BPCHAR", "TEXT", "STRING", "CHARACTER VARYING", "CHARACTER", "NVARCHAR"].includes(base)) {
    const m = /\(\s*(\d+)\s*\)/.exec(t);
    return m ? { kind: "string", length: Number(m[1]) } : { kind: "string" };
  }
  return { kind: "unsupported" };
}

/** Per-row state shared by a row's generators, so related columns agree with each other. */
export interface RowState {
  place?: Place;
  aircraft?: readonly [string, string, string];
  values: Map<string, SqlValue>;
}

/** State shared by the generators of one table (e.g. a per-table order of a vocabulary). */
export interface TableContext {
  aircraftOrder?: (readonly [string, string, string])[];
  /** The table's faker instance, seeded from the sandbox seed (created on first use when absent). */
  faker?: FakeSource;
}

function fakerOf(context: TableContext): FakeSource {
  context.faker ??= createFaker(1);
  return context.faker;
}

export function createRowState(): RowState {
  return { values: new Map() };
}

function pickPlace(rng: Rng, row: RowState): Place {
  if (!row.place) {
    // Skewed towards the first countries in a per-generator order, so some countries are common.
    const country = rng.pickSkewed(COUNTRIES, 1.6);
    const city = rng.pickSkewed(country.cities, 1.5);
    row.place = { country, city: city.name, lat: city.lat, lon: city.lon };
  }
  return row.place;
}

/** Fixes the row's place to a known country (when the country came from a key or a unique draw). */
export function setRowCountry(row: RowState, countryName: string, rng: Rng): void {
  const country = findCountry(countryName);
  if (!country) return;
  if (row.place?.country === country) return;
  const city = rng.pickSkewed(country.cities, 1.5);
  row.place = { country, city: city.name, lat: city.lat, lon: city.lon };
}

/** Aircraft tables list each type once before repeating; other tables pick popular types more often. */
function pickAircraft(rng: Rng, row: RowState, rowIndex: number, table: string, context: TableContext): readonly [string, string, string] {
  if (!row.aircraft) {
    if (/plane|aircraft/.test(table)) {
      context.aircraftOrder ??= rng.shuffle(AIRCRAFT);
      row.aircraft = context.aircraftOrder[rowIndex % context.aircraftOrder.length]!;
    } else row.aircraft = rng.pickSkewed(AIRCRAFT, 1.5);
  }
  return row.aircraft;
}

function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

function bareTable(table: string): string {
  return table.toLowerCase().replace(/^.*\./, "");
}

const PERSON_TABLES = /(customer|employee|user|people|person|student|author|passenger|pilot|staff|member|patient|driver|player|contact|actor|artist|teacher|doctor|manager|client|agent|crew)/;
const PERSON_COLUMNS = /(first|last|full|person|contact|manager|customer|employee|author|owner|driver|pilot|passenger)/;

function titleCase(s: string): string {
  return s.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

function letters(rng: Rng, n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rng.next() * alphabet.length)];
  return out;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

const DAY_MS = 86_400_000;

function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function dateRange(w: string[]): [number, number] {
  if (w.some((x) => ["birth", "dob", "birthday", "birthdate", "born"].includes(x))) return [Date.UTC(1950, 0, 1), Date.UTC(2005, 11, 31)];
  if (w.some((x) => ["founded", "established", "opened"].includes(x))) return [Date.UTC(1950, 0, 1), Date.UTC(2020, 11, 31)];
  return [Date.UTC(2019, 0, 1), Date.UTC(2025, 11, 31)];
}

/** Lengths of identifier codes by name, when the type does not say. */
function codeLength(table: string, w: string[], parsed: ParsedType): number {
  const t = bareTable(table);
  let n = 3;
  if (w.includes("iata")) n = /airline|carrier/.test(t) ? 2 : 3;
  else if (w.includes("icao")) n = /airline|carrier/.test(t) ? 3 : 4;
  else if (w.includes("iso") || w.includes("dafif") || w.includes("fips") || (w.includes("country") && w.includes("code"))) n = 2;
  else if (w.includes("currency")) n = 3;
  else if (w.includes("zip") || w.includes("postcode") || w.includes("postal")) n = 5;
  else if (w.includes("sku")) n = 8;
  if (parsed.length !== undefined) n = Math.min(n, parsed.length);
  return n;
}

function personName(row: RowState, faker: FakeSource): { first: string; last: string } {
  const first = (row.values.get("__first") as string | undefined) ?? faker.person.firstName();
  const last = (row.values.get("__last") as string | undefined) ?? faker.person.lastName();
  row.values.set("__first", first);
  row.values.set("__last", last);
  return { first, last };
}

/** The finite set a column's values come from, when there is one (used for unique draws). */
export function getVocabulary(table: TableModel, column: ColumnModel): readonly string[] | null {
  if (column.allowedValues && column.allowedValues.length > 0) return column.allowedValues;
  const w = words(column.name);
  const t = bareTable(table.name);
  switch (column.semanticType) {
    case "country":
      return COUNTRY_NAMES;
    case "city":
      return CITY_NAMES;
    case "category":
      return categoryVocabulary(t, column, w, parseColumnType(column.type));
    case "name":
      if (/plane|aircraft|equipment/.test(t) && !w.includes("alias")) return AIRCRAFT.map((a) => a[0]);
      return null;
    case "code":
      if (/plane|aircraft/.test(t) && w.includes("iata")) return AIRCRAFT.map((a) => a[1]);
      if (/plane|aircraft/.test(t) && w.includes("icao")) return AIRCRAFT.map((a) => a[2]);
      if (w.includes("currency")) return CURRENCIES;
      return null;
    default:
      return null;
  }
}

function categoryVocabulary(table: string, column: ColumnModel, w: string[], parsed: ParsedType): readonly string[] {
  const byTable = TABLE_CATEGORY_VOCABULARIES[`${table}.${column.name.toLowerCase()}`];
  let vocab: readonly string[] | undefined = byTable;
  if (!vocab) {
    for (let i = w.length - 1; i >= 0 && !vocab; i--) vocab = CATEGORY_VOCABULARIES[w[i] as string];
  }
  if (!vocab && (w.includes("active") || w.includes("flag") || w.includes("codeshare"))) vocab = ["Y", "N"];
  if (!vocab && w.includes("dst")) vocab = ["E", "A", "S", "O", "Z", "N", "U"];
  vocab ??= ["alpha", "beta", "gamma", "delta", "omega"];
  if (parsed.length !== undefined && vocab.some((v) => v.length > parsed.length!)) {
    const fitting = vocab.filter((v) => v.length <= parsed.length!);
    if (fitting.length >= 2) return fitting;
    const short = Array.from(new Set(vocab.map((v) => v.slice(0, parsed.length!).toUpperCase())));
    return short.length >= 2 ? short : ["A", "B", "C", "D"].map((x) => x.slice(0, parsed.length));
  }
  return vocab;
}

export interface ColumnGenerator {
  parsed: ParsedType;
  bounds: NumericBounds;
  /** Share of NULLs for a nullable column that is not a key. */
  nullRate: number;
  /** A value that fits the type and simple checks; never NULL. */
  next(rng: Rng, row: RowState, rowIndex: number): SqlValue;
}

export interface ColumnGeneratorOptions {
  /** NULL share for this column; replaces the per-column default. */
  nullRate?: number;
  /** Query constants to mix in (about one value in five), fuzzed around: numbers ±1 step, dates ±1 day. */
  constants?: readonly SqlValue[];
}

/** Default NULL share of a nullable column that is not a key. */
export const DEFAULT_NULL_RATE = 0.04;
/** Share of rows that hold a column's literal DEFAULT. */
export const DEFAULT_VALUE_SHARE = 0.35;

/**
 * The value of a DEFAULT that is a plain literal (`0`, `-1.5`, `'active'`, `'active'::character
 * varying`, `TRUE`); undefined for expressions (`now()`, `nextval(...)`, `CURRENT_DATE`).
 */
export function parseDefaultLiteral(text: string | null | undefined): SqlValue | undefined {
  if (!text) return undefined;
  let t = text.trim();
  for (let i = 0; i < 3 && /^\(.*\)$/.test(t); i++) t = t.slice(1, -1).trim();
  t = t.replace(/::[\w\s]+(\(\d+(,\s*\d+)?\))?$/i, "").trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  const quoted = /^'((?:[^']|'')*)'$/.exec(t);
  if (quoted) return quoted[1]!.replaceAll("''", "'");
  return undefined;
}

export function createColumnGenerator(table: TableModel, column: ColumnModel, context: TableContext = {}, options: ColumnGeneratorOptions = {}): ColumnGenerator {
  const parsed = parseColumnType(column.type);
  const bounds = parseNumericBounds(column.checks, column.name);
  const w = words(column.name);
  const t = bareTable(table.name);
  const raw = rawGenerator(table, column, parsed, bounds, w, t, context);
  let nullRate = DEFAULT_NULL_RATE;
  if (parsed.kind === "unsupported") nullRate = 1;
  else if (options.nullRate !== undefined) nullRate = Math.min(1, Math.max(0, options.nullRate));
  else if (column.allowedValues?.length === 1) nullRate = 0.75;
  else if (w.includes("alias")) nullRate = 0.6;
  const constants = (options.constants ?? []).filter((v) => v !== null);
  // A literal DEFAULT is what most rows hold in a real table (stops DEFAULT 0, status DEFAULT 'active').
  const fallback = column.primaryKey || column.unique ? undefined : parseDefaultLiteral(column.defaultValue);
  return {
    parsed,
    bounds,
    nullRate,
    next(rng, row, rowIndex) {
      const drawn =
        constants.length > 0 && rng.chance(0.2)
          ? fuzzConstant(rng.pick(constants), parsed, rng)
          : fallback !== undefined && rng.chance(DEFAULT_VALUE_SHARE)
            ? fallback
            : raw(rng, row, rowIndex);
      const value = fitToType(drawn, parsed, bounds, rng);
      row.values.set(column.name, value);
      return value;
    },
  };
}

type RawGenerator = (rng: Rng, row: RowState, rowIndex: number) => SqlValue;

/**
 * A constant of the project's queries, or a value next to it: a query that is right only by
 * coincidence (`>` where `>=` was meant, a hard-coded count) then gives another answer.
 */
export function fuzzConstant(value: SqlValue, parsed: ParsedType, rng: Rng): SqlValue {
  const shift = rng.pick([-1, 0, 0, 1]);
  if (value === null || shift === 0) return value;
  if (parsed.kind === "integer" || parsed.kind === "decimal" || parsed.kind === "float") {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n)) return value;
    const step = parsed.kind === "integer" ? 1 : Math.max(Math.abs(n) * 0.01, parsed.kind === "decimal" ? Math.pow(10, -(parsed.scale ?? 0)) : 0.01);
    return n + shift * step;
  }
  if ((parsed.kind === "date" || parsed.kind === "timestamp") && typeof value === "string") {
    const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : `${value.replace(" ", "T")}Z`);
    if (Number.isNaN(ms)) return value;
    return parsed.kind === "date" ? isoDate(ms + shift * DAY_MS) : isoTimestamp(ms + shift * DAY_MS);
  }
  return value;
}

function rawGenerator(table: TableModel, column: ColumnModel, parsed: ParsedType, bounds: NumericBounds, w: string[], t: string, context: TableContext): RawGenerator {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  if (column.allowedValues && column.allowedValues.length > 0) {
    const allowed = column.allowedValues;
    if (has("dst")) return (rng, row) => (allowed.includes(pickPlace(rng, row).country.dst) ? row.place!.country.dst : rng.pick(allowed));
    return (rng) => rng.pickSkewed(allowed, 1.8);
  }
  if (parsed.kind === "boolean") return (rng) => rng.chance(has("active", "enabled", "available", "valid") ? 0.8 : 0.5);
  if (parsed.kind === "date") {
    const [lo, hi] = dateRange(w);
    return (rng) => isoDate(lo + Math.floor(rng.next() * ((hi - lo) / DAY_MS)) * DAY_MS);
  }
  if (parsed.kind === "timestamp") {
    const [lo, hi] = dateRange(w);
    return (rng) => isoTimestamp(lo + Math.floor(rng.next() * ((hi - lo) / 1000)) * 1000);
  }
  if (parsed.kind === "time") return (rng) => `${pad(rng.int(0, 23))}:${pad(rng.int(0, 11) * 5)}:00`;
  if (parsed.kind === "uuid") return (rng) => uuid(rng);
  if (parsed.kind === "interval") return (rng) => `${rng.int(1, 90)} days`;
  if (parsed.kind === "unsupported") return () => null;

  switch (column.semanticType) {
    case "latitude":
      return (rng, row) => round(pickPlace(rng, row).lat + rng.float(-0.4, 0.4), 6);
    case "longitude":
      return (rng, row) => round(pickPlace(rng, row).lon + rng.float(-0.4, 0.4), 6);
    case "country":
      return (rng, row) => pickPlace(rng, row).country.name;
    case "city":
      return (rng, row) => pickPlace(rng, row).city;
    case "email":
      return (rng, row) => {
        const faker = fakerOf(context);
        const { first, last } = personName(row, faker);
        return faker.internet.email({ firstName: first, lastName: last }).toLowerCase();
      };
    case "code":
      return codeGenerator(parsed, w, t, context);
    case "name":
      return nameGenerator(w, t, context);
    case "category": {
      const vocab = categoryVocabulary(t, column, w, parsed);
      return (rng) => rng.pickSkewed(vocab, 1.8);
    }
    case "money":
      return moneyGenerator(parsed, w);
    case "number":
      return numberGenerator(parsed, w);
    case "id":
      if (parsed.kind === "string") return (rng) => letters(rng, Math.min(parsed.length ?? 8, 8), "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789");
      return (rng) => rng.int(1, 100_000);
    case "date":
      return (rng) => isoDate(Date.UTC(2019, 0, 1) + rng.int(0, 2555) * DAY_MS);
    case "timestamp":
      return (rng) => isoTimestamp(Date.UTC(2019, 0, 1) + rng.int(0, 2555 * 86_400) * 1000);
    case "boolean":
      return (rng) => (parsed.kind === "string" ? rng.pick(["Y", "N"]) : rng.chance(0.5));
    case "text":
      return textGenerator(w, t, parsed, context);
    default:
      if (parsed.kind === "integer" || parsed.kind === "decimal" || parsed.kind === "float") return numberGenerator(parsed, w);
      return textGenerator(w, t, parsed, context);
  }
}

function uuid(rng: Rng): string {
  const hex = letters(rng, 32, "0123456789abcdef");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function round(n: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(n * f) / f;
}

function codeGenerator(parsed: ParsedType, w: string[], t: string, context: TableContext): RawGenerator {
  const n = codeLength(t, w, parsed);
  const isPlane = /plane|aircraft/.test(t);
  return (rng, row, rowIndex) => {
    if (isPlane && w.includes("iata")) return pickAircraft(rng, row, rowIndex, t, context)[1];
    if (isPlane && w.includes("icao")) return pickAircraft(rng, row, rowIndex, t, context)[2];
    if (w.includes("currency")) return rng.pickSkewed(CURRENCIES);
    if (w.includes("iso") || (w.includes("country") && w.includes("code"))) return pickPlace(rng, row).country.iso2.slice(0, n);
    if (w.includes("dafif") || w.includes("fips")) return pickPlace(rng, row).country.fips.slice(0, n);
    if (w.includes("zip") || w.includes("postcode") || w.includes("postal")) return letters(rng, n, "0123456789");
    if (w.includes("icao") && n === 4 && /airport/.test(t)) {
      // ICAO airport codes start with a regional letter; keep the country's first letter for flavour.
      return pickPlace(rng, row).country.iso2.charAt(0) + letters(rng, 3);
    }
    if (w.includes("iata") && /airline|carrier/.test(t) && rng.chance(0.15)) return letters(rng, 1) + letters(rng, n - 1, "0123456789");
    return letters(rng, n);
  };
}

function nameGenerator(w: string[], t: string, context: TableContext): RawGenerator {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  const faker = fakerOf(context);
  if (has("callsign")) return (rng) => rng.pickSkewed(CALLSIGN_WORDS, 1.2);
  if (has("username", "login", "handle")) {
    return (rng, row, i) => {
      const { first, last } = personName(row, faker);
      return `${first.charAt(0)}${last}${i}`.toLowerCase();
    };
  }
  if (has("first", "firstname", "given")) return (rng, row) => personName(row, faker).first;
  if (has("last", "lastname", "surname", "family")) return (rng, row) => personName(row, faker).last;
  if (/airline|carrier/.test(t)) {
    if (has("alias")) return (rng) => `${rng.pick(AIRLINE_PREFIXES)} ${rng.pick(["Group", "Holdings", "International", "Regional"])}`;
    return (rng, row) => {
      const prefix = rng.pickSkewed(AIRLINE_PREFIXES, 1.2);
      return rng.chance(0.3) ? `${pickPlace(rng, row).country.name} ${rng.pick(AIRLINE_SUFFIXES)}` : `${prefix} ${rng.pick(AIRLINE_SUFFIXES)}`;
    };
  }
  if (/airport|station|terminal/.test(t)) return (rng, row) => `${pickPlace(rng, row).city} ${rng.pickSkewed(AIRPORT_SUFFIXES, 1.3)}`;
  if (/plane|aircraft|equipment/.test(t)) return (rng, row, rowIndex) => pickAircraft(rng, row, rowIndex, t, context)[0];
  if (PERSON_TABLES.test(t) || PERSON_COLUMNS.test(w.join("_"))) {
    return (rng, row) => {
      const { first, last } = personName(row, faker);
      return `${first} ${last}`;
    };
  }
  if (has("title")) {
    if (/song|track|album|music/.test(t)) return () => faker.music.songName();
    if (/job|position|role/.test(t)) return () => faker.person.jobTitle();
    return () => faker.book.title();
  }
  if (/product|item|article|goods|sku/.test(t)) return () => faker.commerce.productName();
  if (/compan|supplier|vendor|organi|firm|business|brand|partner|merchant|publisher|customer|client|account/.test(t)) {
    return () => faker.company.name();
  }
  if (/department|team|division/.test(t)) return () => faker.commerce.department();
  if (/store|shop|branch|office|warehouse|hotel|restaurant/.test(t)) return (rng, row) => `${pickPlace(rng, row).city} ${titleCase(t.replace(/s$/, ""))}`;
  if (has("label")) return () => `${faker.commerce.productAdjective()} ${faker.commerce.product()}`;
  return () => `${faker.company.buzzAdjective()} ${faker.commerce.product()}`.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

function textGenerator(w: string[], t: string, parsed: ParsedType, context: TableContext): RawGenerator {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  const faker = fakerOf(context);
  if (has("tz", "tzdb", "timezone", "zone")) return (rng, row) => pickPlace(rng, row).country.tzdb;
  if (has("equipment", "aircraft")) {
    return (rng) => {
      const n = rng.chance(0.6) ? 1 : rng.int(2, 3);
      return Array.from(new Set(Array.from({ length: n }, () => rng.pickSkewed(AIRCRAFT, 1.5)[1]))).join(" ");
    };
  }
  if (has("address", "street")) return () => faker.location.streetAddress();
  if (has("phone", "mobile", "fax")) return () => faker.phone.number({ style: "national" });
  if (has("url", "website", "homepage", "link")) return () => faker.internet.url();
  if (has("job", "occupation", "position", "profession")) return () => faker.person.jobTitle();
  if (has("department")) return () => faker.commerce.department();
  if (has("color", "colour")) return () => faker.color.human();
  if (has("codeshare")) return () => "Y";
  if (parsed.length !== undefined && parsed.length <= 12) return (rng) => letters(rng, Math.min(parsed.length!, 4));
  if (has("description", "summary")) {
    if (/product|item|article|goods|sku/.test(t)) return () => faker.commerce.productDescription();
    return () => faker.company.catchPhrase();
  }
  if (has("bio")) return () => faker.person.bio();
  if (has("comment", "comments", "note", "notes", "body", "message", "content", "remarks", "review")) return () => faker.hacker.phrase();
  return () => titleCase(faker.lorem.words(2));
}

function moneyGenerator(parsed: ParsedType, w: string[]): RawGenerator {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  let lo = 1;
  let hi = 500;
  if (has("salary", "wage", "income")) [lo, hi] = [25_000, 180_000];
  else if (has("revenue", "budget", "profit")) [lo, hi] = [10_000, 5_000_000];
  else if (has("tax", "fee", "discount", "charge")) [lo, hi] = [0, 50];
  else if (has("fare")) [lo, hi] = [40, 1500];
  const scale = parsed.kind === "decimal" ? Math.min(parsed.scale ?? 2, 2) : 2;
  // Log-uniform: many small amounts, a few large ones, like real prices.
  return (rng) => round(Math.exp(rng.float(Math.log(Math.max(lo, 0.5)), Math.log(hi))), scale);
}

function numberGenerator(parsed: ParsedType, w: string[]): RawGenerator {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  const isInt = parsed.kind === "integer";
  if (has("year", "yr")) return (rng) => rng.int(1990, 2025);
  if (has("age")) return (rng) => rng.int(18, 85);
  if (has("stops", "stopovers", "transfers")) return (rng) => (rng.chance(0.85) ? 0 : rng.chance(0.8) ? 1 : 2);
  if (has("altitude", "elevation")) return (rng) => Math.round(Math.pow(rng.next(), 2.5) * 8000);
  if (has("timezone", "tz", "offset", "utc")) return (rng, row) => pickPlace(rng, row).country.utcOffset;
  if (has("rating", "stars", "score")) return isInt ? (rng) => rng.int(1, 5) : (rng) => round(rng.float(1, 5), 1);
  if (has("percent", "pct", "percentage", "ratio", "rate")) return isInt ? (rng) => rng.int(0, 100) : (rng) => round(rng.float(0, 1), 3);
  if (has("population")) return (rng) => Math.round(Math.exp(rng.float(Math.log(1000), Math.log(20_000_000))));
  if (has("quantity", "qty", "count", "units", "seats", "capacity")) return (rng) => Math.max(1, Math.round(Math.pow(rng.next(), 2) * 50));
  if (has("duration", "minutes", "mins")) return (rng) => rng.int(30, 720);
  if (has("distance", "km", "miles")) return (rng) => (isInt ? rng.int(100, 12000) : round(rng.float(100, 12000), 1));
  if (has("weight", "kg")) return (rng) => round(rng.float(0.1, 80), 2);
  return isInt ? (rng) => rng.int(1, 1000) : (rng) => round(rng.float(0, 1000), 2);
}

/** Brings a value into the declared type's range and shape and within simple CHECK bounds. */
export function fitToType(value: SqlValue, parsed: ParsedType, bounds: NumericBounds, rng: Rng): SqlValue {
  if (value === null) return null;
  switch (parsed.kind) {
    case "integer":
    case "decimal":
    case "float": {
      let n = typeof value === "number" ? value : Number(value);
      if (!Number.isFinite(n)) n = 0;
      const step = parsed.kind === "integer" ? 1 : parsed.kind === "decimal" ? Math.pow(10, -(parsed.scale ?? 0)) : 1e-6;
      let lo = Math.max(parsed.min ?? -Infinity, bounds.min === undefined ? -Infinity : bounds.min + (bounds.minExclusive ? step : 0));
      let hi = Math.min(parsed.max ?? Infinity, bounds.max === undefined ? Infinity : bounds.max - (bounds.maxExclusive ? step : 0));
      if (lo > hi) [lo, hi] = [hi, lo];
      if (n < lo || n > hi) {
        // Outside the allowed range: draw inside it instead of piling values on the edge.
        const span = Math.min(hi, lo + 1000) - lo;
        n = Number.isFinite(lo) ? lo + rng.next() * span : Math.min(hi, 0) - rng.next() * 1000;
      }
      if (parsed.kind === "integer") n = Math.min(Math.max(Math.round(n), Math.ceil(lo)), Math.floor(hi));
      else if (parsed.kind === "decimal") {
        const s = parsed.scale ?? 0;
        n = Math.min(Math.max(round(n, s), lo), hi);
        n = round(n, s);
      }
      return n;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      return value === "Y" || value === "true" || value === 1;
    case "string": {
      const s = String(value);
      return parsed.length !== undefined && s.length > parsed.length ? s.slice(0, parsed.length) : s;
    }
    default:
      return value;
  }
}

/**
 * A deterministic stand-in when random draws keep colliding with values already used in a
 * unique column: the n-th value of a sequence that never repeats, or null when the type has
 * no room left.
 */
export function uniqueFallback(base: SqlValue, parsed: ParsedType, counter: number): SqlValue {
  switch (parsed.kind) {
    case "integer": {
      const v = 1_000_000 + counter;
      if (parsed.max === undefined || v <= parsed.max) return v;
      return counter <= parsed.max ? counter : null;
    }
    case "decimal":
    case "float":
      return 100_000 + counter;
    case "date":
      return isoDate(Date.UTC(1970, 0, 1) + counter * DAY_MS);
    case "timestamp":
      return isoTimestamp(Date.UTC(2000, 0, 1) + counter * 1000);
    case "uuid":
      return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
    case "string": {
      const length = parsed.length;
      if (length !== undefined && length <= 6) {
        if (counter >= Math.pow(26, length)) return null;
        let s = "";
        let c = counter;
        for (let i = 0; i < length; i++) {
          s = String.fromCharCode(65 + (c % 26)) + s;
          c = Math.floor(c / 26);
        }
        return s;
      }
      const s = `${String(base ?? "value")} ${counter + 2}`;
      return length !== undefined && s.length > length ? `${counter}`.slice(0, length) : s;
    }
    default:
      return null;
  }
}

/** The text DuckDB casts back to the column's type (numbers and booleans as literals). */
export function toSqlText(value: SqlValue, parsed: ParsedType): string | null {
  if (value === null) return null;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (parsed.kind === "decimal") return value.toFixed(parsed.scale ?? 0);
    if (parsed.kind === "integer") return Math.round(value).toString();
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  return value;
}

