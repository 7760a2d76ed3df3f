import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { validateSchemaText } from "@/lib/schema/input";

function refusal(input: string | Uint8Array, what?: string): string {
  try {
    validateSchemaText(input, what);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("validateSchemaText", () => {
  it("returns text and decoded UTF-8 bytes, without a byte-order mark", () => {
    expect(validateSchemaText("CREATE TABLE t (x int);")).toBe("CREATE TABLE t (x int);");
    expect(validateSchemaText(Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from("CREATE TABLE café (x int);")]))).toBe("CREATE TABLE café (x int);");
    expect(validateSchemaText("\uFEFFCREATE TABLE t (x int);")).toBe("CREATE TABLE t (x int);");
  });

  it("refuses input over 5 MB quickly, saying what to paste instead", () => {
    const started = Date.now();
    expect(refusal("x".repeat(50 * 1024 * 1024))).toBe("The DDL is 50.0 MB; the limit is 5 MB. Paste only the CREATE statements (pg_dump --schema-only gives them).");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refusal(new Uint8Array(6 * 1024 * 1024), "schema file")).toMatch(/^The schema file is 6\.0 MB/);
    // 5 MB of characters that take two bytes each is 10 MB of UTF-8
    expect(refusal("é".repeat(3 * 1024 * 1024))).toMatch(/^The DDL is 6\.0 MB/);
  });

  it("refuses bytes that are not UTF-8, naming the offset", () => {
    expect(refusal(Buffer.from("CREATE TABLE M\xfcller (x int);", "latin1"))).toBe(
      "The DDL is not UTF-8 text (invalid byte at offset 14): save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8) and upload it again.",
    );
    expect(refusal("CREATE TABLE t (x int); \uD800")).toMatch(/unpaired surrogates/);
  });

  it("refuses binary content", () => {
    expect(refusal(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]))).toMatch(/binary file \(it contains NUL bytes\)/);
    const controls = "CREATE TABLE t (x int);" + "\u0001\u0002\u0003".repeat(10);
    expect(refusal(controls)).toMatch(/binary file \(30 control characters\)/);
    // tabs, newlines and form feeds are text
    expect(validateSchemaText("CREATE TABLE t (\r\n\tx int\f);")).toContain("\t");
  });

  it("refuses empty and whitespace-only input", () => {
    expect(refusal("")).toBe("The DDL is empty: paste the CREATE TABLE statements of your schema.");
    expect(refusal(" \n\t ")).toMatch(/empty/);
    expect(refusal(new Uint8Array())).toMatch(/empty/);
  });
});
