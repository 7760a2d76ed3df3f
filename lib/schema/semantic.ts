import type { SemanticType } from "@/lib/schema/model";

// Name-and-type heuristics that say what a column holds, so the sandbox can fill it with
// believable values and prompts can describe it. The declared type always wins over the name
// when they disagree (a BOOLEAN named "country" is still a boolean).

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT[1248]|SHORT|LONG|SIGNED)\b/;
const FLOAT_TYPES = /^(DOUBLE|FLOAT|REAL|FLOAT[48])\b/;
const DECIMAL_TYPES = /^(DECIMAL|NUMERIC)\b/;
const STRING_TYPES = /^(VARCHAR|CHAR|BPCHAR|TEXT|STRING|CHARACTER|NVARCHAR)\b/;

function words(columnName: string): string[] {
  return columnName
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function varcharLength(type: string): number | null {
  const m = /^(?:VARCHAR|CHAR|BPCHAR|CHARACTER VARYING|CHARACTER|NVARCHAR)\s*\(\s*(\d+)\s*\)/.exec(type);
  return m ? Number(m[1]) : null;
}

const MONEY_WORDS = new Set(["price", "amount", "cost", "salary", "revenue", "total", "fee", "balance", "payment", "budget", "income", "tax", "discount", "fare", "wage", "subtotal", "charge", "spend", "profit"]);
const CATEGORY_WORDS = new Set(["status", "type", "category", "kind", "class", "level", "tier", "gender", "state", "role", "segment", "priority", "stage", "channel", "source", "method", "mode", "dst", "grade", "genre", "department", "region", "active", "flag", "codeshare"]);
const NAME_WORDS = new Set(["name", "title", "alias", "callsign", "firstname", "lastname", "surname", "username", "nickname", "label"]);
const CODE_WORDS = new Set(["iata", "icao", "code", "iso", "sku", "abbr", "abbreviation", "symbol", "ticker", "isbn", "zip", "postcode", "postal", "currency", "dafif"]);
const DATE_WORDS = new Set(["date", "day", "dob", "birthday", "birthdate"]);
const TIMESTAMP_WORDS = new Set(["timestamp", "time", "datetime", "at", "created", "updated", "modified", "deleted"]);
const TEXT_WORDS = new Set(["description", "comment", "comments", "note", "notes", "body", "text", "summary", "message", "content", "bio", "address", "street", "remarks"]);

export function inferSemanticType(tableName: string, columnName: string, type: string): SemanticType {
  const t = type.trim().toUpperCase();
  const w = words(columnName);
  const last = w[w.length - 1] ?? "";
  const has = (set: Set<string>) => w.some((x) => set.has(x));
  const table = tableName.toLowerCase().replace(/^.*\./, "");

  if (t === "BOOLEAN" || t === "BOOL" || t === "LOGICAL") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP") || t === "DATETIME") return "timestamp";
  if (t.startsWith("ENUM")) return "category";
  if (t === "UUID") return "id";

  const isInt = INTEGER_TYPES.test(t);
  const isFloat = FLOAT_TYPES.test(t);
  const isDecimal = DECIMAL_TYPES.test(t);
  const isString = STRING_TYPES.test(t);
  const isNumeric = isInt || isFloat || isDecimal;

  // Keys: "id", "<x>_id", "<x>Id", "<x>_key", and the table's own "<singular>_id".
  if (last === "id" || last === "uuid" || last === "guid" || (last === "key" && w.length > 1) || last === "pk" || last === "fk") {
    if (isNumeric || isString || t === "") return "id";
  }
  if (isNumeric && (last === "no" || last === "number" || last === "num") && w.length > 1 && !has(MONEY_WORDS)) {
    // order_no, account_number: identifiers rather than quantities
    if (isInt) return "id";
  }

  if (w.includes("lat") || w.includes("latitude")) return isNumeric || isString ? "latitude" : "other";
  if (w.includes("lon") || w.includes("lng") || w.includes("long") || w.includes("longitude")) {
    if (isNumeric || isString) return "longitude";
  }

  if (isNumeric) {
    if (has(MONEY_WORDS)) return "money";
    if (isInt && (last === "year" || last === "yr")) return "number";
    return "number";
  }

  if (isString || t === "") {
    if (w.includes("email") || w.includes("mail")) return "email";
    if (has(CODE_WORDS)) return "code";
    if (w.includes("country") || w.includes("nation") || w.includes("nationality")) return "country";
    if (w.includes("city") || w.includes("town") || w.includes("municipality")) return "city";
    if (has(DATE_WORDS) && !w.includes("update")) return "date";
    if ((table === "countries" || table === "country") && columnName.toLowerCase() === "name") return "country";
    if (has(NAME_WORDS)) return "name";
    if (has(TEXT_WORDS)) return "text";
    if (has(CATEGORY_WORDS)) return "category";
    const len = varcharLength(t);
    if (len !== null && len <= 3) return "code";
    if (len !== null && len <= 20) return "category";
    if (has(TIMESTAMP_WORDS) && last !== "zone") return "timestamp";
    return "text";
  }

  if (t.startsWith("TIME")) return "other";
  return "other";
}
