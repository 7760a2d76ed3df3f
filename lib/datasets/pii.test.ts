import { describe, expect, it } from "vitest";
import { cardNetwork, detectPii, ibanValid, luhnValid, redact, spanishIdValid, ssnValid, type PiiKind } from "@/lib/datasets/pii";

const kinds = (text: string) => detectPii(text).map((s) => [s.kind, s.match] as [PiiKind, string]);
const none = (text: string) => expect(detectPii(text), text).toEqual([]);

describe("emails", () => {
  it.each([
    ["Which flights did jane.doe@example.com book?", "jane.doe@example.com"],
    ["Contact ops+alerts@mail.air-lines.co.uk today", "ops+alerts@mail.air-lines.co.uk"],
    ["WHERE email = 'J_Smith99@Example.ORG'", "J_Smith99@Example.ORG"],
  ])("finds %s", (text, match) => {
    expect(kinds(text)).toEqual([["email", match]]);
  });

  it.each(["user@localhost", "a@b.c", "price is 3@4.5", "x..y@example.com", "@example.com", "name@.com", "version 1.2@build"])("ignores %s", (text) => {
    expect(detectPii(text).filter((s) => s.kind === "email")).toEqual([]);
  });

  it("reports positions that cut the match out of the text", () => {
    const text = "mail bob@example.net now";
    const [s] = detectPii(text);
    expect(text.slice(s.start, s.end)).toBe("bob@example.net");
  });
});

describe("phone numbers", () => {
  it.each([
    "+1 415 555 0100",
    "+44 20 7946 0958",
    "+44 (0)20 7946 0958",
    "+33612345678",
    "+49-30-1234567",
    "(415) 555-0100",
    "415-555-0100",
    "415.555.0100",
    "020 7946 0958",
    "07700 900123",
    "06 12 34 56 78",
  ])("finds %s", (phone) => {
    expect(kinds(`Call ${phone} about the booking`)).toEqual([["phone", phone]]);
  });

  it.each([
    "Flights in 2024",
    "between 2023-01-15 and 2024-12-31",
    "on 15/01/2024",
    "on 01-15-2024",
    "order 41555501001",
    "order id 4155550100",
    "priced at 1234.56",
    "3.14159265358",
    "a total of 1,234,567 passengers",
    "+5 points",
    "+15.5%",
    "123-45-678",
    "route 12 34 56",
    "airport 0 12",
    "flight 100-200-3000",
  ])("ignores %s", (text) => {
    none(text);
  });
});

describe("payment cards", () => {
  it.each([
    ["4111 1111 1111 1111", "visa"],
    ["4111-1111-1111-1111", "visa"],
    ["4111111111111111", "visa"],
    ["5555 5555 5555 4444", "mastercard"],
    ["2223 0000 4841 0010", "mastercard"],
    ["3782 822463 10005", "amex"],
    ["6011 1111 1111 1117", "discover"],
    ["3530 1113 3330 0000", "jcb"],
  ])("finds %s (%s)", (card, network) => {
    const spans = detectPii(`Paid with ${card}.`);
    expect(spans.map((s) => [s.kind, s.match, s.scheme])).toEqual([["card", card, network]]);
  });

  it.each([
    "4111 1111 1111 1112",
    "4111111111111112",
    "5555 5555 5555 4445",
    "1234 5678 9012 3456",
    "order 1000000000000009",
    "4111 1111-1111 1111",
    "41 11 11 11 11 11 11 11",
    "9111111111111111",
  ])("ignores %s (Luhn-invalid, no network or badly grouped)", (text) => {
    expect(detectPii(text).filter((s) => s.kind === "card")).toEqual([]);
  });

  it("checks Luhn and networks", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
    expect(cardNetwork("4111111111111111")).toBe("visa");
    expect(cardNetwork("411111111111111")).toBeNull();
    expect(cardNetwork("1111111111111111")).toBeNull();
  });
});

