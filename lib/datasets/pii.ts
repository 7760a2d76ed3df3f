// Personal data in free text (questions, SQL string literals, result values). Pure.
//
// Each detector favours precision: a finding blocks a dataset version until someone resolves it,
// so a number is flagged only when its shape and, where one exists, its checksum say it is the
// thing. The rules:
//
// - email: local@domain.tld, the top-level domain alphabetic and at least 2 letters.
// - phone: either international (a "+", a country code and 8–15 digits in all, E.164's bounds,
//   digits grouped by single spaces, dashes, dots or a bracketed group, or written together), or a
//   national format written with separators: North American (415) 555-0100 / 415-555-0100 /
//   415.555.0100 / 415 555 0100 (area code and exchange starting 2–9), or a trunk-prefixed number
//   starting with 0 (020 7946 0958, 07700 900123, 06 12 34 56 78: 10–11 digits in 2–6 digit groups
//   separated by one kind of separator).
//   Digits written together without "+" (ids, order numbers), years, dates (2024-01-15,
//   15/01/2024), decimals and prices are never phone numbers.
// - card: 13–19 digits, together or grouped by single spaces or dashes (one kind of separator),
//   starting with a card network's prefix (Visa 4; Mastercard 51–55, 2221–2720; Amex 34, 37;
//   Discover 6011, 644–649, 65; JCB 35; Diners 300–305, 36, 38, 39; UnionPay 62) at a length that
//   network issues, and Luhn-valid.
// - national_id: US SSN written AAA-GG-SSSS (area not 000, 666 or 900–999, group not 00, serial
//   not 0000); UK National Insurance number (two letters from the allowed prefix set, six digits,
//   suffix A–D, upper case, optionally spaced AB 12 34 56 C); Spanish DNI (8 digits and the check
//   letter, optionally after a dash) and NIE (X/Y/Z, 7 digits and the check letter), the letter validated (mod 23).
// - iban: a country code, two check digits and the account number (15–34 characters, upper case,
//   together or in groups separated by single spaces), the length checked for the countries listed
//   below, and valid under ISO 7064 mod 97-10.

export const PII_KINDS = ["email", "phone", "card", "national_id", "iban"] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiSpan {
  kind: PiiKind;
  /** [start, end) in the text. */
  start: number;
  end: number;
  match: string;
  /** Which national ID or card network, when the detector knows it. */
  scheme?: string;
}

export const PII_PLACEHOLDERS: Record<PiiKind, string> = {
  email: "[EMAIL]",
  phone: "[PHONE]",
  card: "[CARD]",
  national_id: "[NATIONAL_ID]",
  iban: "[IBAN]",
};

export const PII_LABELS: Record<PiiKind, string> = {
  email: "email address",
  phone: "phone number",
  card: "payment card number",
  national_id: "national ID number",
  iban: "IBAN",
};

const digitsOf = (s: string) => s.replace(/\D/g, "");

// ---------------------------------------------------------------------------------------------
// Email

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

export function findEmails(text: string): PiiSpan[] {
  return [...text.matchAll(EMAIL)].filter((m) => !m[0].includes("..")).map((m) => span("email", m.index, m[0]));
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

// Not glued to letters, digits or a decimal/date continuation on either side.
const NOT_BEFORE = String.raw`(?<![\w+/.,-])`;
const NOT_AFTER = String.raw`(?![\w/]|[.,-]\d)`;

const PHONE_INTERNATIONAL = new RegExp(String.raw`(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,6}){1,6}` + NOT_AFTER, "g");
const PHONE_NANP = new RegExp(NOT_BEFORE + String.raw`(?:\([2-9]\d{2}\) ?[2-9]\d{2}[ .-]|[2-9]\d{2}(?<sep>[ .-])[2-9]\d{2}\k<sep>)\d{4}` + NOT_AFTER, "g");
const PHONE_TRUNK = new RegExp(NOT_BEFORE + String.raw`0\d{1,4}(?<sep>[ -])\d{2,6}(?:\k<sep>\d{2,6}){0,3}` + NOT_AFTER, "g");

export function findPhones(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of text.matchAll(PHONE_INTERNATIONAL)) {
    const n = digitsOf(m[0]).length;
    if (n >= 8 && n <= 15) out.push(span("phone", m.index, m[0]));
  }
  for (const m of text.matchAll(PHONE_NANP)) out.push(span("phone", m.index, m[0]));
  for (const m of text.matchAll(PHONE_TRUNK)) {
    const n = digitsOf(m[0]).length;
    // A trunk-prefixed number has at least two groups after the prefix or one long one.
    if (n >= 10 && n <= 11) out.push(span("phone", m.index, m[0]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Payment cards

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card network for a number, or null when no network issues that prefix at that length. */
export function cardNetwork(digits: string): string | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === "4" && (n === 13 || n === 16 || n === 19)) return "visa";
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return "mastercard";
  if ((p2 === 34 || p2 === 37) && n === 15) return "amex";
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) && n >= 16 && n <= 19) return "discover";
  if (p2 === 35 && n >= 16 && n <= 19) return "jcb";
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19) return "diners";
  if (p2 === 62 && n >= 16 && n <= 19) return "unionpay";
  return null;
}

