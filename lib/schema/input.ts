import { ValidationError } from "@/lib/errors";

// First gate for any schema text a user pastes or uploads: size, encoding and "is this text at
// all", checked before a parser or an engine ever sees it. Each refusal says what to do instead.

export const MAX_SCHEMA_TEXT_BYTES = 5 * 1024 * 1024;

/** Share of control characters (other than tab, newline, carriage return, form feed) above which input is binary. */
const MAX_CONTROL_SHARE = 0.01;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function tooLarge(what: string, bytes: number): ValidationError {
  return new ValidationError(
    `The ${what} is ${megabytes(bytes)}; the limit is 5 MB. Paste only the CREATE statements (pg_dump --schema-only gives them).`,
    { bytes, limit: MAX_SCHEMA_TEXT_BYTES },
  );
}

/**
 * Checks pasted or uploaded schema text and returns it as a string without a byte-order mark.
 * Refuses input over 5 MB, bytes that are not UTF-8, binary content and empty input.
 */
export function validateSchemaText(input: string | Uint8Array, what = "DDL"): string {
  let text: string;
  if (typeof input === "string") {
    // A string longer than the limit in UTF-16 units is longer in UTF-8 bytes too: refuse without encoding it.
    if (input.length > MAX_SCHEMA_TEXT_BYTES) throw tooLarge(what, Buffer.byteLength(input, "utf8"));
    const bytes = Buffer.byteLength(input, "utf8");
    if (bytes > MAX_SCHEMA_TEXT_BYTES) throw tooLarge(what, bytes);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(input)) {
      throw new ValidationError(`The ${what} contains broken characters (unpaired surrogates): save it as UTF-8 text and try again.`);
    }
    text = input;
  } else {
    if (input.byteLength > MAX_SCHEMA_TEXT_BYTES) throw tooLarge(what, input.byteLength);
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      throw new ValidationError(
        `The ${what} is not UTF-8 text${at === null ? "" : ` (invalid byte at offset ${at})`}: save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8) and upload it again.`,
      );
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  if (text.includes("\u0000")) {
    throw new ValidationError(`The ${what} looks like a binary file (it contains NUL bytes): paste or upload the schema as SQL text.`);
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 127 || (c >= 0x80 && c < 0xa0)) control++;
  }
  if (control > 0 && control / text.length > MAX_CONTROL_SHARE) {
    throw new ValidationError(`The ${what} looks like a binary file (${control} control characters): paste or upload the schema as SQL text.`);
  }
  if (text.trim() === "") {
    throw new ValidationError(`The ${what} is empty: paste the CREATE TABLE statements of your schema.`);
  }
  return text;
}

function firstInvalidUtf8(bytes: Uint8Array): number | null {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Binary search on prefix validity is unreliable (a prefix can cut a character); scan instead.
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    try {
      decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return null;
}