describe("national IDs", () => {
  it.each([
    ["SSN 123-45-6789 on file", "123-45-6789", "us_ssn"],
    ["NINO AB123456C", "AB123456C", "uk_nino"],
    ["NINO JG 10 37 55 A", "JG 10 37 55 A", "uk_nino"],
    ["DNI 12345678Z", "12345678Z", "es_dni"],
    ["DNI 12345678-Z", "12345678-Z", "es_dni"],
    ["NIE X1234567L", "X1234567L", "es_nie"],
  ])("finds %s", (text, match, scheme) => {
    expect(detectPii(text).map((s) => [s.kind, s.match, s.scheme])).toEqual([["national_id", match, scheme]]);
  });

  it.each([
    "000-12-3456",
    "666-12-3456",
    "912-12-3456",
    "123-00-4567",
    "123-45-0000",
    "2024-01-15",
    "DA123456C",
    "QQ123456C",
    "BG123456A",
    "AB123456E",
    "ab123456c",
    "12345678A",
    "X1234567A",
  ])("ignores %s", (text) => {
    none(text);
  });

  it("validates the rules directly", () => {
    expect(ssnValid("078", "05", "1120")).toBe(true);
    expect(ssnValid("900", "12", "3456")).toBe(false);
    expect(spanishIdValid("", "12345678", "Z")).toBe(true);
    expect(spanishIdValid("Y", "1234567", "X")).toBe(true);
    expect(spanishIdValid("Y", "12345678", "X")).toBe(false);
  });
});

describe("IBANs", () => {
  it.each([
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "GB82 WEST 1234 5698 7654 32",
    "GB82WEST12345698765432",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
  ])("finds %s", (iban) => {
    expect(kinds(`Transfer to ${iban} today`)).toEqual([["iban", iban]]);
  });

  it("stops at the country's length even when upper-case words follow", () => {
    expect(kinds("IBAN DE89 3704 0044 0532 0130 00 ASAP")).toEqual([["iban", "DE89 3704 0044 0532 0130 00"]]);
  });

  it.each(["DE89 3704 0044 0532 0130 01", "GB82WEST12345698765433", "DE8937040044053201300", "XX00 1234 5678 9012 34", "de89370400440532013000"])("ignores %s", (text) => {
    expect(detectPii(text).filter((s) => s.kind === "iban")).toEqual([]);
  });

  it("checks mod 97", () => {
    expect(ibanValid("DE89370400440532013000")).toBe(true);
    expect(ibanValid("DE88370400440532013000")).toBe(false);
  });
});

describe("mixed text and redaction", () => {
  it("finds several kinds in one text, in order and without overlaps", () => {
    const text = "Email a@b.io, card 4111 1111 1111 1111, IBAN DE89370400440532013000, call +1 415 555 0100.";
    expect(detectPii(text).map((s) => s.kind)).toEqual(["email", "card", "iban", "phone"]);
  });

  it("replaces each span with its placeholder", () => {
    const text = "Email a@b.io, card 4111 1111 1111 1111, SSN 123-45-6789, IBAN DE89370400440532013000, call +1 415 555 0100.";
    expect(redact(text, detectPii(text))).toBe("Email [EMAIL], card [CARD], SSN [NATIONAL_ID], IBAN [IBAN], call [PHONE].");
  });

  it("leaves text without spans unchanged and ignores overlapping spans", () => {
    expect(redact("nothing here", [])).toBe("nothing here");
    const text = "x a@b.io y";
    expect(redact(text, [{ kind: "email", start: 2, end: 8, match: "a@b.io" }, { kind: "phone", start: 4, end: 6, match: "b." }])).toBe("x [EMAIL] y");
  });

  it("finds nothing in ordinary questions about flights", () => {
    for (const q of [
      "How many routes leave from airports in Germany?",
      "List the 10 busiest airports by number of departing routes in 2023.",
      "What is the average altitude of airports above 1500 meters?",
      "Which airlines with IATA code 'LH' fly more than 250 routes?",
      "Show flights between 2024-01-01 and 2024-03-31 that cost over $1,299.99.",
      "SELECT COUNT(*) FROM routes WHERE stops = 0 AND airline_id = 4296",
      "Orders #10023, #10024 and #10025 were placed on 12/05/2023 at 10:30.",
    ]) none(q);
  });
});