const CARD = /(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w/]|[.,-]\d)/g;

export function findCards(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of text.matchAll(CARD)) {
    const seps = new Set(m[0].replace(/\d/g, ""));
    if (seps.size > 1) continue;
    const groups = m[0].split(/[ -]/);
    // Grouped numbers are written in groups of 3–6 digits (4-4-4-4, 4-6-5, 4-4-4-4-3).
    if (groups.length > 1 && groups.some((g) => g.length < 3 || g.length > 6)) continue;
    const digits = digitsOf(m[0]);
    const network = cardNetwork(digits);
    if (network && luhnValid(digits)) out.push({ ...span("card", m.index, m[0]), scheme: network });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// National IDs

const SSN = /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w]|-\d)/g;

export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== "00" && serial !== "0000";
}

// First letter: not D, F, I, Q, U, V. Second: not D, F, I, O, Q, U, V. Prefixes never issued: BG, GB, NK, KN, TN, NT, ZZ.
const NINO = /(?<![\w])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\w])/g;
const NINO_NEVER_ISSUED = new Set(["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"]);

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
const DNI = /(?<![\w-])([XYZ]?)(\d{7,8})-?([A-Z])(?![\w])/g;

/** Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) with its check letter. */
export function spanishIdValid(prefix: string, digits: string, letter: string): boolean {
  if (prefix ? digits.length !== 7 : digits.length !== 8) return false;
  const n = Number(`${prefix ? "XYZ".indexOf(prefix) : ""}${digits}`);
  return DNI_LETTERS[n % 23] === letter;
}

export function findNationalIds(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of text.matchAll(SSN)) if (ssnValid(m[1], m[2], m[3])) out.push({ ...span("national_id", m.index, m[0]), scheme: "us_ssn" });
  for (const m of text.matchAll(NINO)) {
    if (!NINO_NEVER_ISSUED.has(m[1])) out.push({ ...span("national_id", m.index, m[0]), scheme: "uk_nino" });
  }
  for (const m of text.matchAll(DNI)) {
    if (spanishIdValid(m[1], m[2], m[3])) out.push({ ...span("national_id", m.index, m[0]), scheme: m[1] ? "es_nie" : "es_dni" });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IBAN

/** IBAN lengths of the countries most often seen; other country codes accept 15–34 characters. */
export const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AT: 20, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20,
  ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GI: 23, GL: 18, GR: 27, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27,
  KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, ME: 22, MK: 19, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29,
};

export function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected !== undefined && compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= "A" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of value) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?=[ ]?[A-Z0-9])/g;
const isAlnum = (ch: string | undefined) => ch !== undefined && /[A-Z0-9]/.test(ch);

export function findIbans(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of text.matchAll(IBAN_START)) {
    // Walk the characters that could belong to the IBAN, remembering where each one ends.
    const ends: number[] = [];
    let compact = "";
    let i = m.index;
    while (i < text.length && compact.length < 34) {
      if (isAlnum(text[i])) {
        compact += text[i];
        ends.push(i + 1);
        i++;
      } else if (text[i] === " " && isAlnum(text[i + 1]) && compact.length >= 4) {
        i++;
      } else break;
    }
    const known = IBAN_LENGTHS[compact.slice(0, 2)];
    const lengths = known !== undefined ? [known] : Array.from({ length: 20 }, (_, k) => 34 - k);
    for (const length of lengths) {
      if (length > compact.length) continue;
      const end = ends[length - 1];
      // The IBAN must end at a word boundary: the next character is not glued to it.
      if (/[A-Za-z0-9]/.test(text[end] ?? "")) continue;
      if (ibanValid(compact.slice(0, length))) {
        out.push(span("iban", m.index, text.slice(m.index, end)));
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function span(kind: PiiKind, start: number, match: string): PiiSpan {
  return { kind, start, end: start + match.length, match };
}

// When two detectors claim overlapping text, the more specific one wins.
const PRIORITY: Record<PiiKind, number> = { email: 0, iban: 1, card: 2, national_id: 3, phone: 4 };

/** Every piece of personal data in the text, in order, without overlaps. */
export function detectPii(text: string): PiiSpan[] {
  if (!text) return [];
  const all = [...findEmails(text), ...findIbans(text), ...findCards(text), ...findNationalIds(text), ...findPhones(text)];
  all.sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiSpan[] = [];
  for (const s of all) if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  return kept.sort((a, b) => a.start - b.start);
}

/** The text with each span replaced by its typed placeholder ([EMAIL], [CARD]...). Overlapping spans: the first wins. */
export function redact(text: string, spans: readonly PiiSpan[]): string {
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  for (const s of ordered) {
    if (s.start < at || s.end > text.length) continue;
    out += text.slice(at, s.start) + PII_PLACEHOLDERS[s.kind];
    at = s.end;
  }
  return out + text.slice(at);
}
