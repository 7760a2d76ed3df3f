import type { CanonicalType, SourceDialect } from "@/lib/schema/model";

// Maps a column type as a source dialect declares it to the DuckDB type the sandbox uses and to
// a small dialect-free vocabulary. Unknown types become VARCHAR with canonical "other", so an
// exotic type never stops an import.

export interface MappedType {
  duckdbType: string;
  canonicalType: CanonicalType;
  enumValues?: string[];
}

interface ParsedTypeText {
  /** Lower-case words of the type name without parameters, e.g. "character varying", "int unsigned" removed to "int". */
  base: string;
  /** Parameters inside the first parentheses, raw (e.g. ["10", "2"] or ["'a'", "'b'"]). */
  params: string[];
  array: boolean;
  unsigned: boolean;
}

/** Splits a parameter list on top-level commas, respecting quotes. */
function splitParams(s: string): string[] {
  const out: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === "\\" && quote === "'") i++;
      else if (ch === quote) {
        if (s[i + 1] === quote) i++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(s.slice(last, i).trim());
      last = i + 1;
    }
  }
  const tail = s.slice(last).trim();
  if (tail !== "" || out.length > 0) out.push(tail);
  return out;
}

function parseTypeText(originalType: string): ParsedTypeText {
  let t = originalType.trim();
  let array = false;
  // int[] / int[3][] / integer ARRAY / integer ARRAY[4]
  const arrayMatch = /(\s*\[\s*\d*\s*\])+$|\s+array(\s*\[\s*\d*\s*\])?$/i.exec(t);
  if (arrayMatch) {
    array = true;
    t = t.slice(0, arrayMatch.index);
  }
  let params: string[] = [];
  const open = t.indexOf("(");
  if (open !== -1) {
    // find the matching close paren, respecting quotes
    let depth = 0;
    let quote: string | null = null;
    let close = -1;
    for (let i = open; i < t.length; i++) {
      const ch = t[i];
      if (quote) {
        if (ch === "\\" && quote === "'") i++;
        else if (ch === quote) {
          if (t[i + 1] === quote) i++;
          else quote = null;
        }
        continue;
      }
      if (ch === "'") quote = ch;
      else if (ch === "(") depth++;
      else if (ch === ")" && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close !== -1) {
      params = splitParams(t.slice(open + 1, close));
      t = `${t.slice(0, open)} ${t.slice(close + 1)}`;
    }
  }
  const words = t
    .replace(/["`]/g, "")
    .toLowerCase()
    .replace(/^pg_catalog\./, "")
    .split(/\s+/)
    .filter(Boolean);
  const unsigned = words.includes("unsigned");
  const base = words.filter((w) => w !== "unsigned" && w !== "signed" && w !== "zerofill").join(" ");
  return { base, params, array, unsigned };
}

/** An SQL string literal's value: 'it''s' → it's (and MySQL's backslash escapes). */
export function unquoteSqlString(literal: string, backslashEscapes = false): string | null {
  const m = /^[eEnN]?'([\s\S]*)'$/.exec(literal.trim());
  if (!m) return null;
  let body = m[1] as string;
  if (backslashEscapes) {
    body = body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0" })[c] ?? c);
  }
  return body.replace(/''/g, "'");
}

function intParam(params: string[], i: number): number | undefined {
  const v = params[i];
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

function decimal(params: string[], defaultPrecision: number, defaultScale: number): MappedType {
  const p = intParam(params, 0) ?? defaultPrecision;
  const s = intParam(params, 1) ?? (params.length > 0 ? 0 : defaultScale);
  if (p > 38 || s > p) return { duckdbType: "DOUBLE", canonicalType: "decimal" };
  return { duckdbType: `DECIMAL(${p},${s})`, canonicalType: "decimal" };
}

function varchar(params: string[]): MappedType {
  const n = intParam(params, 0);
  return { duckdbType: n === undefined ? "VARCHAR" : `VARCHAR(${n})`, canonicalType: "text" };
}

const T = (duckdbType: string, canonicalType: CanonicalType): MappedType => ({ duckdbType, canonicalType });

/** Types whose meaning is the same in every dialect that has them. */
function common(base: string, params: string[]): MappedType | undefined {
  switch (base) {
    case "smallint":
      return T("SMALLINT", "integer");
    case "int":
    case "integer":
      return T("INTEGER", "integer");
    case "bigint":
      return T("BIGINT", "integer");
    case "decimal":
    case "numeric":
    case "dec":
    case "fixed":
      return decimal(params, 18, 3);
    case "real":
      return T("FLOAT", "float");
    case "float":
      return T("DOUBLE", "float");
    case "double":
    case "double precision":
      return T("DOUBLE", "float");
    case "varchar":
    case "character varying":
    case "char varying":
    case "nvarchar":
    case "nchar":
    case "national character varying":
    case "national char varying":
    case "national character":
    case "national char":
    case "char":
    case "character":
    case "varying character":
    case "native character":
      return varchar(params);
    case "text":
    case "string":
    case "clob":
      return T("VARCHAR", "text");
    case "bool":
    case "boolean":
      return T("BOOLEAN", "boolean");
    case "date":
      return T("DATE", "date");
    case "timestamp":
    case "timestamp without time zone":
    case "datetime":
      return T("TIMESTAMP", "timestamp");
    case "timestamptz":
    case "timestamp with time zone":
      return T("TIMESTAMPTZ", "timestamp");
    case "time":
    case "time without time zone":
      return T("TIME", "time");
    case "timetz":
    case "time with time zone":
      return T("TIMETZ", "time");
    case "interval":
      return T("INTERVAL", "interval");
    case "json":
    case "jsonb":
      return T("VARCHAR", "json");
    case "uuid":
      return T("UUID", "uuid");
    case "blob":
    case "bytea":
    case "binary":
    case "varbinary":
      return T("BLOB", "binary");
    default:
      return undefined;
  }
}

function postgres(p: ParsedTypeText): MappedType {
  const { base, params } = p;
  switch (base) {
    case "int2":
    case "smallserial":
    case "serial2":
      return T("SMALLINT", "integer");
    case "int4":
    case "serial":
    case "serial4":
      return T("INTEGER", "integer");
    case "int8":
    case "bigserial":
    case "serial8":
      return T("BIGINT", "integer");
    case "float4":
      return T("FLOAT", "float");
    case "float8":
      return T("DOUBLE", "float");
    case "float": {
      const n = intParam(params, 0);
      return n !== undefined && n <= 24 ? T("FLOAT", "float") : T("DOUBLE", "float");
    }
    case "money":
      return T("DECIMAL(19,2)", "decimal");
    case "numeric":
    case "decimal":
      // An unconstrained numeric holds any precision; DOUBLE is the closest DuckDB type.
      return params.length === 0 ? T("DOUBLE", "decimal") : decimal(params, 18, 3);
    case "bpchar":
      return varchar(params);
    case "citext":
    case "name":
    case "xml":
      return T("VARCHAR", "text");
    default:
      return common(base, params) ?? T("VARCHAR", "other");
  }
}

const MYSQL_INTS: Record<string, [string, string]> = {
  tinyint: ["TINYINT", "UTINYINT"],
  smallint: ["SMALLINT", "USMALLINT"],
  mediumint: ["INTEGER", "UINTEGER"],
  int: ["INTEGER", "UINTEGER"],
  integer: ["INTEGER", "UINTEGER"],
  bigint: ["BIGINT", "UBIGINT"],
  int1: ["TINYINT", "UTINYINT"],
  int2: ["SMALLINT", "USMALLINT"],
  int3: ["INTEGER", "UINTEGER"],
  int4: ["INTEGER", "UINTEGER"],
  int8: ["BIGINT", "UBIGINT"],
  middleint: ["INTEGER", "UINTEGER"],
};

function mysql(p: ParsedTypeText): MappedType {
  const { base, params, unsigned } = p;
  if (base === "tinyint" && intParam(params, 0) === 1 && !unsigned) return T("BOOLEAN", "boolean");
  const ints = MYSQL_INTS[base];
  if (ints) return T(unsigned ? ints[1] : ints[0], "integer");
  switch (base) {
    case "serial":
      return T("UBIGINT", "integer");
    case "decimal":
    case "numeric":
    case "dec":
    case "fixed":
      return decimal(params, 10, 0);
    case "float":
      return params.length > 1 || (intParam(params, 0) ?? 0) > 24 ? T("DOUBLE", "float") : T("FLOAT", "float");
    case "real":
    case "double":
    case "double precision":
      return T("DOUBLE", "float");
    case "bit":
      return (intParam(params, 0) ?? 1) === 1 ? T("BOOLEAN", "boolean") : T("UBIGINT", "integer");
    case "tinytext":
    case "mediumtext":
    case "longtext":
    case "text":
    case "long":
    case "long varchar":
      return T("VARCHAR", "text");
    case "tinyblob":
    case "mediumblob":
    case "longblob":
    case "long varbinary":
      return T("BLOB", "binary");
    case "timestamp":
    case "datetime":
      return T("TIMESTAMP", "timestamp");
    case "year":
      return T("SMALLINT", "integer");
    case "enum": {
      const labels = params.map((x) => unquoteSqlString(x, true));
      if (labels.every((l): l is string => l !== null) && labels.length > 0) return { duckdbType: "VARCHAR", canonicalType: "enum", enumValues: labels };
      return T("VARCHAR", "other");
    }
    case "set":
      return T("VARCHAR", "other");
    default:
      return common(base, params) ?? T("VARCHAR", "other");
  }
}

function sqlite(p: ParsedTypeText, originalType: string): MappedType {
  const { base, params } = p;
  if (base === "") return T("VARCHAR", "other");
  // SQLite integers are 64-bit whatever the declared width.
  if (base === "int" || base === "integer") return T("BIGINT", "integer");
  // REAL is an 8-byte float in SQLite.
  if (base === "real") return T("DOUBLE", "float");
  const known = common(base, params);
  if (known) return known;
  // Affinity rules (https://sqlite.org/datatype3.html, section 3.1), in order.
  const upper = originalType.toUpperCase();
  if (upper.includes("INT")) return T("BIGINT", "integer");
  if (upper.includes("CHAR") || upper.includes("CLOB") || upper.includes("TEXT")) return T("VARCHAR", "text");
  if (upper.includes("BLOB")) return T("BLOB", "binary");
  if (upper.includes("REAL") || upper.includes("FLOA") || upper.includes("DOUB")) return T("DOUBLE", "float");
  return T("DOUBLE", "decimal");
}

/** The canonical type of a DuckDB type name as DuckDB prints it. */
function duckdb(originalType: string, p: ParsedTypeText): MappedType {
  const type = originalType.trim();
  const upper = type.toUpperCase();
  if (p.array || /^(STRUCT|MAP|UNION|LIST)\b/.test(upper)) return { duckdbType: type, canonicalType: "other" };
  if (/^ENUM\s*\(/.test(upper)) {
    const labels = p.params.map((x) => unquoteSqlString(x));
    const ok = labels.every((l): l is string => l !== null);
    return ok ? { duckdbType: type, canonicalType: "enum", enumValues: labels } : { duckdbType: type, canonicalType: "enum" };
  }
  const base = p.base;
  let canonicalType: CanonicalType;
  if (/^(tinyint|smallint|integer|int|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|uhugeint|int[1248]|short|long|signed)$/.test(base)) canonicalType = "integer";
  else if (/^(decimal|numeric)$/.test(base)) canonicalType = "decimal";
  else if (/^(double|float|real|float[48])$/.test(base)) canonicalType = "float";
  else if (/^(varchar|char|bpchar|text|string|nvarchar)$/.test(base)) canonicalType = "text";
  else if (/^(boolean|bool|logical)$/.test(base)) canonicalType = "boolean";
  else if (base === "date") canonicalType = "date";
  else if (/^(timestamp|datetime|timestamptz|timestamp with time zone|timestamp_s|timestamp_ms|timestamp_ns)$/.test(base)) canonicalType = "timestamp";
  else if (/^(time|timetz|time with time zone)$/.test(base)) canonicalType = "time";
  else if (base === "interval") canonicalType = "interval";
  else if (base === "json") canonicalType = "json";
  else if (base === "uuid") canonicalType = "uuid";
  else if (/^(blob|bytea|binary|varbinary)$/.test(base)) canonicalType = "binary";
  else canonicalType = "other";
  return { duckdbType: upper.startsWith("VARCHAR") || upper.startsWith("DECIMAL") ? upper.replace(/\s+/g, "") : type, canonicalType };
}

/** Maps a declared column type of the given dialect to a DuckDB type and a canonical type. */
export function mapType(dialect: SourceDialect, originalType: string): MappedType {
  const parsed = parseTypeText(originalType);
  if (dialect === "duckdb") return duckdb(originalType, parsed);
  let mapped: MappedType;
  if (dialect === "postgres") mapped = postgres(parsed);
  else if (dialect === "mysql") mapped = mysql(parsed);
  else mapped = sqlite(parsed, originalType);
  if (parsed.array) {
    // A list of a known element type; unknown element types stay text lists.
    return { duckdbType: `${mapped.duckdbType}[]`, canonicalType: "other" };
  }
  return mapped;
}
